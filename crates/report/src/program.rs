//! The feedback section of one run of a student's program (`netlab grade`):
//! the command, what went to its stdin, what came out, how it ended. Output is
//! shown in fenced blocks whose fence is longer than any backtick run in it,
//! so a student's output cannot close the block and inject markup.

use std::fmt::Write as _;

use netlab_lab::results::ProgramOutput;

pub(crate) fn section(out: &mut String, r: &ProgramOutput) {
    let _ = writeln!(
        out,
        "#### Run {}: `{}` on {} (role {})\n",
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
    let ended = if r.timed_out {
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
    for (name, text, bytes) in [
        ("standard output", &r.stdout, r.stdout_bytes),
        ("standard error", &r.stderr, r.stderr_bytes),
    ] {
        if bytes == 0 {
            let _ = writeln!(out, "Nothing on its {name}.\n");
        } else {
            let _ = writeln!(out, "Its {name} ({bytes} bytes):\n");
            fenced(out, text);
        }
    }
}

fn fenced(out: &mut String, text: &str) {
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
