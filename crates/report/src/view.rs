//! What a person reads of a result, in order: the one place that decides
//! which parts every human report (terminal, Markdown, HTML) shows. Each
//! renderer matches every [`Part`], so a part cannot go missing from one
//! format without the compiler saying so; how a part looks is the
//! renderer's business.

use std::collections::BTreeMap;

use netlab_contract::{OS_ERRORS, OsErrorCase, Proto, SocketMode};
use netlab_lab::grade::percentile;
use netlab_lab::results::{
    CaptureSummary, CheckResult, CheckStatus, LabResult, ProbeRun, ProgramOutput, ScenarioResult,
};

use crate::fmt::{micros, wire_name};

/// One part of a scenario's section.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// The scenario could not be run: its checks were not graded.
    Failed(&'a str),
    /// The graded checks, with what was measured and the explanations.
    Checks(&'a [CheckResult]),
    /// The probe sets: what was sent, what came back, the RTT statistics.
    Probes(&'a [ProbeRun]),
    /// A program of a submission: a run, or a student server's own output.
    Program(&'a ProgramOutput),
    /// The packets of the scenario (`--capture`).
    Capture(&'a CaptureSummary),
    /// A remark for the reader.
    Note(&'a str),
}

/// The parts of a scenario, in reading order.
pub fn scenario(s: &ScenarioResult) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    if let Some(e) = &s.error {
        parts.push(Part::Failed(e));
    }
    if !s.checks.is_empty() {
        parts.push(Part::Checks(&s.checks));
    }
    if !s.probes.is_empty() {
        parts.push(Part::Probes(&s.probes));
    }
    parts.extend(s.runs.iter().chain(&s.servers).map(Part::Program));
    if let Some(c) = &s.capture {
        parts.push(Part::Capture(c));
    }
    parts.extend(s.notes.iter().map(|n| Part::Note(n)));
    parts
}

/// The outcome matrix of a lab like Task 4: one row per case (a scenario
/// with outcome checks), one column per probe id; each cell what the client
/// saw, after how long, and the verdicts that explain it, and what other
/// systems would show there (cited, not measured).
#[derive(Debug)]
pub struct Matrix<'a> {
    pub columns: Vec<MatrixColumn<'a>>,
    pub rows: Vec<MatrixRow<'a>>,
}

impl Matrix<'_> {
    /// Some cell cites other systems: the matrix needs its legend.
    pub fn cites(&self) -> bool {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .any(|c| c.as_ref().is_some_and(|c| c.cited.is_some()))
    }
}

#[derive(Debug)]
pub struct MatrixColumn<'a> {
    /// The probe id.
    pub id: &'a str,
    /// `UDP, unconnected socket`; empty when no case ran the probe.
    pub what: String,
}

#[derive(Debug)]
pub struct MatrixRow<'a> {
    pub scenario: &'a ScenarioResult,
    /// One per column; `None` when the case has no such probe or check.
    pub cells: Vec<Option<MatrixCell<'a>>>,
}

#[derive(Debug)]
pub struct MatrixCell<'a> {
    /// `refused 3/3`, most frequent outcome first; `did not run` when the
    /// probe is missing.
    pub saw: String,
    /// `after 1.02 ms (median of 3)`; empty when nothing was timed.
    pub after: String,
    /// The worst status among the cell's checks.
    pub status: CheckStatus,
    /// The outcome checks that read this probe.
    pub checks: Vec<&'a CheckResult>,
    /// What the same client would show on Linux, Windows and macOS in this
    /// case: cited from `netlab_contract::OS_ERRORS`, not measured.
    pub cited: Option<&'static OsErrorCase>,
}

