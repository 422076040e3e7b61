//! Number, duration and text formatting shared by every reporter, so a figure
//! reads the same in the terminal, the feedback page and the gradebook.

use netlab_lab::results::Totals;

/// A duration in microseconds in human form with about three significant
/// digits: `842 µs`, `12.5 µs`, `1.23 ms`, `45.6 ms`, `2.35 s`.
pub fn micros(us: f64) -> String {
    if !us.is_finite() {
        return "-".to_string();
    }
    let abs = us.abs();
    if abs < 100.0 {
        format!("{us:.1} µs")
    } else if abs < 1_000.0 {
        format!("{us:.0} µs")
    } else if abs < 1_000_000.0 {
        scaled(us / 1_000.0, "ms")
    } else {
        format!("{:.2} s", us / 1_000_000.0)
    }
}

/// A wall time in milliseconds: `850 ms`, `2.35 s`, `1 min 05 s`.
pub fn millis(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.2} s", ms as f64 / 1_000.0)
    } else {
        format!("{} min {:02} s", ms / 60_000, (ms % 60_000) / 1_000)
    }
}

fn scaled(v: f64, unit: &str) -> String {
    if v.abs() < 10.0 {
        format!("{v:.2} {unit}")
    } else if v.abs() < 100.0 {
        format!("{v:.1} {unit}")
    } else {
        format!("{v:.0} {unit}")
    }
}

/// Points with at most two decimals and no trailing zeros: `2`, `2.5`, `0.33`.
pub fn points(p: f64) -> String {
    trim_decimals(format!("{p:.2}"))
}

/// A percentage with at most one decimal: `0%`, `12.5%`.
pub fn percent(p: f64) -> String {
    format!("{}%", trim_decimals(format!("{p:.1}")))
}

fn trim_decimals(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    let t = s.trim_end_matches('0').trim_end_matches('.');
    // "-0" after rounding a tiny negative reads as a bug; show 0.
    if t == "-0" { "0".into() } else { t.into() }
}

/// The name a value has in the JSON contract (`udp`, `refused`, ...), so the
/// human formats use the same words as the JSON report.
pub fn wire_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "?".to_string(),
    }
}

/// The closing line: `score 17/20 — 9/10 checks passed`.
pub fn score_line(t: &Totals) -> String {
    format!(
        "score {}/{} — {}/{} checks passed",
        points(t.score),
        points(t.max_score),
        t.passed,
        t.checks
    )
}

/// Greedy word wrap to `width` characters (at least 20), keeping the
/// author's paragraph breaks; a word longer than a line stands alone.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(20);
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let needed =
                line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
            if !line.is_empty() && needed > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    // Trailing blank lines of the source carry no meaning.
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// Conversations and events per conversation shown of a capture; the pcap has the rest.
const CAPTURE_FLOWS: usize = 12;
const CAPTURE_EVENTS: usize = 12;

/// What a capture shows, one line per conversation, then its warnings
/// (kernel drops, capture errors). Terminal and HTML print the same lines.
pub fn capture_lines(c: &netlab_lab::results::CaptureSummary) -> (Vec<String>, Vec<String>) {
    let lines = c
        .wire
        .as_ref()
        .map(|w| w.lines(CAPTURE_FLOWS, CAPTURE_EVENTS))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    if c.dropped > 0 {
        warnings.push(format!(
            "tcpdump missed {} packet(s) (dropped by the kernel): the lines above are incomplete",
            c.dropped
        ));
    }
    if let Some(e) = &c.error {
        warnings.push(e.clone());
    }
    (lines, warnings)
}

/// How a program ended, after "The program ": `exited with code 1 after
/// 0.2 s`, `was killed by signal 9 (SIGKILL, exit code 137) after 0.6 s`, ...
pub fn program_ending(r: &netlab_lab::results::ProgramOutput) -> String {
    let secs = r.duration_ms as f64 / 1000.0;
    if r.timed_out {
        format!("was still running after {secs:.1} s: netlab stopped it")
    } else if r.exit_code.is_none() {
        format!("was still running when the scenario ended after {secs:.1} s")
    } else if let Some(cause) = r.crash_cause() {
        format!("was {cause} after {secs:.1} s")
    } else {
        format!(
            "exited with code {} after {secs:.1} s",
            r.exit_code.map_or("?".into(), |c| c.to_string())
        )
    }
}

/// What a program wrote on one stream, and what of it netlab kept.
pub fn output_line(name: &str, bytes: u64, kept: Option<u64>) -> String {
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
pub fn thousands(n: u64) -> String {
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

/// Where a probe went on a swarm (`netlab run --swarm`): `across nodes
/// node2 → node1 (overlay)`, or `on node node1`; `None` on one engine.
pub fn nodes_crossed(p: &netlab_lab::results::ProbeRun) -> Option<String> {
    match p.nodes.as_slice() {
        [] => None,
        [one] => Some(format!("on node {one} (overlay)")),
        many => Some(format!("across nodes {} (overlay)", many.join(" → "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micros_picks_a_readable_unit() {
        assert_eq!(micros(12.54), "12.5 µs");
        assert_eq!(micros(842.4), "842 µs");
        assert_eq!(micros(1_234.0), "1.23 ms");
        assert_eq!(micros(45_600.0), "45.6 ms");
        assert_eq!(micros(456_000.0), "456 ms");
        assert_eq!(micros(2_345_000.0), "2.35 s");
        assert_eq!(micros(f64::NAN), "-");
    }

    #[test]
    fn millis_reads_as_wall_time() {
        assert_eq!(millis(850), "850 ms");
        assert_eq!(millis(2_350), "2.35 s");
        assert_eq!(millis(65_000), "1 min 05 s");
    }

    #[test]
    fn points_and_percent_drop_trailing_zeros() {
        assert_eq!(points(2.0), "2");
        assert_eq!(points(2.5), "2.5");
        assert_eq!(points(1.0 / 3.0), "0.33");
        assert_eq!(points(-0.001), "0");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(12.5), "12.5%");
        assert_eq!(percent(100.0), "100%");
    }

    #[test]
    fn wire_names_match_the_json_contract() {
        use netlab_lab::results::{CheckStatus, Outcome, Proto};
        assert_eq!(wire_name(&Proto::Tcp), "tcp");
        assert_eq!(wire_name(&Outcome::Unreachable), "unreachable");
        assert_eq!(wire_name(&CheckStatus::Unsupported), "unsupported");
    }

    #[test]
    fn score_line_counts_points_and_checks() {
        let t = Totals {
            checks: 10,
            passed: 9,
            failed: 1,
            score: 17.0,
            max_score: 20.0,
            infra_errors: 0,
        };
        assert_eq!(score_line(&t), "score 17/20 — 9/10 checks passed");
    }

    #[test]
    fn wrap_breaks_at_width_and_keeps_paragraphs() {
        let text = "one two three four five six seven eight nine ten eleven\n\nnext paragraph";
        let lines = wrap(text, 20);
        assert_eq!(
            lines,
            [
                "one two three four",
                "five six seven eight",
                "nine ten eleven",
                "",
                "next paragraph"
            ]
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 20));
        assert_eq!(
            wrap("a-very-long-word-that-cannot-be-split-at-all x", 20).len(),
            2
        );
    }
}
