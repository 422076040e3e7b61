//! Grading: one check against the probe runs of its scenario. Pure logic; a
//! probe that could not run, or left no data, makes the check `error`, never `pass`.

mod compare;
mod fmt;
mod loss;
mod outcome;
mod replies;
mod rtt;
mod series;

use crate::resolved::{Check, CheckKind};
use crate::results::{CheckResult, CheckStatus, ProbeRun};

/// What a kind-specific grader decided.
pub(crate) struct Verdict {
    pub status: CheckStatus,
    pub measured: String,
    pub expected: String,
}

impl Verdict {
    pub fn new(pass: bool, measured: String, expected: String) -> Self {
        Verdict {
            status: if pass {
                CheckStatus::Pass
            } else {
                CheckStatus::Fail
            },
            measured,
            expected,
        }
    }

    pub fn error(measured: String, expected: String) -> Self {
        Verdict {
            status: CheckStatus::Error,
            measured,
            expected,
        }
    }
}

/// Grades `check` against `probes` (the runs of its scenario, matched by id).
pub fn evaluate(check: &Check, probes: &[ProbeRun]) -> CheckResult {
    let verdict = match check
        .kind
        .probes()
        .into_iter()
        .find_map(|id| unusable(id, probes))
    {
        Some(why) => Verdict::error(why, expected_of(&check.kind)),
        None => grade(&check.kind, probes),
    };
    let earned = if verdict.status == CheckStatus::Pass {
        check.points
    } else {
        0.0
    };
    CheckResult {
        name: check.name.clone(),
        kind: check.kind.key().to_owned(),
        status: verdict.status,
        points: check.points,
        earned,
        measured: verdict.measured,
        expected: verdict.expected,
        explanation: check.explain.clone(),
    }
}

fn grade(kind: &CheckKind, probes: &[ProbeRun]) -> Verdict {
    match kind {
        CheckKind::Outcome {
            probe,
            is,
            at_least,
            within,
        } => outcome::grade(run(probe, probes), *is, *at_least, *within),
        CheckKind::Replies { probe } => replies::grade(run(probe, probes)),
        CheckKind::Loss { probe, max_pct } => loss::grade(run(probe, probes), *max_pct),
        CheckKind::Rtt { series, bound } => rtt::grade(series, run(&series.probe, probes), bound),
        CheckKind::Compare { left, right, ratio } => compare::grade(
            (left, run(&left.probe, probes)),
            (right, run(&right.probe, probes)),
            ratio,
        ),
    }
}

fn expected_of(kind: &CheckKind) -> String {
    match kind {
        CheckKind::Outcome {
            is,
            at_least,
            within,
            ..
        } => outcome::expected(*is, *at_least, *within),
        CheckKind::Replies { .. } => replies::EXPECTED.to_owned(),
        CheckKind::Loss { max_pct, .. } => loss::expected(*max_pct),
        CheckKind::Rtt { series, bound } => rtt::expected(series, bound),
        CheckKind::Compare { ratio, .. } => compare::expected(ratio),
    }
}

/// Only called after `unusable` found the run.
fn run<'a>(id: &str, probes: &'a [ProbeRun]) -> &'a ProbeRun {
    probes
        .iter()
        .find(|p| p.id == id)
        .expect("checked by unusable()")
}

/// Why a probe's data cannot be graded, if it cannot.
fn unusable(id: &str, probes: &[ProbeRun]) -> Option<String> {
    let Some(run) = probes.iter().find(|p| p.id == id) else {
        return Some(format!("probe `{id}` did not run"));
    };
    if let Some(err) = &run.infra_error {
        return Some(format!("probe `{id}` could not run: {err}"));
    }
    if run.summary.is_none() {
        return Some(if run.deadline_hit {
            format!("probe `{id}` was cut off by the scenario deadline")
        } else {
            format!("probe `{id}` ended without a summary (client crashed?)")
        });
    }
    if run.records.is_empty() {
        return Some(format!("probe `{id}` reported no probes"));
    }
    None
}

#[cfg(test)]
pub(crate) mod fake;
