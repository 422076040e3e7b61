//! The job pool: `jobs` submissions at a time, each in its own run scope,
//! cleaned up when it ends, when it panics (guard) and, through
//! [`Grader::cleanup_live`], when the caller is interrupted.

use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use netlab_engine::{Engine, Run};
use netlab_lab::Lab;
use netlab_lab::results::LabResult;
use netlab_runner::{Runner, SubmissionCtx};

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
        let mut attempts = 0;
        let mut retried_after = Vec::new();
        loop {
            attempts += 1;
            let lab = self.attempt(&sub).await;
            let record = StudentRecord {
                student: sub.id.clone(),
                attempts,
                retried_after: retried_after.clone(),
                lab,
            };
            if !record.has_infra_error() || attempts >= MAX_ATTEMPTS {
                return record;
            }
            retried_after.extend(record.infra_errors());
        }
    }

    async fn attempt(&self, sub: &Submission) -> LabResult {
        let run = Run::new(&self.engine, &self.lab.name);
        let guard = run.guard();
        self.live.lock().expect("not poisoned").push(run.clone());
        let ctx = SubmissionCtx {
            dir: sub.dir.clone(),
            limits: self
                .lab
                .submission
                .as_ref()
                .expect("checked in new()")
                .limits,
        };
        let result = self.runner.run_submission(&self.lab, &run, &ctx).await;
        let cleaned = run.cleanup().await;
        self.live
            .lock()
            .expect("not poisoned")
            .retain(|r| r.id() != run.id());
        std::mem::forget(guard);
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
                            CheckStatus::Error,
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