/// The lab's outcome matrix; `None` with fewer than two cases (e.g. Task 3,
/// whose outcome checks only ask for replies).
pub fn matrix(lab: &LabResult) -> Option<Matrix<'_>> {
    let is_outcome = |c: &CheckResult| c.kind == "outcome";
    let cases: Vec<&ScenarioResult> = lab
        .scenarios
        .iter()
        .filter(|s| s.checks.iter().any(is_outcome))
        .collect();
    if cases.len() < 2 {
        return None;
    }
    let mut ids: Vec<&str> = Vec::new();
    for id in cases
        .iter()
        .flat_map(|s| s.checks.iter().filter(|c| is_outcome(c)))
        .flat_map(|c| &c.probes)
    {
        if !ids.contains(&id.as_str()) {
            ids.push(id);
        }
    }
    let columns = ids
        .iter()
        .map(|id| MatrixColumn {
            id,
            what: cases
                .iter()
                .flat_map(|s| &s.probes)
                .find(|p| p.id == *id)
                .map_or_else(String::new, what),
        })
        .collect();
    let rows = cases
        .into_iter()
        .map(|s| MatrixRow {
            scenario: s,
            cells: ids
                .iter()
                .map(|id| {
                    let checks: Vec<&CheckResult> = s
                        .checks
                        .iter()
                        .filter(|c| is_outcome(c) && c.probes.iter().any(|p| p == id))
                        .collect();
                    let run = s.probes.iter().find(|p| p.id == *id);
                    if run.is_none() && checks.is_empty() {
                        return None;
                    }
                    let status = checks
                        .iter()
                        .map(|c| c.status)
                        .find(|st| *st != CheckStatus::Pass)
                        .unwrap_or(CheckStatus::Pass);
                    Some(match run {
                        Some(run) => MatrixCell {
                            saw: saw(run),
                            after: after(run),
                            status,
                            checks,
                            cited: run
                                .case
                                .and_then(|case| OS_ERRORS.find(case, run.proto, run.socket)),
                        },
                        None => MatrixCell {
                            saw: "did not run".into(),
                            after: String::new(),
                            status: CheckStatus::InfraError,
                            checks,
                            cited: None,
                        },
                    })
                })
                .collect(),
        })
        .collect();
    Some(Matrix { columns, rows })
}

/// `TCP`, `UDP, connected socket` or `UDP, unconnected socket`.
fn what(run: &ProbeRun) -> String {
    match (run.proto, run.socket) {
        (Proto::Tcp, _) => "TCP".into(),
        (Proto::Udp, SocketMode::Connected) => "UDP, connected socket".into(),
        (Proto::Udp, SocketMode::Unconnected) => "UDP, unconnected socket".into(),
    }
}

/// `refused 3/3`, or `refused 2/3, timeout 1/3`, most frequent first.
fn saw(run: &ProbeRun) -> String {
    if let Some(e) = &run.infra_error {
        return format!("could not run: {e}");
    }
    if let Some(why) = &run.not_run {
        return format!("not run: {why}");
    }
    let n = run.records.len();
    if n == 0 {
        return "no probe reported".into();
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &run.records {
        *counts.entry(wire_name(&r.outcome)).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(o, k)| format!("{o} {k}/{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `after 1.02 ms (median of 3)`.
fn after(run: &ProbeRun) -> String {
    let mut t: Vec<f64> = run
        .records
        .iter()
        .map(|r| r.elapsed_us)
        .filter(|v| v.is_finite())
        .collect();
    if t.is_empty() {
        return String::new();
    }
    t.sort_by(f64::total_cmp);
    let mut s = format!(
        "after {} (median of {})",
        micros(percentile(&t, 50.0)),
        t.len()
    );
    if run.deadline_hit {
        s.push_str("; stopped by the scenario deadline");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn parts_come_in_reading_order() {
        let mut labs = fixtures::labs();
        let s = &mut labs[0].scenarios[0];
        s.capture = Some(fixtures::capture_syn_rst());
        s.error = Some("boom".into());
        let names: Vec<&str> = scenario(s)
            .iter()
            .map(|p| match p {
                Part::Failed(_) => "failed",
                Part::Checks(_) => "checks",
                Part::Probes(_) => "probes",
                Part::Program(_) => "program",
                Part::Capture(_) => "capture",
                Part::Note(_) => "note",
            })
            .collect();
        assert_eq!(names.first(), Some(&"failed"));
        let pos = |n| names.iter().position(|x| *x == n).unwrap();
        assert!(pos("checks") < pos("probes") && pos("probes") < pos("capture"));
    }
}
