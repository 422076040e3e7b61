//! The feedback section of one run of a student's program (`netlab grade`):
//! the command, what went to its stdin, what came out, how it ended. Output is
//! shown in fenced blocks whose fence is longer than any backtick run in it,
//! so a student's output cannot close the block and inject markup.

use std::fmt::Write as _;

use netlab_lab::results::ProgramOutput;

use super::text::{esc, fenced};
use crate::fmt::{output_line, program_ending};

pub(super) fn section(out: &mut String, r: &ProgramOutput) {
    let _ = writeln!(
        out,
        "#### Run {}: `{}` on {} (role {})\n",
        esc(&r.id),
        r.command.replace('`', "'"),
        esc(&r.host),
        esc(&r.role)
    );
    if let Some(e) = &r.infra_error {
        let _ = writeln!(out, "The program could not be started: {}.\n", esc(e));
        return;
    }
    let _ = writeln!(out, "The program {}.\n", program_ending(r));
    if let Some(stdin) = &r.stdin {
        out.push_str("Sent to its standard input:\n\n");
        fenced(out, stdin);
    }
    for (name, text, bytes, kept) in [
        ("standard output", &r.stdout, r.stdout_bytes, r.stdout_kept),
        ("standard error", &r.stderr, r.stderr_bytes, r.stderr_kept),
    ] {
        let _ = writeln!(out, "{}\n", output_line(name, bytes, kept));
        if bytes > 0 {
            fenced(out, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fmt::output_line;

    #[test]
    fn a_cut_output_says_what_was_written_and_kept() {
        let line = output_line("standard output", 200_000_000, Some(65_536));
        assert!(
            line.contains("200,000,000 bytes written; netlab kept 65,536"),
            "{line}"
        );
        assert_eq!(
            output_line("standard error", 12, Some(12)),
            "Its standard error (12 bytes):"
        );
        assert_eq!(
            output_line("standard error", 0, Some(0)),
            "Nothing on its standard error."
        );
    }
}
