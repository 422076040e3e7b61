//! HTML escaping. Every text that came from a run (names, measurements,
//! explanations, error messages, a student's output) goes through here, so
//! nothing in the results can add markup, script or attributes to the page.

/// Escapes text for element content and for quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&#39;"),
            // Control characters other than tab/newline are not valid HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

/// The author's paragraphs (blank-line separated) as `<p>` elements.
pub fn paragraphs(text: &str, class: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str(&format!("<p class=\"{class}\">{}</p>\n", esc(para)));
    }
    out
}

/// A fragment usable in an `id` attribute: ASCII letters, digits and `-`.
pub fn slug(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s.trim_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_quotes_are_escaped() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("bell\u{7}"), "bell\u{FFFD}");
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("one\nline\n\n<two>\n", "d"),
            "<p class=\"d\">one\nline</p>\n<p class=\"d\">&lt;two&gt;</p>\n"
        );
        assert_eq!(paragraphs("  ", "d"), "");
    }

    #[test]
    fn slugs_are_safe_ids() {
        assert_eq!(slug("udp-vs-tcp"), "udp-vs-tcp");
        assert_eq!(slug("A \"b\" <c>"), "a--b---c");
    }
}
