//! `output` and `exits`: grading one run of a student's program.
//!
//! A run that did not end by itself (killed by a signal, by the memory limit,
//! or failed at the pids limit) is a `crash` in every check that reads it,
//! with the cause named. Otherwise `output` searches stdout and stderr
//! together: enough matches pass, even if the program was then stopped or
//! died of an exception (the output was there). Without them a program
//! stopped at its deadline is `timeout`; one that died of an exception
//! (non-zero exit with a Python traceback) is `crash`, with the exit code and
//! the end of its stderr; anything else is `fail`.

use std::time::Duration;

use super::{Verdict, fmt};
use crate::results::{CheckStatus, ProgramOutput};

/// Characters of output quoted as evidence.
const EXCERPT: usize = 400;

pub fn expected_output(pattern: &str, at_least: u32) -> String {
    if at_least == 1 {
        format!("output matching /{pattern}/")
    } else {
        format!("at least {at_least} matches of /{pattern}/ in the output")
    }
}

pub fn expected_exits(within: Duration, code: Option<i64>) -> String {
    match code {
        Some(c) => format!(
            "ends by itself with exit code {c} within {}",
            fmt::dur(within)
        ),
        None => format!("ends by itself within {}", fmt::dur(within)),
    }
}

pub fn output(run: &ProgramOutput, pattern: &str, at_least: u32) -> Verdict {
    let expected = expected_output(pattern, at_least);
    let re = match regex::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return Verdict::error(format!("bad pattern: {e}"), expected),
    };
    let text = format!("{}\n{}", run.stdout, run.stderr);
    let n = re.find_iter(&text).count() as u32;
    let shown = format!("stdout: {}", quote_head(&run.stdout));
    if let Some(cause) = run.crash_cause() {
        return Verdict::of(
            CheckStatus::Crash,
            format!("{n} match(es); the program was {cause}; {shown}"),
            expected,
        );
    }
    if n >= at_least {
        let m = re.find(&text).map(|m| m.as_str()).unwrap_or_default();
        return Verdict::new(
            true,
            format!("{n} match(es), first {:?}; {shown}", clip(m, 80)),
            expected,
        );
    }
    let found = format!("{n} match(es)");
    if run.timed_out {
        return Verdict::of(
            CheckStatus::Timeout,
            format!(
                "{found}; the program was still running after {} and was stopped{}; {shown}",
                fmt::us(run.duration_ms as f64 * 1e3),
                run.limits_note()
            ),
            expected,
        );
    }
    let measured = format!(
        "{found}; {}; {shown}{}",
        ended(run),
        tail("stderr", &run.stderr)
    );
    if crashed(run) {
        return Verdict::of(CheckStatus::Crash, measured, expected);
    }
    Verdict::new(false, measured, expected)
}

pub fn exits(run: &ProgramOutput, within: Duration, code: Option<i64>) -> Verdict {
    let expected = expected_exits(within, code);
    let took = Duration::from_millis(run.duration_ms);
    if run.timed_out {
        return Verdict::of(
            CheckStatus::Timeout,
            format!(
                "still running after {}: netlab stopped it (a client needs a timeout, e.g. `settimeout(2)`){}{}",
                fmt::dur(took),
                run.limits_note(),
                tail("stdout", &run.stdout)
            ),
            expected,
        );
    }
    if let Some(cause) = run.crash_cause() {
        return Verdict::of(
            CheckStatus::Crash,
            format!(
                "the program was {cause} after {}: it did not end on its own{}",
                fmt::dur(took),
                tail("stderr", &run.stderr)
            ),
            expected,
        );
    }
    let how = format!(
        "{} after {}{}",
        ended(run),
        fmt::dur(took),
        tail("stderr", &run.stderr)
    );
    let pass = took <= within && code.is_none_or(|c| run.exit_code == Some(c));
    Verdict::new(pass, how, expected)
}

/// Died of an exception: a non-zero exit with a Python traceback.
fn crashed(run: &ProgramOutput) -> bool {
    match run.exit_code {
        Some(c) if c != 0 => run.stderr.contains("Traceback") || run.stderr.contains("Error"),
        _ => false,
    }
}

/// "exited with code 1".
fn ended(run: &ProgramOutput) -> String {
    let code = run.exit_code.map_or("?".to_owned(), |c| c.to_string());
    format!("exited with code {code}")
}

