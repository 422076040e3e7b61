//! The feedback section of one run of a student's program (`netlab grade`):
//! the command, what went to its stdin, what came out, how it ended. Output is
//! shown in fenced blocks whose fence is longer than any backtick run in it,
//! so a student's output cannot close the block and inject markup.

use std::fmt::Write as _;

use netlab_lab::results::ProgramOutput;

pub(crate) fn section(out: &mut String, r: &ProgramOutput) {
    let _ = writeln!(
        out,
        "#### Report {}: `{}` on {} (role {})\n",
        crate::markdown::esc(&r.id),
        r.command.replace('`', "'"),
        crate::markdown::esc(&r.host),
        crate::markdown::esc(&r.role)
    );
    if let Some(e) = &r.infra_error {
        let _ = writeln!(
            out,
            "The program could not be started: {}.\n",
            crate::markdown::esc(e)
        );
        return;
    }
    let ended = if r.exit_code.is_none() && !r.timed_out {
        format!(
            "was still running when the scenario ended after {:.1} s",
            r.duration_ms as f64 / 1000.0
        )
    } else if r.timed_out {
        format!(
            "still running after {:.1} s: netlab stopped it",
            r.duration_ms as f64 / 1000.0
        )
    } else if let Some(cause) = r.crash_cause() {
        format!("was {cause} after {:.1} s", r.duration_ms as f64 / 1000.0)
    } else {
        format!(
            "exited with code {} after {:.1} s",
            r.exit_code.map_or("?".into(), |c| c.to_string()),
            r.duration_ms as f64 / 1000.0
        )
    };
    let _ = writeln!(out, "The program {ended}.\n");
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

/// What a program wrote on one stream, and what of it netlab kept.
fn output_line(name: &str, bytes: u64, kept: Option<u64>) -> String {
    match kept {
        _ if bytes == 0 => format!("Nothing on its {name}."),
        Some(kept) if kept < bytes => format!(
            "Its {name}: {} bytes written; netlab kept {} of them, the first and the last part (the lab's output cap), and marks the cut:",
            thousands(bytes),
            thousands(kept)
        ),
        _ => format!("Its {name} ({} bytes):", thousands(bytes)),
    }
}

/// 200000000 -> "200,000,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) fn fenced(out: &mut String, text: &str) {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let _ = writeln!(out, "{fence}text\n{}\n{fence}\n", text.trim_end());
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn backticks_cannot_close_the_block() {
        let mut out = String::new();
        fenced(&mut out, "a ```` b");
        assert!(out.starts_with("`````text\n"), "{out}");
    }
}
