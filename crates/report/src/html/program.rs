//! A program of a submission on the page: its command, how it ended, what
//! went in and what came out (capped as netlab kept it), the same facts as
//! the Markdown feedback.

use std::fmt::Write as _;

use netlab_lab::results::ProgramOutput;

use super::escape::esc;
use crate::fmt::{output_line, program_ending};

pub fn section(out: &mut String, r: &ProgramOutput) {
    let _ = writeln!(
        out,
        "<div class=\"program\"><h4>Run {}: <code>{}</code> on {} <span class=\"meta\">(role {})</span></h4>",
        esc(&r.id),
        esc(&r.command),
        esc(&r.host),
        esc(&r.role)
    );
    if let Some(e) = &r.infra_error {
        let _ = writeln!(
            out,
            "<p>The program could not be started: {}.</p></div>",
            esc(e)
        );
        return;
    }
    let _ = writeln!(out, "<p>The program {}.</p>", esc(&program_ending(r)));
    if let Some(stdin) = &r.stdin {
        let _ = writeln!(
            out,
            "<p>Sent to its standard input:</p><pre class=\"output\">{}</pre>",
            esc(stdin.trim_end())
        );
    }
    for (name, text, bytes, kept) in [
        ("standard output", &r.stdout, r.stdout_bytes, r.stdout_kept),
        ("standard error", &r.stderr, r.stderr_bytes, r.stderr_kept),
    ] {
        let _ = writeln!(out, "<p>{}</p>", esc(&output_line(name, bytes, kept)));
        if bytes > 0 {
            let _ = writeln!(out, "<pre class=\"output\">{}</pre>", esc(text.trim_end()));
        }
    }
    out.push_str("</div>\n");
}
