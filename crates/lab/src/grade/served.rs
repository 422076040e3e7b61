//! `served`: grading a client by what its reference server saw. The server
//! must have received a request from the client's host, and the client must
//! have printed the reply the server sent back; with `rtt_floor`, the RTT the
//! client printed must be one a round trip on that path could take. A client
//! that prints a made-up exchange without touching the network earns nothing.

use std::sync::LazyLock;

use regex::Regex;

use super::{Verdict, fmt, series};
use crate::resolved::Series;
use crate::results::{CheckStatus, Contact, ProbeRun, ProgramOutput, RequestRecord};

/// An RTT figure with its unit: `RTT: 0.412 ms`, `rtt = 412us`, `RTT 1.2 s`.
static RTT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\brtt\b[^0-9\n]{0,24}?(\d+(?:\.\d+)?)\s*(ms|msec|milliseconds?|µs|us|microseconds?|s|sec|seconds?)\b")
        .expect("a valid pattern")
});

pub fn expected(rtt_floor: Option<&Series>) -> String {
    let reply = "the server received the program's request, and the program printed the reply the server sent";
    match rtt_floor {
        Some(s) => format!(
            "{reply}, and an RTT figure no lower than the fastest {} of probe `{}` (the same kind of path) and no longer than the program ran",
            s.metric.name(),
            s.probe
        ),
        None => reply.to_owned(),
    }
}

/// Grades a run against what its server saw, and the RTT floor's probe set.
pub fn grade(run: &ProgramOutput, floor: Option<(&Series, &ProbeRun)>) -> Verdict {
    let expected = expected(floor.map(|(s, _)| s));
    let Some(contact) = &run.contact else {
        return Verdict::error("the run names no server".into(), expected);
    };
    if let Some(cause) = run.crash_cause() {
        return Verdict::of(
            CheckStatus::Crash,
            format!("the program was {cause}"),
            expected,
        );
    }
    let Some(request) = printed_reply(run, contact) else {
        if run.timed_out {
            return Verdict::of(
                CheckStatus::Timeout,
                format!(
                    "the program printed no reply the server sent and was still running after {}: netlab stopped it{}",
                    fmt::us(run.duration_ms as f64 * 1e3),
                    run.limits_note()
                ),
                expected,
            );
        }
        let measured = match contact.requests.first() {
            None => contact.nothing(),
            Some(r) => format!(
                "the server received {} from this program and sent back {}, which the program did not print; stdout: {}",
                quote(&r.request),
                quote(&r.reply),
                quote(run.stdout.trim())
            ),
        };
        return Verdict::new(false, measured, expected);
    };
    let served = format!(
        "the server received {} bytes from {} at {} and sent back {}, which the program printed",
        request.bytes,
        request.peer,
        request.at,
        quote(&request.reply)
    );
    let Some((series, probes)) = floor else {
        return Verdict::new(true, served, expected);
    };
    let floor_us = match series::value(series, probes) {
        Ok(v) => v.us,
        // No reply on the reference path: netlab's side, not the student's.
        Err(series::NoValue::Failed(why)) => {
            return Verdict::error(format!("no RTT floor was measured: {why}"), expected);
        }
        Err(no) => return no.verdict(expected),
    };
    let Some((text, printed_us)) = printed_rtt(&run.stdout) else {
        return Verdict::new(
            false,
            format!("{served}; it printed no RTT figure with a unit (such as `RTT: 0.412 ms`)"),
            expected,
        );
    };
    let ran_us = run.duration_ms as f64 * 1e3;
    let measured = format!(
        "{served}; it printed {text:?} ({}), against {} measured on the same kind of path and {} of running time",
        fmt::us(printed_us),
        fmt::us(floor_us),
        fmt::us(ran_us)
    );
    if printed_us < floor_us {
        return Verdict::new(
            false,
            format!(
                "{measured}: below the fastest round trip netlab measured, so it was not measured"
            ),
            expected,
        );
    }
    // The program's own clock and netlab's differ by the exec's start-up:
    // allow a millisecond of it.
    if printed_us > ran_us + 1e3 {
        return Verdict::new(
            false,
            format!("{measured}: longer than the program ran"),
            expected,
        );
    }
    Verdict::new(true, measured, expected)
}

/// The first request whose reply the program printed (trimmed, non-empty).
fn printed_reply<'a>(run: &ProgramOutput, contact: &'a Contact) -> Option<&'a RequestRecord> {
    contact.requests.iter().find(|r| {
        let reply = r.reply.trim();
        !reply.is_empty() && run.stdout.contains(reply)
    })
}

