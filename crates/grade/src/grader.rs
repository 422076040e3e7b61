//! The job pool: `jobs` submissions at a time, each in its own run scope,
//! cleaned up when it ends, when it panics (guard) and, through
//! [`Grader::cleanup_live`], when the caller is interrupted.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use netlab_engine::{Engine, Run};
use netlab_lab::Lab;
use netlab_lab::results::LabResult;
use netlab_runner::{Runner, Sandbox};

use crate::{GradeError, StudentRecord, Submission};

/// A submission is graded at most this often: once, and once more when the
/// first attempt failed on netlab's side. The student's own failures are
/// never retried.
pub const MAX_ATTEMPTS: u32 = 2;

pub struct Grader {
    engine: Engine,
    runner: Runner,
    lab: Lab,
    jobs: usize,
    /// Run scopes in progress, for cleanup on interruption.
    live: Arc<Mutex<Vec<Run>>>,
}

impl Grader {
    pub fn new(
        engine: Engine,
        runner: Runner,
        lab: Lab,
        jobs: usize,
    ) -> Result<Grader, GradeError> {
        if lab.submission.is_none() {
            return Err(GradeError::NotAGradingLab { lab: lab.name });
        }
        Ok(Grader {
            engine,
            runner,
            lab,
            jobs: jobs.max(1),
            live: Arc::default(),
        })
    }

    /// Grades every submission, `jobs` at a time, calling `done` with each
    /// record as soon as that submission is finished (in finishing order).
    pub async fn grade_all(&self, subs: Vec<Submission>, mut done: impl FnMut(StudentRecord)) {
        let mut results = futures_util::stream::iter(subs)
            .map(|s| self.grade_one(s))
            .buffer_unordered(self.jobs);
        while let Some(record) = results.next().await {
            done(record);
        }
    }

    /// One submission, retried once on an infrastructure error.
    pub async fn grade_one(&self, sub: Submission) -> StudentRecord {
        with_retry(&sub.id, || self.attempt(&sub)).await
    }

    async fn attempt(&self, sub: &Submission) -> LabResult {
        let run = Run::new(&self.engine, &self.lab.name);
        let guard = run.guard();
        self.live.lock().expect("not poisoned").push(run.clone());
        let sandbox = Sandbox {
            dir: sub.dir.clone(),
            limits: self
                .lab
                .submission
                .as_ref()
                .expect("checked in new()")
                .limits,
        };
        let result = self.runner.run_submission(&self.lab, &run, &sandbox).await;
        let cleaned = run.cleanup().await;
        self.live
            .lock()
            .expect("not poisoned")
            .retain(|r| r.id() != run.id());
        guard.disarm();
        let mut lab = match result {
            Ok(lab) => lab,
            Err(e) => failed_lab(&self.lab, &e.to_string()),
        };
        if let Err(e) = cleaned {
            // Grades stand; the leftovers are reported where the instructor looks.
            if let Some(s) = lab.scenarios.last_mut() {
                s.notes.push(format!("cleanup after grading: {e}"));
            }
        }
        lab
    }

    /// Removes the objects of every submission still being graded (Ctrl-C).
    pub async fn cleanup_live(&self) {
        let runs: Vec<Run> = self.live.lock().expect("not poisoned").drain(..).collect();
        for run in runs {
            let _ = run.cleanup().await;
        }
    }
}

/// Grades with `attempt` until a result has no infrastructure error, at
/// most [`MAX_ATTEMPTS`] times; the record says why earlier attempts were dropped.
async fn with_retry<F: Future<Output = LabResult>>(
    student: &str,
    mut attempt: impl FnMut() -> F,
) -> StudentRecord {
    let mut attempts = 0;
    let mut retried_after = Vec::new();
    loop {
        attempts += 1;
        let record = StudentRecord {
            student: student.to_owned(),
            attempts,
            retried_after: retried_after.clone(),
            lab: attempt().await,
        };
        // The same errors decide the retry and are its reason, so a retry always says why.
        let errors = record.lab.infra_errors();
        if errors.is_empty() || attempts >= MAX_ATTEMPTS {
            return record;
        }
        retried_after.extend(errors);
    }
}

/// A lab that could not run at all: every check is `infra_error`.
fn failed_lab(lab: &Lab, error: &str) -> LabResult {
    use netlab_lab::results::{CheckStatus, ScenarioResult};
    LabResult {
        name: lab.name.clone(),
        title: lab.title.clone(),
        description: lab.description.clone(),
        file: lab.file.clone(),
        scenarios: lab
            .scenarios
            .iter()
            .map(|s| ScenarioResult {
                name: s.name.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                probes: Vec::new(),
                runs: Vec::new(),
                servers: Vec::new(),
                checks: s
                    .checks
                    .iter()
                    .map(|c| {
                        netlab_lab::not_graded(
                            c,
                            CheckStatus::InfraError,
                            format!("not measured: {error}"),
                            String::new(),
                        )
                    })
                    .collect(),
                duration_ms: 0,
                error: Some(error.to_owned()),
                notes: Vec::new(),
                capture: None,
            })
            .collect(),
        duration_ms: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One scenario with one check of the given status; `error` is the
    /// scenario's own infrastructure error.
    fn lab(status: &str, measured: &str, error: Option<&str>) -> LabResult {
        serde_json::from_value(serde_json::json!({
            "name": "handout", "title": "", "description": "", "file": "handout.yaml",
            "duration_ms": 5, "scenarios": [{
                "name": "clients", "title": "", "description": "", "probes": [],
                "duration_ms": 5, "error": error, "notes": [],
                "checks": [{
                    "name": "UDP client prints the uppercase reply", "kind": "output",
                    "status": status, "points": 2, "earned": 0, "measured": measured,
                    "expected": "", "explanation": ""}]}]
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn a_check_level_infra_error_is_retried_and_named() {
        let why = "not measured: probe `udp` could not run: exec failed";
        let mut attempts = [lab("infra_error", why, None), lab("pass", "HELLO", None)].into_iter();
        let record = with_retry("s001", || std::future::ready(attempts.next().unwrap())).await;
        assert_eq!(record.attempts, 2);
        assert_eq!(
            record.retried_after,
            [format!(
                "clients/UDP client prints the uppercase reply: {why}"
            )]
        );
    }

    #[tokio::test]
    async fn a_scenario_error_is_retried_once_and_named() {
        let failed = || lab("infra_error", "not measured: no engine", Some("no engine"));
        let mut calls = 0;
        let record = with_retry("s001", || {
            calls += 1;
            std::future::ready(failed())
        })
        .await;
        assert_eq!((calls, record.attempts), (2, 2));
        assert_eq!(record.retried_after, ["clients: no engine"]);
    }

    #[tokio::test]
    async fn a_student_failure_is_not_retried() {
        let mut calls = 0;
        let record = with_retry("s001", || {
            calls += 1;
            std::future::ready(lab("crash", "exit code 1", None))
        })
        .await;
        assert_eq!((calls, record.attempts), (1, 1));
        assert!(record.retried_after.is_empty());
    }
}
