//! The feedback page a student receives: every check with its points and
//! verdict, the evidence (what was measured against what was expected, what
//! each probe sent and what came back) and the explanation. The parts of a
//! scenario are those of [`crate::view`].

mod program;
mod text;

use std::fmt::Write as _;

use netlab_lab::Metric;
use netlab_lab::results::{
    CaptureSummary, CheckResult, CheckStatus, LabResult, Outcome, ProbeRecord, ProbeRun,
    ScenarioResult, Stats,
};

use self::text::{cell, esc, fenced, paragraph};
use crate::fmt::{capture_lines, micros, percent, points, score_line, wire_name};
use crate::view::{self, Part};
use crate::{Exporter, Report, ReportError, cited, rtt};

/// Probe records listed per probe set; the rest are counted, not shown.
const MAX_RECORDS: usize = 20;

/// One page per run; several runs are separated by a horizontal rule. Every
/// text that came from a run is escaped, so a student's output cannot inject
/// markup or HTML into the page.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

impl Markdown {
    pub fn render(&self, runs: &[Report<'_>]) -> String {
        let pages: Vec<String> = runs.iter().map(page).collect();
        pages.join("\n---\n\n")
    }
}

impl Exporter for Markdown {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        Ok(self.render(runs).into_bytes())
    }
}

fn page(run: &Report<'_>) -> String {
    let mut out = String::new();
    match run.student {
        Some(id) => {
            let _ = writeln!(out, "# netlab feedback: {}\n", esc(id));
        }
        None => out.push_str("# netlab report\n\n"),
    }
    let _ = writeln!(out, "**{}**\n", esc(&score_line(&run.totals())));
    for lab in run.labs {
        lab_section(&mut out, lab);
    }
    out
}

fn lab_section(out: &mut String, lab: &LabResult) {
    let _ = writeln!(out, "## {}: {}\n", esc(&lab.name), esc(&lab.title));
    paragraph(out, &lab.description);
    if let Some(m) = view::matrix(lab) {
        matrix(out, &m);
    }
    for s in &lab.scenarios {
        scenario_section(out, s);
    }
}

/// The outcome matrix as a table: what the client saw in each case.
fn matrix(out: &mut String, m: &view::Matrix<'_>) {
    out.push_str("### Outcome matrix: what the client saw, after how long\n\n| Case |");
    for c in &m.columns {
        let head = if c.what.is_empty() {
            cell(c.id)
        } else {
            format!("{}<br>{}", cell(c.id), cell(&c.what))
        };
        let _ = write!(out, " {head} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(m.columns.len()));
    out.push('\n');
    for row in &m.rows {
        let _ = write!(out, "| {} |", cell(&row.scenario.title));
        for c in &row.cells {
            match c {
                None => out.push_str(" — |"),
                Some(c) => {
                    let _ = write!(
                        out,
                        " {} {}<br>{}",
                        verdict(c.status),
                        cell(&c.saw),
                        cell(&c.after)
                    );
                    if let Some(row) = c.cited {
                        let _ = write!(
                            out,
                            "<br>*{}:* {}",
                            cited::LABEL,
                            cell(&cited::systems(row).join("; "))
                        );
                    }
                    out.push_str(" |");
                }
            }
        }
        out.push('\n');
    }
    out.push('\n');
    if m.cites() {
        let _ = writeln!(out, "*{}*\n", esc(&cited::legend()));
    }
}

fn scenario_section(out: &mut String, s: &ScenarioResult) {
    let _ = writeln!(out, "### {}: {}\n", esc(&s.name), esc(&s.title));
    paragraph(out, &s.description);
    for part in view::scenario(s) {
        match part {
            Part::Failed(e) => {
                let _ = writeln!(
                    out,
                    "> **The run of this scenario failed:** {}. Its checks could not be graded and cost no points.\n",
                    esc(e)
                );
            }
            Part::Checks(checks) => {
                out.push_str("| Check | Result | Points |\n|---|---|---:|\n");
                for c in checks {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {}/{} |",
                        cell(&c.name),
                        verdict(c.status),
                        points(c.earned),
                        points(c.points)
                    );
                }
                out.push('\n');
                for c in checks {
                    check_section(out, c);
                }
            }
            Part::Probes(probes) => {
                for p in probes {
                    probe_section(out, p);
                }
            }
            Part::Program(r) => program::section(out, r),
            Part::Capture(c) => capture(out, c),
            Part::Note(n) => {
                let _ = writeln!(out, "*Note:* {}\n", esc(n));
            }
        }
    }
}

/// The packets of the scenario, one line per conversation.
fn capture(out: &mut String, c: &CaptureSummary) {
    let _ = writeln!(
        out,
        "#### On the wire, captured on {} ({})\n",
        esc(&c.host),
        esc(&c.file)
    );
    let (lines, warnings) = capture_lines(c);
    if !lines.is_empty() {
        fenced(out, &lines.join("\n"));
    }
    for w in warnings {
        let _ = writeln!(out, "*{}*\n", esc(&w));
    }
}

fn check_section(out: &mut String, c: &CheckResult) {
    let _ = writeln!(
        out,
        "#### {} ({}, {}/{} points)\n",
        esc(&c.name),
        verdict(c.status),
        points(c.earned),
        points(c.points)
    );
    // The evidence's first line is the verdict; lines after it are the
    // program's own output, shown as it was written.
    let (verdict_line, output) = match c.measured.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (c.measured.as_str(), None),
    };
    let _ = writeln!(out, "- Measured: {}", esc(verdict_line));
    let _ = writeln!(out, "- Expected: {}\n", esc(&c.expected));
    if let Some(text) = output {
        fenced(out, text);
    }
    if !c.explanation.trim().is_empty() {
        for line in c.explanation.lines() {
            let _ = writeln!(out, "> {}", esc(line));
        }
        out.push('\n');
    }
}

