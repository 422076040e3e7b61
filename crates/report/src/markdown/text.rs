//! Markdown text: escaping, table cells, paragraphs and fenced blocks, so
//! that a student's text always renders as text.

use std::fmt::Write as _;

/// Escapes Markdown punctuation and HTML so untrusted text renders as text.
pub(super) fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                s.push('\\');
                s.push(ch);
            }
            _ => s.push(ch),
        }
    }
    s
}

/// A table cell: escaped, on one line.
pub(super) fn cell(text: &str) -> String {
    esc(text).replace("\r\n", "<br>").replace('\n', "<br>")
}

pub(super) fn paragraph(out: &mut String, text: &str) {
    if !text.trim().is_empty() {
        let _ = writeln!(out, "{}\n", esc(text.trim()));
    }
}

/// A fenced block whose fence is longer than any backtick run in the text,
/// so the text cannot close it and inject markup.
pub(super) fn fenced(out: &mut String, text: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}text\n{}\n{fence}\n", text.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_cannot_close_the_block() {
        let mut out = String::new();
        fenced(&mut out, "a ```` b");
        assert!(out.starts_with("`````text\n"), "{out}");
    }
}
