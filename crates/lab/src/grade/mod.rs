//! Grading: one check against the probe runs of its scenario. Pure logic; a
//! probe that could not run, or left no data, makes the check `infra_error`, never `pass`.

mod compare;
mod fmt;
mod loss;
mod outcome;
mod program;
mod replies;
mod rtt;
mod series;
mod served;

pub(crate) use series::label as series_label;
pub use series::percentile;

use crate::resolved::{Check, CheckKind};
use crate::results::{CheckResult, CheckStatus, ProbeRun, ProgramOutput};

/// What a kind-specific grader decided.
pub(crate) struct Verdict {
    pub status: CheckStatus,
    pub measured: String,
    pub expected: String,
    /// Nothing was measured (the check failed because its probe could not
    /// run against a dead server): the lab's explanation stands as it is.
    pub unmeasured: bool,
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
            unmeasured: false,
        }
    }

    /// A measured verdict other than pass or fail (`timeout`, `crash`).
    pub fn of(status: CheckStatus, measured: String, expected: String) -> Self {
        Verdict {
            status,
            measured,
            expected,
            unmeasured: false,
        }
    }

    pub fn error(measured: String, expected: String) -> Self {
        Verdict {
            status: CheckStatus::InfraError,
            measured,
            expected,
            unmeasured: true,
        }
    }

    /// A failure without a measurement.
    pub fn not_run(measured: String, expected: String) -> Self {
        Verdict {
            status: CheckStatus::Fail,
            measured,
            expected,
            unmeasured: true,
        }
    }
}

/// Grades `check` against `probes` (the runs of its scenario, matched by id).
pub fn evaluate(check: &Check, probes: &[ProbeRun]) -> CheckResult {
    evaluate_with(check, probes, &[])
}

/// Grades `check` against the probe sets and program runs (`netlab grade`) of its scenario.
pub fn evaluate_with(check: &Check, probes: &[ProbeRun], runs: &[ProgramOutput]) -> CheckResult {
    let verdict = if let Some(id) = check.kind.run() {
        match runs.iter().find(|r| r.id == id) {
            None => Verdict::error(format!("run `{id}` did not run"), expected_of(&check.kind)),
            Some(r) if r.infra_error.is_some() => Verdict::error(
                format!(
                    "run `{id}` could not run: {}",
                    r.infra_error.as_deref().unwrap_or_default()
                ),
                expected_of(&check.kind),
            ),
            Some(r) => grade_run(&check.kind, r, probes),
        }
    } else {
        match check
            .kind
            .probes()
            .into_iter()
            .find_map(|id| unusable(id, probes))
        {
            Some(Unusable::Error(why)) => Verdict::error(why, expected_of(&check.kind)),
            Some(Unusable::NotRun(why)) => Verdict::not_run(why, expected_of(&check.kind)),
            None => grade(&check.kind, probes),
        }
    };
    let explanation = explanation(check, &verdict);
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
        explanation,
        probes: check.kind.probes().into_iter().map(str::to_owned).collect(),
    }
}

/// A check that was not graded (the run failed, the machine cannot apply
/// the scenario, the student's server never came up): 0 points, `why` as
/// the evidence, the lab's explanation unchanged.
pub fn not_graded(
    check: &Check,
    status: CheckStatus,
    why: String,
    expected: String,
) -> CheckResult {
    CheckResult {
        name: check.name.clone(),
        kind: check.kind.key().to_owned(),
        status,
        points: check.points,
        earned: 0.0,
        measured: why,
        expected,
        explanation: check.explain.clone(),
        probes: check.kind.probes().into_iter().map(str::to_owned).collect(),
    }
}

/// The lab's explanation, unless the measurement contradicts it: a failed
/// check says so with the figures, then gives `explain_fail` (what the
/// failure means) or the theory it contradicts, never the theory alone.
/// Errors and unsupported checks measured nothing and keep `explain`.
fn explanation(check: &Check, verdict: &Verdict) -> String {
    if verdict.status != CheckStatus::Fail
        || verdict.unmeasured
        || check.explain.is_empty() && check.explain_fail.is_empty()
    {
        return check.explain.clone();
    }
    let head = format!(
        "Measured {} contradicts the expected {}",
        verdict.measured, verdict.expected
    );
    if check.explain_fail.is_empty() {
        format!(
            "{head}; the measurement contradicts this explanation: {}",
            check.explain
        )
    } else {
        format!("{head}: {}", check.explain_fail)
    }
}