/// The first RTT figure in the output, and its value in µs.
fn printed_rtt(stdout: &str) -> Option<(String, f64)> {
    let caps = RTT.captures(stdout)?;
    let value: f64 = caps[1].parse().ok()?;
    let unit = caps[2].to_lowercase();
    let scale = if unit.starts_with("ms") || unit.starts_with("milli") {
        1e3
    } else if unit.starts_with("µs") || unit.starts_with("us") || unit.starts_with("micro") {
        1.0
    } else {
        1e6
    };
    Some((caps[0].to_owned(), value * scale))
}

fn quote(s: &str) -> String {
    let t: String = s.chars().take(120).collect();
    if t.len() < s.len() {
        format!("{t:?}…")
    } else {
        format!("{t:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fake::{rec, run as probe_run, udp_summary};
    use crate::resolved::Metric;
    use crate::results::{Outcome, Proto};

    fn client(stdout: &str, requests: Vec<RequestRecord>) -> ProgramOutput {
        ProgramOutput {
            id: "udp".into(),
            host: "udp-client".into(),
            role: "udp-client".into(),
            command: "python3 UDPClient.py".into(),
            stdin: Some("hello netlab\n".into()),
            stdout: stdout.into(),
            stderr: String::new(),
            stdout_bytes: stdout.len() as u64,
            stderr_bytes: 0,
            stdout_kept: None,
            stderr_kept: None,
            exit_code: Some(0),
            timed_out: false,
            duration_ms: 80,
            infra_error: None,
            limits_hit: Vec::new(),
            contact: Some(Contact {
                server: "server".into(),
                from: vec!["172.18.0.3".into()],
                requests,
                packets: None,
                error: None,
            }),
        }
    }

    fn request() -> RequestRecord {
        RequestRecord {
            proto: Proto::Udp,
            conn: None,
            peer: "172.18.0.3:40211".parse().unwrap(),
            at: "2026-12-03T09:12:03.123456Z".into(),
            bytes: 12,
            request: "hello netlab".into(),
            reply: "HELLO NETLAB".into(),
            truncated: false,
            dwell_us: None,
        }
    }

    fn floor() -> (Series, ProbeRun) {
        let series = Series {
            probe: "path".into(),
            metric: Metric::Rtt,
            percentile: 0.0,
        };
        let records = vec![
            rec(1, Outcome::Ok, Some(210.0)),
            rec(2, Outcome::Ok, Some(260.0)),
        ];
        let summary = udp_summary(&records);
        (series, probe_run("path", records, Some(summary)))
    }

    impl Verdict {
        fn passed(&self) -> bool {
            self.status == CheckStatus::Pass
        }
    }

    const PRINTED: &str = "From Server: HELLO NETLAB\n09:12:03 09:12:03\nRTT: 0.412 ms\n";

    #[test]
    fn a_client_the_server_never_heard_fails() {
        let v = grade(&client(PRINTED, vec![]), None);
        assert!(!v.passed(), "{}", v.measured);
        assert!(v.measured.contains("received nothing"), "{}", v.measured);
    }

    #[test]
    fn the_printed_reply_must_be_the_one_sent_back() {
        let v = grade(&client(PRINTED, vec![request()]), None);
        assert!(v.passed(), "{}", v.measured);
        let v = grade(&client("From Server: hello netlab", vec![request()]), None);
        assert!(!v.passed());
        assert!(v.measured.contains("did not print"), "{}", v.measured);
    }

    #[test]
    fn a_made_up_rtt_below_the_path_fails() {
        let (s, p) = floor();
        let v = grade(&client(PRINTED, vec![request()]), Some((&s, &p)));
        assert!(v.passed(), "{}", v.measured);
        let fake = "From Server: HELLO NETLAB\nRTT: 0.123 ms\n";
        let v = grade(&client(fake, vec![request()]), Some((&s, &p)));
        assert!(!v.passed());
        assert!(v.measured.contains("below the fastest"), "{}", v.measured);
        let long = "From Server: HELLO NETLAB\nRTT: 5 s\n";
        let v = grade(&client(long, vec![request()]), Some((&s, &p)));
        assert!(
            v.measured.contains("longer than the program ran"),
            "{}",
            v.measured
        );
        let none = "From Server: HELLO NETLAB\n";
        assert!(!grade(&client(none, vec![request()]), Some((&s, &p))).passed());
    }

    #[test]
    fn rtt_units() {
        assert_eq!(printed_rtt("RTT: 0.412 ms").unwrap().1, 412.0);
        assert_eq!(printed_rtt("rtt = 250us").unwrap().1, 250.0);
        assert_eq!(printed_rtt("Round trip: RTT 1.5 seconds").unwrap().1, 1.5e6);
        assert!(printed_rtt("no figure here").is_none());
    }
}
