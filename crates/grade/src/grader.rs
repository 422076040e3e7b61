//! Grading a class on a pool of engines: each student's whole grading lab
//! runs on one engine, in its own run scope (own network, own labels),
//! cleaned up when it ends, when it panics (guard) and, through
//! [`Grader::cleanup_live`], when the caller is interrupted. `pool.rs` hands
//! students to the engines' slots; this file decides what one job is.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use netlab_engine::{Engine, Run};
use netlab_lab::Lab;
use netlab_lab::results::LabResult;
use netlab_runner::{Runner, Sandbox, Standby};

use crate::pool::{self, EngineReport, Job};
use crate::{GradeError, StudentRecord, Submission};

/// A submission is graded at most this often: once, and once more when the
/// first attempt failed on netlab's side. The student's own failures are
/// never retried.
pub const MAX_ATTEMPTS: u32 = 2;

/// How long an engine may take to answer a ping after an attempt on it hit
/// an infrastructure error; one that does not is out of the pool.
const LIVENESS: Duration = Duration::from_secs(5);

/// One engine of the pool, ready to grade: connected, its images present.
pub struct PoolEngine {
    /// How reports name it (its URL, or the name an engines file gives it).
    pub name: String,
    pub engine: Engine,
    /// Runs labs on this engine, with its image tags.
    pub runner: Runner,
    /// Students graded on it at the same time.
    pub jobs: usize,
}

/// How a batch went.
#[derive(Debug, Clone)]
pub struct Batch {
    pub engines: Vec<EngineReport>,
    /// Students no engine could grade: every engine was lost first.
    pub not_graded: Vec<String>,
    /// Standby hosts an engine could not remove at the end (`engine: why`).
    pub cleanup_errors: Vec<String>,
}

pub struct Grader {
    engines: Vec<PoolEngine>,
    /// Per engine: the idle reference hosts its students share.
    standby: Vec<Standby>,
    lab: Lab,
    /// Run scopes in progress, for cleanup on interruption.
    live: Arc<Mutex<Vec<Run>>>,
}

impl Grader {
    pub fn new(engines: Vec<PoolEngine>, lab: Lab) -> Result<Grader, GradeError> {
        if lab.submission.is_none() {
            return Err(GradeError::NotAGradingLab { lab: lab.name });
        }
        if engines.is_empty() {
            return Err(GradeError::NoEngine);
        }
        let standby = engines
            .iter()
            .map(|e| Standby::new(&e.engine, &lab.name))
            .collect();
        Ok(Grader {
            engines,
            standby,
            lab,
            live: Arc::default(),
        })
    }

    /// Grades every submission on the pool, calling `done` with each record
    /// as soon as that submission is finished (in finishing order).
    pub async fn grade_all(
        &self,
        subs: Vec<Submission>,
        mut done: impl FnMut(StudentRecord),
    ) -> Batch {
        let slots: Vec<(String, usize)> = self
            .engines
            .iter()
            .map(|e| (e.name.clone(), e.jobs.max(1)))
            .collect();
        let (engines, left) = pool::run(
            &slots,
            subs,
            |engine, sub| self.job(engine, sub),
            |_, _, record| done(record),
        )
        .await;
        // A lost engine cannot be cleaned; its reaper removes them later.
        let cleaned = join_all(self.standby.iter().map(Standby::cleanup)).await;
        let cleanup_errors = cleaned
            .into_iter()
            .zip(&self.engines)
            .filter_map(|(r, e)| Some(format!("{}: {}", e.name, r.err()?)))
            .collect();
        Batch {
            engines,
            not_graded: left.into_iter().map(|s| s.id).collect(),
            cleanup_errors,
        }
    }

    /// One submission on one engine, retried once on an infrastructure
    /// error; lost (for another engine to grade) when the engine stops
    /// answering.
    async fn job(&self, engine: usize, sub: Submission) -> Job<StudentRecord> {
        let pe = &self.engines[engine];
        let standby = &self.standby[engine];
        let attempt = || async {
            let lab = self.attempt(pe, standby, &sub).await;
            if lab.infra_errors().is_empty() || pe.engine.answers(LIVENESS).await {
                Ok(lab)
            } else {
                Err(format!(
                    "stopped answering while grading {}: {}",
                    sub.id,
                    lab.infra_errors().join("; ")
                ))
            }
        };
        match with_retry(&sub.id, attempt).await {
            Ok(mut record) => {
                record.engine = Some(pe.name.clone());
                Job::Graded(record)
            }
            Err(why) => Job::EngineLost(why),
        }
    }

    async fn attempt(&self, pe: &PoolEngine, standby: &Standby, sub: &Submission) -> LabResult {
        let run = Run::new(&pe.engine, &self.lab.name);
        let guard = run.guard();
        self.live.lock().expect("not poisoned").push(run.clone());
        let limits = self
            .lab
            .submission
            .as_ref()
            .expect("checked in new()")
            .limits;
        let sandbox = Sandbox::new(sub.dir.clone(), limits);
        let result = pe
            .runner
            .run_submission(&self.lab, &run, &sandbox, Some(standby))
            .await;
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
        let mut runs: Vec<Run> = self.live.lock().expect("not poisoned").drain(..).collect();
        runs.extend(self.standby.iter().map(|s| s.run().clone()));
        // Every run at once: each waits for its own in-flight requests.
        join_all(runs.iter().map(Run::cleanup_interrupted)).await;
    }
}

/// Grades with `attempt` until a result has no infrastructure error, at
/// most [`MAX_ATTEMPTS`] times; the record says why earlier attempts were
/// dropped. An attempt that finds its engine gone (`Err`) ends it: nothing
/// of it is kept.
async fn with_retry<F: Future<Output = Result<LabResult, String>>>(
    student: &str,
    mut attempt: impl FnMut() -> F,
) -> Result<StudentRecord, String> {
    let mut attempts = 0;
    let mut retried_after = Vec::new();
    loop {
        attempts += 1;
        let record = StudentRecord {
            student: student.to_owned(),
            attempts,
            retried_after: retried_after.clone(),
            engine: None,
            lab: attempt().await?,
        };
        // The same errors decide the retry and are its reason, so a retry always says why.
        let errors = record.lab.infra_errors();
        if errors.is_empty() || attempts >= MAX_ATTEMPTS {
            return Ok(record);
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
        let record = with_retry("s001", || std::future::ready(Ok(attempts.next().unwrap())))
            .await
            .unwrap();
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
            std::future::ready(Ok(failed()))
        })
        .await
        .unwrap();
        assert_eq!((calls, record.attempts), (2, 2));
        assert_eq!(record.retried_after, ["clients: no engine"]);
    }

    #[tokio::test]
    async fn a_student_failure_is_not_retried() {
        let mut calls = 0;
        let record = with_retry("s001", || {
            calls += 1;
            std::future::ready(Ok(lab("crash", "exit code 1", None)))
        })
        .await
        .unwrap();
        assert_eq!((calls, record.attempts), (1, 1));
        assert!(record.retried_after.is_empty());
    }

    #[tokio::test]
    async fn a_lost_engine_keeps_nothing_of_the_attempt() {
        let mut calls = 0;
        let lost = with_retry("s001", || {
            calls += 1;
            std::future::ready(Err("e2 stopped answering".to_owned()))
        })
        .await;
        assert_eq!(lost, Err("e2 stopped answering".to_owned()));
        assert_eq!(calls, 1, "an engine that is gone is not retried");
    }
}