/// A check of a program run. A run that names its server rests on what the
/// server saw: when nothing of the program arrived there, every check of the
/// run fails, whatever the program printed or however it ended.
fn grade_run(kind: &CheckKind, r: &ProgramOutput, probes: &[ProbeRun]) -> Verdict {
    if let Some(contact) = &r.contact {
        if let Some(e) = &contact.error {
            return Verdict::error(
                format!("what the server received could not be read: {e}"),
                expected_of(kind),
            );
        }
        // A crash or a hang is its own verdict, whatever reached the server.
        if !contact.reached() && !r.timed_out && r.crash_cause().is_none() {
            return Verdict::new(false, contact.nothing(), expected_of(kind));
        }
    }
    match kind {
        CheckKind::Output {
            pattern, at_least, ..
        } => program::output(r, pattern, *at_least),
        CheckKind::Exits { within, code, .. } => program::exits(r, *within, *code),
        CheckKind::Served { rtt_floor, .. } => {
            let floor = match rtt_floor {
                Some(s) => match unusable(&s.probe, probes) {
                    Some(Unusable::Error(why) | Unusable::NotRun(why)) => {
                        return Verdict::error(why, expected_of(kind));
                    }
                    None => Some((s, run(&s.probe, probes))),
                },
                None => None,
            };
            served::grade(r, floor)
        }
        _ => unreachable!("only output, exits and served read runs"),
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
        CheckKind::Loss {
            probe,
            min_pct,
            max_pct,
        } => loss::grade(run(probe, probes), *min_pct, *max_pct),
        CheckKind::Rtt { series, bound } => rtt::grade(series, run(&series.probe, probes), bound),
        CheckKind::Compare { left, right, ratio } => compare::grade(
            (left, run(&left.probe, probes)),
            (right, run(&right.probe, probes)),
            ratio,
        ),
        CheckKind::Output { .. } | CheckKind::Exits { .. } | CheckKind::Served { .. } => {
            unreachable!("runs are graded in evaluate_with")
        }
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
        CheckKind::Loss {
            min_pct, max_pct, ..
        } => loss::expected(*min_pct, *max_pct),
        CheckKind::Rtt { series, bound } => rtt::expected(series, bound),
        CheckKind::Compare { ratio, .. } => compare::expected(ratio),
        CheckKind::Output {
            pattern, at_least, ..
        } => program::expected_output(pattern, *at_least),
        CheckKind::Exits { within, code, .. } => program::expected_exits(*within, *code),
        CheckKind::Served { rtt_floor, .. } => served::expected(rtt_floor.as_ref()),
    }
}

/// Only called after `unusable` found the run.
fn run<'a>(id: &str, probes: &'a [ProbeRun]) -> &'a ProbeRun {
    probes
        .iter()
        .find(|p| p.id == id)
        .expect("checked by unusable()")
}

/// Why a probe's data cannot be graded.
enum Unusable {
    /// Nothing was measured, by netlab's fault: the check is `infra_error`.
    Error(String),
    /// The probe was not run because its target had already died: nothing
    /// could have answered, so the check fails.
    NotRun(String),
}

/// Why a probe's data cannot be graded, if it cannot.
fn unusable(id: &str, probes: &[ProbeRun]) -> Option<Unusable> {
    let Some(run) = probes.iter().find(|p| p.id == id) else {
        return Some(Unusable::Error(format!("probe `{id}` did not run")));
    };
    if let Some(err) = &run.infra_error {
        return Some(Unusable::Error(format!(
            "probe `{id}` could not run: {err}"
        )));
    }
    if let Some(why) = &run.not_run {
        return Some(Unusable::NotRun(format!("probe `{id}` not run: {why}")));
    }
    if run.summary.is_none() {
        return Some(Unusable::Error(if run.deadline_hit {
            format!("probe `{id}` was cut off by the scenario deadline")
        } else {
            format!("probe `{id}` ended without a summary (client crashed?)")
        }));
    }
    if run.records.is_empty() {
        return Some(Unusable::Error(format!("probe `{id}` reported no probes")));
    }
    None
}

