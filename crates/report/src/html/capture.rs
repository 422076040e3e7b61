//! The packets behind a scenario's outcome: the capture's summary, one line
//! per conversation, next to the checks it explains.

use std::fmt::Write as _;

use netlab_lab::results::CaptureSummary;

use super::escape::esc;
use crate::fmt::capture_lines;

pub fn section(out: &mut String, c: &CaptureSummary) {
    let (lines, warnings) = capture_lines(c);
    let _ = writeln!(
        out,
        "<div class=\"capture\"><h4>On the wire, captured on {} <span class=\"meta\">{}</span></h4>",
        esc(&c.host),
        esc(&c.file)
    );
    if !lines.is_empty() {
        out.push_str("<pre class=\"wire\">");
        for line in &lines {
            out.push_str(&esc(line));
            out.push('\n');
        }
        out.push_str("</pre>\n");
    }
    for warn in &warnings {
        let _ = writeln!(out, "<div class=\"note\">{}</div>", esc(warn));
    }
    out.push_str("</div>\n");
}
