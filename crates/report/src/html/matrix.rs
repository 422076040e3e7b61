//! The outcome matrix of a lab like Task 4: one row per case (scenario), one
//! column per protocol (probe id); each cell says what the client saw, after
//! how long (median time until the outcome was known) and why (the outcome
//! check's verdict and explanation).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use netlab_lab::grade::percentile;
use netlab_lab::results::{CheckResult, CheckStatus, LabResult, ProbeRun, ScenarioResult};

use super::checks::{badge, status_class};
use super::escape::esc;
use crate::fmt::{micros, wire_name};

/// Scenarios with at least one outcome check make a row; a lab with fewer
/// than two such cases (e.g. Task 3, whose outcome checks only ask for
/// replies) gets no matrix.
pub fn matrix(out: &mut String, lab: &LabResult) {
    let rows: Vec<&ScenarioResult> = lab
        .scenarios
        .iter()
        .filter(|s| s.checks.iter().any(is_outcome))
        .collect();
    if rows.len() < 2 {
        return;
    }
    let mut columns: Vec<&str> = Vec::new();
    for s in &rows {
        for id in s
            .checks
            .iter()
            .filter(|c| is_outcome(c))
            .flat_map(|c| &c.probes)
        {
            if !columns.contains(&id.as_str()) {
                columns.push(id);
            }
        }
    }
    out.push_str(
        "<h3 id=\"outcomes\">Outcome matrix: what the client saw, after how long, and why</h3>\n\
         <table class=\"matrix\">\n<thead><tr><th>Case</th>",
    );
    for c in &columns {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for s in rows {
        let _ = write!(
            out,
            "<tr><td class=\"case\">{}<div class=\"muted\">{}</div></td>",
            esc(&s.title),
            esc(&s.name)
        );
        for id in &columns {
            cell(out, s, id);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn is_outcome(c: &CheckResult) -> bool {
    c.kind == "outcome"
}

fn cell(out: &mut String, s: &ScenarioResult, id: &str) {
    let checks: Vec<&CheckResult> = s
        .checks
        .iter()
        .filter(|c| is_outcome(c) && c.probes.iter().any(|p| p == id))
        .collect();
    let Some(run) = s.probes.iter().find(|p| p.id == id) else {
        if checks.is_empty() {
            out.push_str("<td class=\"cell\">—</td>");
        } else {
            let _ = write!(
                out,
                "<td class=\"cell {}\"><div class=\"saw\">did not run</div>{}</td>",
                status_class(CheckStatus::InfraError),
                why(&checks)
            );
        }
        return;
    };
    let class = checks
        .iter()
        .map(|c| status_class(c.status))
        .find(|&c| c != status_class(CheckStatus::Pass))
        .unwrap_or(status_class(CheckStatus::Pass));
    let _ = write!(
        out,
        "<td class=\"cell {class}\" data-probe=\"{}\"><div class=\"saw\">{}</div>\
         <div class=\"after\">{}</div>{}</td>",
        esc(id),
        esc(&saw(run)),
        esc(&after(run)),
        why(&checks)
    );
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

fn why(checks: &[&CheckResult]) -> String {
    let mut s = String::new();
    for c in checks {
        let _ = write!(
            s,
            "<div class=\"why\">{} {}",
            badge(c.status),
            esc(&c.explanation)
        );
        if c.explanation.trim().is_empty() {
            let _ = write!(s, "{}", esc(&c.name));
        }
        s.push_str("</div>");
    }
    s
}