fn probe_section(out: &mut String, p: &ProbeRun) {
    let proto = wire_name(&p.proto).to_uppercase();
    let _ = writeln!(
        out,
        "#### Probe {}: {} from {} to {}\n",
        esc(&p.id),
        proto,
        esc(&p.from),
        esc(&p.target)
    );
    if let Some(nodes) = crate::fmt::nodes_crossed(p) {
        let _ = writeln!(out, "On the swarm: {}.\n", esc(&nodes));
    }
    if let Some(e) = &p.infra_error {
        let _ = writeln!(out, "The probe could not be run: {}.\n", esc(e));
    }
    if let Some(why) = &p.not_run {
        let _ = writeln!(out, "The probe was not run: {}.\n", esc(why));
    }
    if p.deadline_hit {
        out.push_str("The scenario deadline stopped this probe before it finished.\n\n");
    }
    if let Some(sum) = &p.summary {
        let _ = writeln!(
            out,
            "{} sent, {} received, {} loss ({} duplicate, {} late, {} wrong replies).\n",
            sum.sent,
            sum.received,
            percent(sum.loss_pct),
            sum.duplicates,
            sum.late,
            sum.mismatched
        );
        for row in rtt::rows(p) {
            let line = row
                .stats
                .map_or_else(|| rtt::NOT_AVAILABLE.to_owned(), stats_line);
            let _ = writeln!(out, "- {}: {line}", series_name(row.series));
        }
        if let Some(gap) = rtt::gap_line(p) {
            let _ = writeln!(out, "\n{}", esc(&upper_first(&gap)));
        }
        out.push('\n');
    }
    if p.records.is_empty() {
        return;
    }
    out.push_str(
        "| # | Sent at | Bytes | Outcome | RTT | Wire RTT | Came back |\n|---:|---|---:|---|---:|---:|---|\n",
    );
    for r in p.records.iter().take(MAX_RECORDS) {
        record_row(out, r);
    }
    if p.records.len() > MAX_RECORDS {
        let _ = writeln!(
            out,
            "\n{} more probes not shown.",
            p.records.len() - MAX_RECORDS
        );
    }
    out.push('\n');
}

