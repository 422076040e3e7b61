//! The human report: per lab the outcome matrix, per scenario the parts of
//! [`crate::view`] (checks with their explanations, the RTT figures of every
//! probe set, program runs, the capture, notes, errors); a score at the end.

use std::fmt::Write as _;

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement, Table, presets};
use netlab_lab::results::{
    CaptureSummary, CheckResult, CheckStatus, LabResult, ProbeRun, ProgramOutput, ScenarioResult,
    Stats, Totals,
};

use crate::fmt::{
    capture_lines, micros, millis, nodes_crossed, output_line, percent, points, program_ending,
    score_line, wire_name, wrap,
};
use crate::view::{self, Part};
use crate::{Exporter, Report, ReportError, cited, rtt};

pub(crate) const DEFAULT_WIDTH: u16 = 100;

/// Colour is the caller's decision (TTY, `NO_COLOR`); with `color: false`
/// the output is plain text.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub color: bool,
    pub width: u16,
}

impl Terminal {
    pub fn new(color: bool) -> Self {
        Terminal {
            color,
            width: DEFAULT_WIDTH,
        }
    }

    /// The report as a `String` (the CLI prints it as is).
    pub fn render(&self, runs: &[Report<'_>]) -> String {
        let mut out = String::new();
        for run in runs {
            if let Some(id) = run.student {
                let _ = writeln!(
                    out,
                    "{}\n",
                    self.paint(&format!("student {id}"), Style::Heading)
                );
            }
            for lab in run.labs {
                self.lab(&mut out, lab);
            }
            if runs.len() > 1 {
                self.score(&mut out, &run.totals());
            }
        }
        let all = Totals::of(runs.iter().flat_map(|r| r.labs));
        self.score(&mut out, &all);
        out
    }

    fn lab(&self, out: &mut String, lab: &LabResult) {
        let head = format!("{} — {}", lab.name, lab.title);
        let _ = writeln!(
            out,
            "{}  ({}, {})",
            self.paint(&head, Style::Heading),
            lab.file,
            millis(lab.duration_ms)
        );
        self.text(out, &lab.description, 0);
        out.push('\n');
        if let Some(m) = view::matrix(lab) {
            self.matrix(out, &m);
        }
        for scenario in &lab.scenarios {
            self.scenario(out, scenario);
        }
    }

    fn scenario(&self, out: &mut String, s: &ScenarioResult) {
        let head = format!("scenario {}: {}", s.name, s.title);
        let _ = writeln!(
            out,
            "{}  ({})",
            self.paint(&head, Style::Bold),
            millis(s.duration_ms)
        );
        self.text(out, &s.description, 2);
        for part in view::scenario(s) {
            match part {
                Part::Failed(e) => {
                    let _ = writeln!(out, "  {}", self.paint(&format!("error: {e}"), Style::Bad));
                }
                Part::Checks(checks) => self.checks(out, checks),
                Part::Probes(probes) => self.probes(out, probes),
                Part::Program(r) => self.program(out, r),
                Part::Capture(c) => self.capture(out, c),
                Part::Note(n) => {
                    let _ = writeln!(out, "  note: {n}");
                }
            }
        }
        out.push('\n');
    }

    /// The checks' table, then each explanation.
    fn checks(&self, out: &mut String, checks: &[CheckResult]) {
        let _ = writeln!(out, "{}", indent(&self.checks_table(checks).to_string(), 2));
        for c in checks.iter().filter(|c| !c.explanation.trim().is_empty()) {
            // A passed check's explanation is tied to its figure; a failed
            // one's already starts with the figure that contradicts it.
            let figure = match c.status {
                CheckStatus::Pass if !c.measured.is_empty() => {
                    format!(" — measured {}", c.measured)
                }
                _ => String::new(),
            };
            let _ = writeln!(out, "  {}{figure}:", self.paint(&c.name, Style::Bold));
            self.text(out, &c.explanation, 4);
        }
    }

    /// One line per probe set, then the RTT statistics.
    fn probes(&self, out: &mut String, probes: &[ProbeRun]) {
        for p in probes {
            let _ = writeln!(out, "  {}", self.probe_line(p));
        }
        if probes
            .iter()
            .any(|p| p.summary.as_ref().is_some_and(|s| s.rtt.is_some()))
        {
            let _ = writeln!(out, "{}", indent(&self.stats_table(probes).to_string(), 4));
        }
        for p in probes {
            if let Some(line) = rtt::gap_line(p) {
                self.text(out, &format!("{}: {line}", p.id), 4);
            }
        }
    }

    /// A program of a submission: how it ended and what it wrote (the
    /// feedback files have the output itself).
    fn program(&self, out: &mut String, r: &ProgramOutput) {
        let head = format!("run {}: {} on {}", r.id, r.command, r.host);
        let _ = writeln!(out, "  {}", self.paint(&head, Style::Bold));
        match &r.infra_error {
            Some(e) => {
                let _ = writeln!(out, "    could not be started: {e}");
            }
            None => {
                let _ = writeln!(out, "    the program {}", program_ending(r));
                for (name, bytes, kept) in [
                    ("standard output", r.stdout_bytes, r.stdout_kept),
                    ("standard error", r.stderr_bytes, r.stderr_kept),
                ] {
                    let line = output_line(name, bytes, kept);
                    let _ = writeln!(out, "    {}", line.trim_end_matches(':'));
                }
            }
        }
    }

    /// What the client saw in each case: one row per case, one column per probe.
    fn matrix(&self, out: &mut String, m: &view::Matrix<'_>) {
        let mut t = self.table();
        let mut header = vec!["case".to_owned()];
        header.extend(
            m.columns
                .iter()
                .map(|c| format!("{}\n{}", c.id, c.what).trim_end().to_owned()),
        );
        t.set_header(header);
        for row in &m.rows {
            let mut cells = vec![Cell::new(&row.scenario.title)];
            for c in &row.cells {
                cells.push(match c {
                    None => Cell::new("—"),
                    Some(c) => {
                        let mut text = format!("{} {}\n{}", c.status.label(), c.saw, c.after);
                        if let Some(row) = c.cited {
                            text = format!("{}\n{}:", text.trim_end(), cited::LABEL);
                            for line in cited::systems(row) {
                                let _ = write!(text, "\n{line}");
                            }
                        }
                        Cell::new(text.trim_end())
                    }
                });
            }
            t.add_row(cells);
        }
        let _ = writeln!(
            out,
            "{}\n{}\n",
            self.paint(
                "outcome matrix: what the client saw, after how long",
                Style::Bold
            ),
            t
        );
        if m.cites() {
            self.text(out, &cited::legend(), 0);
            out.push('\n');
        }
    }

    /// The pcap's path and what it shows, one line per conversation.
    fn capture(&self, out: &mut String, c: &CaptureSummary) {
        let head = format!("capture on {}: {}", c.host, c.file);
        let _ = writeln!(out, "  {}", self.paint(&head, Style::Bold));
        let (lines, warnings) = capture_lines(c);
        for line in lines {
            let _ = writeln!(out, "    {line}");
        }
        for warn in warnings {
            let _ = writeln!(out, "    {}", self.paint(&warn, Style::Bad));
        }
    }

    fn table(&self) -> Table {
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(self.width.saturating_sub(2));
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t
    }

    fn checks_table(&self, checks: &[CheckResult]) -> Table {
        let mut t = self.table();
        t.set_header(["result", "check", "points", "measured", "expected"]);
        for c in checks {
            t.add_row(vec![
                self.status_cell(c.status),
                Cell::new(&c.name),
                Cell::new(format!("{}/{}", points(c.earned), points(c.points)))
                    .set_alignment(CellAlignment::Right),
                Cell::new(&c.measured),
                Cell::new(&c.expected),
            ]);
        }
        t
    }

    /// `probe udp: udp client → server:9000: sent 10, received 9, loss 10% (ok 9, timeout 1)`
    fn probe_line(&self, p: &ProbeRun) -> String {
        let mut head = format!(
            "probe {}: {} {} → {}",
            p.id,
            wire_name(&p.proto),
            p.from,
            p.target
        );
        if let Some(nodes) = nodes_crossed(p) {
            head = format!("{head} {nodes}");
        }
        let mut line = match &p.summary {
            Some(sum) => {
                let outcomes: Vec<String> = sum
                    .outcomes
                    .iter()
                    .map(|(o, n)| format!("{} {n}", wire_name(o)))
                    .collect();
                format!(
                    "{head}: sent {}, received {}, loss {} ({})",
                    sum.sent,
                    sum.received,
                    percent(sum.loss_pct),
                    outcomes.join(", ")
                )
            }
            None => match &p.not_run {
                Some(why) => format!("{head}: not run: {why}"),
                None => format!("{head}: no summary from the client"),
            },
        };
        if p.deadline_hit {
            line.push_str("; stopped by the scenario deadline");
        }
        match &p.infra_error {
            Some(e) => self.paint(&format!("{line}; could not run: {e}"), Style::Bad),
            None => line,
        }
    }

    /// RTT statistics, one row per series (TCP: rtt, connect, request), the
    /// kernel's `wire` next to the one it compares with ([`rtt::rows`]).
    /// Borderless and never wrapped: a broken number is worse than a wide line.
    fn stats_table(&self, probes: &[ProbeRun]) -> Table {
        let mut t = self.table();
        t.load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        t.set_header([
            "probe", "series", "min", "avg", "p50", "p90", "p99", "max", "mdev",
        ]);
        for p in probes {
            for r in rtt::rows(p) {
                let mut row = vec![Cell::new(&p.id), Cell::new(r.series.name())];
                match r.stats {
                    Some(stats) => row.extend(stat_cells(stats)),
                    None => row.push(Cell::new(rtt::NOT_AVAILABLE)),
                }
                t.add_row(row);
            }
        }
        t
    }

    fn status_cell(&self, status: CheckStatus) -> Cell {
        let cell = Cell::new(status.label());
        if !self.color {
            return cell;
        }
        let color = match status {
            CheckStatus::Pass => Color::Green,
            CheckStatus::Fail => Color::Red,
            CheckStatus::Unsupported | CheckStatus::Timeout => Color::Yellow,
            CheckStatus::Crash => Color::Red,
            CheckStatus::InfraError => Color::Magenta,
        };
        cell.fg(color).add_attribute(Attribute::Bold)
    }

    fn score(&self, out: &mut String, t: &Totals) {
        let style = if t.all_passed() {
            Style::Good
        } else {
            Style::Bad
        };
        let _ = writeln!(out, "{}", self.paint(&score_line(t), style));
    }

    /// Wrapped text at `indent` spaces.
    fn text(&self, out: &mut String, text: &str, indent: usize) {
        let width = usize::from(self.width).saturating_sub(indent);
        for line in wrap(text, width) {
            let _ = writeln!(out, "{:indent$}{line}", "");
        }
    }

    fn paint(&self, text: &str, style: Style) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match style {
            Style::Heading => "1;4",
            Style::Bold => "1",
            Style::Good => "1;32",
            Style::Bad => "1;31",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

#[derive(Clone, Copy)]
enum Style {
    Heading,
    Bold,
    Good,
    Bad,
}

impl Exporter for Terminal {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        Ok(self.render(runs).into_bytes())
    }
}

fn right(s: &str) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

fn stat_cells(s: &Stats) -> Vec<Cell> {
    [
        s.min_us, s.avg_us, s.p50_us, s.p90_us, s.p99_us, s.max_us, s.mdev_us,
    ]
    .into_iter()
    .map(|v| right(&micros(v)))
    .collect()
}

fn indent(block: &str, n: usize) -> String {
    block
        .lines()
        .map(|l| format!("{:n$}{}", "", l.trim_end()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn plain() -> String {
        let labs = fixtures::labs();
        Terminal::new(false).render(&[Report::new(&labs)])
    }

    fn line_with<'a>(out: &'a str, needle: &str) -> &'a str {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{out}"))
    }

    #[test]
    fn shows_lab_scenarios_and_checks_with_points() {
        let out = plain();
        assert!(
            out.starts_with("task3 — UDP vs TCP  (labs/task3.yaml, 2.20 s)\n"),
            "{out}"
        );
        assert!(out.contains("Compare the round-trip time of UDP and TCP."));
        assert!(out.contains("scenario udp-vs-tcp: UDP against TCP  (1.50 s)"));
        let row = line_with(&out, "tcp slower");
        assert!(row.contains("FAIL") && row.contains("0/3"), "{row}");
        assert!(row.contains("measured for tcp slower"), "{row}");
        assert!(row.contains("expected for tcp slower"), "{row}");
        assert!(line_with(&out, "udp replies").contains("PASS"));
        assert!(line_with(&out, "delay 50ms").contains("UNSUPPORTED"));
        assert!(out.contains("ERROR"));
    }

    #[test]
    fn a_probe_on_a_swarm_names_the_nodes_it_crossed() {
        let mut labs = fixtures::labs();
        let probe = &mut labs[0].scenarios[0].probes[0];
        probe.nodes = vec!["node2".into(), "node1".into()];
        let out = Terminal::new(false).render(&[Report::new(&labs)]);
        assert!(
            out.contains(
                "probe udp: udp client → server:9000 across nodes node2 → node1 (overlay): sent 3"
            ),
            "{out}"
        );
        labs[0].scenarios[0].probes[0].nodes = vec!["node1".into()];
        let out = Terminal::new(false).render(&[Report::new(&labs)]);
        assert!(
            out.contains("server:9000 on node node1 (overlay): sent 3"),
            "{out}"
        );
    }

    #[test]
    fn shows_rtt_statistics_per_series() {
        let out = plain();
        // UDP: only the rtt series (fixtures::stats(120)).
        assert!(
            out.contains(
                "  probe udp: udp client → server:9000: sent 3, received 3, loss 0% (ok 3)\n"
            ),
            "{out}"
        );
        let udp = line_with(&out, "udp    rtt");
        let cells: Vec<&str> = udp
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(
            cells,
            [
                "udp", "rtt", "120 µs", "140 µs", "130 µs", "160 µs", "175 µs", "180 µs", "12.0 µs"
            ]
        );
        // TCP: rtt, then connect and request on their own rows.
        let connect = line_with(&out, "connect");
        assert!(
            connect.contains("90.0 µs") && connect.contains("110 µs"),
            "{connect}"
        );
        assert!(line_with(&out, "request").contains("160 µs"));
        assert!(out.contains(
            "  probe tcp-closed: tcp client → server:9000: no summary from the client; \
             stopped by the scenario deadline; could not run: exec failed: container gone\n"
        ));
    }

    #[test]
    fn wire_rtt_sits_next_to_the_app_series_with_the_gap() {
        let labs = fixtures::wire_labs();
        let out = Terminal::new(false).render(&[Report::new(&labs)]);
        // The statistics table: the rows under its header.
        let rows: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.contains("probe  series"))
            .skip(1)
            .take_while(|l| l.starts_with("     "))
            .map(str::trim)
            .collect();
        let series: Vec<&str> = rows
            .iter()
            .map(|l| l.split_whitespace().nth(1).unwrap())
            .collect();
        assert_eq!(
            series,
            ["rtt", "wire", "rtt", "connect", "request", "wire"],
            "{out}"
        );
        assert!(rows[1].contains("50.0 µs"), "{}", rows[1]);
        assert!(
            out.contains("    udp: app rtt − wire, the client's own share"),
            "{out}"
        );
        // Without stamps the row and the sentence say so.
        let plain = plain();
        assert!(
            line_with(&plain, "udp    wire").ends_with("not available"),
            "{plain}"
        );
        assert!(plain.contains("    udp: wire RTT not available: the kernel gave no time stamp"));
    }

    #[test]
    fn explanations_notes_errors_and_final_score() {
        let out = plain();
        assert!(
            out.contains("  tcp slower:\n    Why tcp slower behaves so"),
            "{out}"
        );
        assert!(out.contains("  note: netem unsupported here"));
        assert!(out.contains("  error: client container exited early"));
        assert_eq!(
            out.lines().last().unwrap(),
            "score 4/10 — 2/5 checks passed"
        );
        assert!(!out.contains('\x1b'), "no colour when color is false");
    }

    #[test]
    fn shows_the_capture_summary_per_conversation() {
        let mut labs = fixtures::labs();
        labs[0].scenarios[1].capture = Some(fixtures::capture_syn_rst());
        labs[0].scenarios[0].capture = Some(CaptureSummary {
            host: "server".into(),
            file: "x.pcap".into(),
            wire: None,
            dropped: 3,
            error: Some("no capture: tcpdump exited".into()),
        });
        let out = Terminal::new(false).render(&[Report::new(&labs)]);
        assert!(
            out.contains(
                "  capture on server: netlab-captures/task3-port-closed.pcap\n    \
                 2 packets in 0 ms: 1 TCP connection(s), 0 UDP flow(s), 0 ARP lookup(s)\n    \
                 tcp 10.0.0.2:40000 → 10.0.0.3:9000 @0 ms: → SYN, ← RST\n"
            ),
            "{out}"
        );
        assert!(out.contains(
            "  capture on server: x.pcap\n    tcpdump missed 3 packet(s) (dropped by the kernel): \
             the lines above are incomplete\n    no capture: tcpdump exited\n"
        ));
    }

    #[test]
    fn the_matrix_has_a_column_per_client_and_cites_other_systems() {
        let labs = fixtures::outcome_lab();
        // Wide enough that no cell wraps.
        let wide = Terminal {
            color: false,
            width: 220,
        };
        let out = wide.render(&[Report::new(&labs)]);
        let matrix = &out[out.find("outcome matrix").expect("a matrix")..];
        let matrix = &matrix[..matrix.find("\n\n").unwrap()];
        for head in ["udp-unconnected", "UDP, connected socket", "TCP"] {
            assert!(matrix.contains(head), "{head} in\n{matrix}");
        }
        assert!(matrix.contains("PASS timeout 3/3"), "{matrix}");
        assert!(matrix.contains("cited, not measured:"), "{matrix}");
        assert!(matrix.contains("WSAECONNRESET (10054)"), "{matrix}");
        assert!(
            matrix.contains("Windows: WSAECONNREFUSED (10061)"),
            "{matrix}"
        );
        assert!(out.contains("\ncited, not measured: what the same client shows"));
        // Without a case nothing is cited, and no legend is printed.
        let plain = plain();
        assert!(!plain.contains("cited, not measured"), "{plain}");
    }

    #[test]
    fn explanations_wrap_to_the_width() {
        let mut labs = fixtures::labs();
        labs[0].scenarios[0].checks[0].explanation = "word ".repeat(60);
        let t = Terminal {
            color: false,
            width: 60,
        };
        let out = t.render(&[Report::new(&labs)]);
        let start = out
            .find("udp replies — measured measured for udp replies:")
            .unwrap();
        let expl: Vec<&str> = out[start..].lines().skip(1).take(5).collect();
        assert!(
            expl.iter()
                .all(|l| l.starts_with("    word") && l.len() <= 60),
            "{expl:#?}"
        );
    }

    #[test]
    fn colour_only_when_asked_and_students_get_headings() {
        let labs = fixtures::labs();
        let runs = [
            Report::student("alice", &labs),
            Report::student("bob", &labs),
        ];
        let out = Terminal::new(true).render(&runs);
        assert!(out.contains("\x1b[1;4mstudent alice\x1b[0m"));
        assert!(out.contains("\x1b[1;31mscore 4/10 — 2/5 checks passed\x1b[0m"));
        assert!(out.contains("\x1b["), "status cells are coloured");
        // One score per student, then the total.
        let plain = Terminal::new(false).render(&runs);
        assert_eq!(plain.matches("score 4/10").count(), 2);
        assert_eq!(
            plain.lines().last().unwrap(),
            "score 8/20 — 4/10 checks passed"
        );
    }
}