/// The end of an output (where a traceback says what went wrong), after a
/// line break and with its own line breaks: the evidence's first line is the
/// verdict, the lines after it are the program's words, which every report
/// shows as a block. Empty when there was no output.
fn tail(label: &str, s: &str) -> String {
    let t = s.trim();
    let n = t.chars().count();
    if t.is_empty() {
        String::new()
    } else if n <= EXCERPT {
        format!("\n{label}:\n{t}")
    } else {
        let end: String = t.chars().skip(n - EXCERPT).collect();
        format!("\n{label} (last {EXCERPT} characters):\n…{end}")
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The first part of a text, quoted.
fn quote_head(s: &str) -> String {
    let t = s.trim();
    if t.is_empty() {
        "(nothing)".to_owned()
    } else {
        format!("{:?}", clip(t, EXCERPT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fake::check;
    use crate::resolved::{Check, CheckKind};

    fn out(stdout: &str, stderr: &str, code: Option<i64>, timed_out: bool) -> ProgramOutput {
        ProgramOutput {
            id: "client".into(),
            host: "student".into(),
            role: "udp-client".into(),
            command: "python3 UDPClient.py".into(),
            stdin: Some("hello netlab\n".into()),
            stdout: stdout.into(),
            stderr: stderr.into(),
            stdout_bytes: stdout.len() as u64,
            stderr_bytes: stderr.len() as u64,
            stdout_kept: None,
            stderr_kept: None,
            exit_code: code,
            timed_out,
            duration_ms: if timed_out { 10_000 } else { 40 },
            infra_error: None,
            limits_hit: Vec::new(),
            contact: None,
        }
    }

    fn output_check(pattern: &str, at_least: u32) -> Check {
        check(CheckKind::Output {
            run: "client".into(),
            pattern: pattern.into(),
            at_least,
        })
    }

    #[test]
    fn output_passes_on_enough_matches() {
        let run = out(
            "Input: HELLO NETLAB\n09:12:03 09:12:04\n",
            "",
            Some(0),
            false,
        );
        let r = crate::evaluate_with(
            &output_check(r"\d{1,2}:\d{2}:\d{2}", 2),
            &[],
            std::slice::from_ref(&run),
        );
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.measured);
        let r = crate::evaluate_with(&output_check(r"\d{1,2}:\d{2}:\d{2}", 3), &[], &[run]);
        assert_eq!(r.status, CheckStatus::Fail);
        assert!(
            r.measured.starts_with("2 match(es); exited with code 0"),
            "{}",
            r.measured
        );
    }

    #[test]
    fn a_traceback_is_a_crash_and_a_deadline_a_timeout() {
        let tb = "Traceback (most recent call last):\n  File \"UDPClient.py\"\nConnectionRefusedError: [Errno 111]";
        let r = crate::evaluate_with(
            &output_check("HELLO", 1),
            &[],
            &[out("", tb, Some(1), false)],
        );
        assert_eq!(r.status, CheckStatus::Crash);
        assert!(
            r.measured.contains("exited with code 1")
                && r.measured.contains("ConnectionRefusedError"),
            "{}",
            r.measured
        );
        let r = crate::evaluate_with(
            &output_check("HELLO", 1),
            &[],
            &[out("Input:", "", None, true)],
        );
        assert_eq!(r.status, CheckStatus::Timeout);
        let r = crate::evaluate_with(
            &output_check("HELLO", 1),
            &[],
            &[out("hello", "", Some(0), false)],
        );
        assert_eq!(r.status, CheckStatus::Fail);
    }

    #[test]
    fn exits_needs_an_end_in_time() {
        let c = check(CheckKind::Exits {
            run: "client".into(),
            within: Duration::from_secs(5),
            code: None,
        });
        let r = crate::evaluate_with(&c, &[], &[out("", "Error: no reply", Some(1), false)]);
        assert_eq!(r.status, CheckStatus::Pass, "{}", r.measured);
        let r = crate::evaluate_with(&c, &[], &[out("Input:", "", None, true)]);
        assert_eq!(r.status, CheckStatus::Timeout);
        assert_eq!(r.earned, 0.0);
        let r = crate::evaluate_with(&c, &[], &[]);
        assert_eq!(r.status, CheckStatus::InfraError);
    }

    /// A client the memory limit killed (exit 137 within 0.6 s) did not end
    /// on its own: `crash` with the cause, never a pass.
    #[test]
    fn a_kill_is_a_crash_in_every_check() {
        let exits = check(CheckKind::Exits {
            run: "client".into(),
            within: Duration::from_secs(6),
            code: None,
        });
        let mut oom = out("HELLO NETLAB\n", "", Some(137), false);
        oom.limits_hit = vec![crate::results::LimitHit::Memory];
        for c in [&exits, &output_check("HELLO", 1)] {
            let r = crate::evaluate_with(c, &[], std::slice::from_ref(&oom));
            assert_eq!(r.status, CheckStatus::Crash, "{}", r.measured);
            assert_eq!(r.earned, 0.0);
            assert!(r.measured.contains("memory limit"), "{}", r.measured);
        }
        let killed = out("", "", Some(143), false);
        let r = crate::evaluate_with(&exits, &[], &[killed]);
        assert_eq!(r.status, CheckStatus::Crash);
        assert!(r.measured.contains("SIGTERM"), "{}", r.measured);
        // A fork bomb that gave up with an error: the pids limit is named.
        let mut forks = out("", "BlockingIOError: [Errno 11]", Some(1), false);
        forks.limits_hit = vec![crate::results::LimitHit::Pids];
        let r = crate::evaluate_with(&exits, &[], &[forks]);
        assert_eq!(r.status, CheckStatus::Crash);
        assert!(r.measured.contains("limit on processes"), "{}", r.measured);
        // Ending with an error message is ending on its own.
        let r = crate::evaluate_with(&exits, &[], &[out("", "Error: timed out", Some(1), false)]);
        assert_eq!(r.status, CheckStatus::Pass);
    }
}