fn record_row(out: &mut String, r: &ProbeRecord) {
    let outcome = wire_name(&r.outcome);
    let rtt = r.rtt_us.map_or_else(|| "-".to_string(), micros);
    // A reply without a kernel stamp says so; no reply, no figure at all.
    let wire = match (r.wire_rtt_us, r.outcome) {
        (Some(w), _) => micros(w),
        (None, Outcome::Ok) => rtt::NOT_AVAILABLE.to_owned(),
        (None, _) => "-".to_owned(),
    };
    let back = match (&r.received_at, &r.error) {
        (Some(at), _) => format!("reply at {at}"),
        (None, Some(e)) => match r.errno {
            Some(n) => format!("{e} (errno {n})"),
            None => e.clone(),
        },
        (None, None) => format!("nothing after {}", micros(r.elapsed_us)),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} |",
        r.seq,
        cell(&r.sent_at),
        r.bytes,
        outcome,
        rtt,
        wire,
        cell(&back)
    );
}

/// How a statistics row is named on the page.
fn series_name(series: Metric) -> &'static str {
    match series {
        Metric::Rtt => "RTT",
        Metric::Connect => "Connect",
        Metric::Request => "Request",
        Metric::Wire => "Wire RTT (kernel stamps)",
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn stats_line(s: &Stats) -> String {
    format!(
        "min {}, avg {}, p50 {}, p90 {}, p99 {}, max {}, mdev {} ({} samples)",
        micros(s.min_us),
        micros(s.avg_us),
        micros(s.p50_us),
        micros(s.p90_us),
        micros(s.p99_us),
        micros(s.max_us),
        micros(s.mdev_us),
        s.count
    )
}

/// The status's label behind an emoji, so a feedback file reads at a glance.
fn verdict(status: CheckStatus) -> String {
    let emoji = match status {
        CheckStatus::Pass => "✅",
        CheckStatus::Fail => "❌",
        CheckStatus::Unsupported => "⚠️",
        CheckStatus::Timeout => "⏱️",
        CheckStatus::Crash => "💥",
        CheckStatus::InfraError => "⛔",
    };
    format!("{emoji} {}", status.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn alice() -> String {
        let labs = fixtures::labs();
        Markdown.render(&[Report::student("alice", &labs)])
    }

    #[test]
    fn the_matrix_has_a_column_per_client_and_cites_other_systems() {
        let labs = fixtures::outcome_lab();
        let md = Markdown.render(&[Report::new(&labs)]);
        assert!(
            md.contains("| Case | udp<br>UDP, connected socket | tcp<br>TCP | udp-unconnected<br>UDP, unconnected socket |"),
            "{md}"
        );
        let row = md
            .lines()
            .find(|l| l.starts_with("| Port closed |"))
            .unwrap();
        assert!(
            row.contains("✅ PASS timeout 3/3<br>after 1.00 s (median of 3)<br>*cited, not measured:* Linux: no error (waits); Windows: WSAECONNRESET (10054); macOS: no error (waits) |"),
            "{row}"
        );
        assert!(md.contains("*cited, not measured: what the same client shows"));
    }

    #[test]
    fn page_has_score_checks_points_and_explanations() {
        let md = alice();
        assert!(md.starts_with("# netlab feedback: alice\n\n**score 4/10 — 2/5 checks passed**\n"));
        assert!(md.contains("## task3: UDP vs TCP\n"));
        assert!(md.contains("### udp-vs-tcp: UDP against TCP\n"));
        assert!(md.contains("| tcp slower | ❌ FAIL | 0/3 |"), "{md}");
        assert!(md.contains("#### tcp slower (❌ FAIL, 0/3 points)\n"));
        assert!(md.contains(
            "- Measured: measured for tcp slower\n- Expected: expected for tcp slower\n"
        ));
        assert!(md.contains("> Why tcp slower behaves so: the kernel answers with a TCP RST.\n"));
        assert!(md.contains("*Note:* netem unsupported here"));
        assert!(
            md.contains("> **The run of this scenario failed:** client container exited early.")
        );
    }

    #[test]
    fn probes_show_what_was_sent_and_what_came_back() {
        let md = alice();
        assert!(md.contains("#### Probe tcp: TCP from client to server:9000\n"));
        assert!(md.contains("3 sent, 3 received, 0% loss"));
        assert!(
            md.contains("- Connect: min 90.0 µs, avg 110 µs, p50 100 µs"),
            "{md}"
        );
        assert!(md.contains("| 2 | 2026-01-01T10:00:02.000100Z | 5 | ok | 240 µs | not available | reply at 2026-01-01T10:00:02.000350Z |"), "{md}");
        assert!(md.contains(
            "| 1 | 2026-01-01T10:00:01.000100Z | 5 | refused | - | - | connection refused (errno 111) |"
        ));
        assert!(md.contains("The probe could not be run: exec failed: container gone."));
        assert!(md.contains("The scenario deadline stopped this probe"));
    }

    #[test]
    fn wire_rtt_is_shown_next_to_the_app_rtt() {
        let labs = fixtures::wire_labs();
        let md = Markdown.render(&[Report::new(&labs)]);
        let udp = &md[md.find("#### Probe udp:").unwrap()..];
        let udp = &udp[..udp.find("#### Probe tcp:").unwrap()];
        let rtt = udp.find("- RTT: min 120 µs").expect("app RTT");
        let wire = udp
            .find("- Wire RTT (kernel stamps): min 50.0 µs")
            .expect("wire");
        assert!(rtt < wire, "{udp}");
        assert!(
            udp.contains("App rtt − wire, the client's own share"),
            "{udp}"
        );
        assert!(udp.contains("| 1 | 2026-01-01T10:00:01.000100Z | 5 | ok | 120 µs | 50.0 µs |"));
        assert!(
            udp.contains("| 3 | 2026-01-01T10:00:03.000100Z | 5 | ok | 360 µs | not available |")
        );
        // TCP: after the request, the series it compares with.
        let tcp = &md[md.find("#### Probe tcp:").unwrap()..];
        let request = tcp.find("- Request:").unwrap();
        assert!(tcp[request..].starts_with("- Request: min 160 µs"));
        assert!(tcp.find("- Wire RTT (kernel stamps):").unwrap() > request);
        // No stamps at all: said so, never a figure from the app clock.
        let plain = alice();
        assert!(
            plain.contains("- Wire RTT (kernel stamps): not available\n"),
            "{plain}"
        );
        assert!(plain.contains("| refused | - | - |"), "{plain}");
    }

    #[test]
    fn untrusted_text_is_escaped() {
        let md = alice();
        assert!(
            md.contains(r#"| refused, "RST" \| &lt;fast&gt; | ⛔ INFRA ERROR | 0/2 |"#),
            "{md}"
        );
        let mut labs = fixtures::labs();
        labs[0].scenarios[0].checks[0].measured = "<script>x</script>\n| *bold*".into();
        let md = Markdown.render(&[Report::new(&labs)]);
        assert!(!md.contains("<script>"));
        assert!(md.contains(r"&lt;script&gt;x&lt;/script&gt;"));
        assert!(md.starts_with("# netlab report\n"));
    }

    /// A crash excerpt keeps its line breaks, in a block, never as `\\n`.
    #[test]
    fn program_output_in_evidence_is_a_block() {
        let mut labs = fixtures::labs();
        labs[0].scenarios[0].checks[0].measured =
            "exited with code 1\nstderr:\n  File \"UDPServer.py\", line 8\nSyntaxError: x".into();
        let md = Markdown.render(&[Report::new(&labs)]);
        assert!(md.contains("- Measured: exited with code 1\n"), "{md}");
        assert!(
            md.contains("```text\nstderr:\n  File \"UDPServer.py\", line 8\nSyntaxError: x\n```"),
            "{md}"
        );
        assert!(!md.contains("\\n"), "{md}");
    }

    #[test]
    fn long_probe_lists_are_cut() {
        let mut labs = fixtures::labs();
        let probe = &mut labs[0].scenarios[0].probes[0];
        let r = probe.records[0].clone();
        probe.records = (1..=25)
            .map(|seq| ProbeRecord { seq, ..r.clone() })
            .collect();
        let md = Markdown.render(&[Report::new(&labs)]);
        assert!(md.contains("| 20 | "));
        assert!(!md.contains("| 21 | "));
        assert!(md.contains("5 more probes not shown."));
    }
}