#[cfg(test)]
pub(crate) mod fake;

#[cfg(test)]
mod tests {
    use super::fake::{check, rec, run, udp_summary};
    use crate::resolved::{CheckKind, Outcome};
    use crate::results::CheckStatus;

    fn loss() -> crate::Check {
        check(CheckKind::Loss {
            probe: "udp".into(),
            min_pct: 0.0,
            max_pct: 100.0,
        })
    }

    #[test]
    fn a_probe_that_did_not_run_is_an_error() {
        let r = crate::evaluate(&loss(), &[]);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(r.measured, "probe `udp` did not run");
        assert_eq!(r.expected, "loss ≤ 100%");
        assert_eq!((r.points, r.earned), (2.0, 0.0));
    }

    #[test]
    fn no_summary_is_an_error_even_if_records_look_fine() {
        let recs = vec![rec(1, Outcome::Ok, Some(100.0))];
        let r = crate::evaluate(&loss(), &[run("udp", recs.clone(), None)]);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(
            r.measured,
            "probe `udp` ended without a summary (client crashed?)"
        );
        let mut cut = run("udp", recs, None);
        cut.deadline_hit = true;
        let r = crate::evaluate(&loss(), &[cut]);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(
            r.measured,
            "probe `udp` was cut off by the scenario deadline"
        );
    }

    #[test]
    fn infra_error_wins_over_data() {
        let recs = vec![rec(1, Outcome::Ok, Some(100.0))];
        let mut bad = run("udp", recs.clone(), Some(udp_summary(&recs)));
        bad.infra_error = Some("exec: no such container".into());
        let r = crate::evaluate(&loss(), &[bad]);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(r.kind, "loss");
        assert_eq!(r.explanation, "because");
    }

    #[test]
    fn a_probe_skipped_because_its_server_died_fails() {
        let mut skipped = run("udp", vec![], None);
        skipped.not_run = Some("server had exited with code 1".into());
        let r = crate::evaluate(&loss(), &[skipped]);
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(
            r.measured,
            "probe `udp` not run: server had exited with code 1"
        );
        assert_eq!((r.points, r.earned), (2.0, 0.0));
        // Nothing was measured to contradict the lab's explanation.
        assert_eq!(r.explanation, "because");
    }

    #[test]
    fn no_records_is_an_error() {
        let r = crate::evaluate(&loss(), &[run("udp", vec![], Some(udp_summary(&[])))]);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(r.measured, "probe `udp` reported no probes");
    }

    fn lossy() -> Vec<crate::results::ProbeRun> {
        let recs = vec![
            rec(1, Outcome::Ok, Some(100.0)),
            rec(2, Outcome::Timeout, None),
        ];
        vec![run("udp", recs.clone(), Some(udp_summary(&recs)))]
    }

    fn strict_loss() -> crate::Check {
        check(CheckKind::Loss {
            probe: "udp".into(),
            min_pct: 0.0,
            max_pct: 0.0,
        })
    }

    #[test]
    fn a_failed_check_says_the_measurement_contradicts_the_theory() {
        let r = crate::evaluate(&strict_loss(), &lossy());
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(
            r.explanation,
            format!(
                "Measured {} contradicts the expected {}; \
                 the measurement contradicts this explanation: because",
                r.measured, r.expected
            )
        );
        assert_eq!(r.probes, ["udp"]);
    }

    #[test]
    fn explain_fail_replaces_the_theory_when_the_check_fails() {
        let mut c = strict_loss();
        c.explain_fail = "a busy host drops datagrams".into();
        let r = crate::evaluate(&c, &lossy());
        assert_eq!(
            r.explanation,
            format!(
                "Measured {} contradicts the expected {}: a busy host drops datagrams",
                r.measured, r.expected
            )
        );
        // Passing and unmeasured checks keep the lab's explanation.
        let r = crate::evaluate(&loss(), &lossy());
        assert_eq!(
            (r.status, r.explanation.as_str()),
            (CheckStatus::Pass, "because")
        );
        let r = crate::evaluate(&c, &[]);
        assert_eq!(
            (r.status, r.explanation.as_str()),
            (CheckStatus::InfraError, "because")
        );
    }
}
