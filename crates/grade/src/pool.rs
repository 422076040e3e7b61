//! Handing students to the slots of a pool of engines (`netlab grade
//! --engine A --engine B`), as the field's graders do (PrairieLearn's grader
//! hosts, Tango's distDocker, Submitty's workers): each engine has `jobs`
//! slots; a free slot takes the next student; one student's whole grading
//! lab runs on the engine of its slot.
//!
//! An engine can die mid-batch. A job that ends with [`Job::EngineLost`]
//! puts its student back at the head of the queue (nothing of that attempt
//! is kept, nothing is charged) and takes the engine out of the pool: its
//! other slots finish what they hold and stop. A student is reported once,
//! when graded, or at the end as lost when no engine is left to grade it.
//!
//! Pure scheduling: what a job does is the caller's closure, so the logic is
//! tested here with fake engines.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use tokio::sync::Notify;

/// What one attempt on one engine gave.
#[derive(Debug)]
pub enum Job<R> {
    /// The student was graded on this engine (with whatever verdicts and
    /// infrastructure errors the grading itself decided).
    Graded(R),
    /// The engine stopped answering: this attempt counts for nothing.
    EngineLost(String),
}

/// How one engine of the pool did.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineReport {
    pub name: String,
    pub jobs: usize,
    /// Students graded on it.
    pub graded: usize,
    /// Time from the start of the batch until its first job started.
    pub first_start: Option<Duration>,
    /// Time from the start of the batch until its last job ended.
    pub busy_until: Duration,
    /// Why it was taken out of the pool, if it was.
    pub lost: Option<String>,
}

struct State<S> {
    queue: VecDeque<S>,
    in_flight: usize,
    /// Per engine: taken out of the pool (and why).
    lost: Vec<Option<String>>,
}

/// Runs every student through the pool. `engines` is `(name, jobs)` per
/// engine; `job(engine index, student)` grades one student on that engine;
/// `done(engine name, student, result)` is called once per graded student,
/// as soon as it is graded. Returns the per-engine report and the students
/// no engine could grade (every engine was lost).
pub async fn run<S, R, F, Fut>(
    engines: &[(String, usize)],
    students: Vec<S>,
    job: F,
    done: impl FnMut(&str, S, R),
) -> (Vec<EngineReport>, Vec<S>)
where
    S: Clone,
    F: Fn(usize, S) -> Fut,
    Fut: Future<Output = Job<R>>,
{
    let started = Instant::now();
    let state = Mutex::new(State {
        queue: students.into(),
        in_flight: 0,
        lost: vec![None; engines.len()],
    });
    let wake = Notify::new();
    // Slots run concurrently in this one task; `done` is called between awaits.
    let done = Mutex::new(done);
    let reports = Mutex::new(
        engines
            .iter()
            .map(|(name, jobs)| EngineReport {
                name: name.clone(),
                jobs: *jobs,
                graded: 0,
                first_start: None,
                busy_until: Duration::ZERO,
                lost: None,
            })
            .collect::<Vec<_>>(),
    );
    let slot = |engine: usize| {
        let (state, wake, done, reports, job) = (&state, &wake, &done, &reports, &job);
        async move {
            loop {
                // Registered before the queue is looked at, so a wake-up
                // between the look and the wait is not lost.
                let notified = wake.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                let next = {
                    let mut st = state.lock().expect("not poisoned");
                    if st.lost[engine].is_some() {
                        None
                    } else if let Some(s) = st.queue.pop_front() {
                        st.in_flight += 1;
                        Some(Some(s))
                    } else if st.in_flight == 0 {
                        None
                    } else {
                        Some(None) // others may still hand a student back
                    }
                };
                let student = match next {
                    None => break,
                    Some(None) => {
                        notified.await;
                        continue;
                    }
                    Some(Some(s)) => s,
                };
                {
                    let mut r = reports.lock().expect("not poisoned");
                    r[engine].first_start.get_or_insert(started.elapsed());
                }
                let outcome = job(engine, student.clone()).await;
                {
                    let mut r = reports.lock().expect("not poisoned");
                    r[engine].busy_until = started.elapsed();
                    match &outcome {
                        Job::Graded(_) => r[engine].graded += 1,
                        Job::EngineLost(why) => {
                            r[engine].lost.get_or_insert_with(|| why.clone());
                        }
                    }
                }
                match outcome {
                    Job::Graded(result) => {
                        (done.lock().expect("not poisoned"))(&engines[engine].0, student, result);
                    }
                    Job::EngineLost(why) => {
                        let mut st = state.lock().expect("not poisoned");
                        st.queue.push_front(student);
                        st.lost[engine].get_or_insert(why);
                    }
                }
                state.lock().expect("not poisoned").in_flight -= 1;
                wake.notify_waiters();
            }
            // A slot that stops may be the last one busy: let the waiting
            // ones see that the batch is over.
            wake.notify_waiters();
        }
    };
    let slots: Vec<_> = engines
        .iter()
        .enumerate()
        .flat_map(|(i, (_, jobs))| (0..*jobs).map(move |_| i))
        .map(slot)
        .collect();
    join_all(slots).await;
    let left: Vec<S> = state
        .into_inner()
        .expect("not poisoned")
        .queue
        .into_iter()
        .collect();
    (reports.into_inner().expect("not poisoned"), left)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn engines(jobs: &[usize]) -> Vec<(String, usize)> {
        jobs.iter()
            .enumerate()
            .map(|(i, j)| (format!("e{i}"), *j))
            .collect()
    }

    /// Grades 0..n on engines where `dies(engine, nth job on it)` says when
    /// an engine stops answering (it then loses that job and every later one).
    async fn batch(
        jobs: &[usize],
        n: usize,
        dies: impl Fn(usize, usize) -> bool,
    ) -> (BTreeMap<usize, String>, Vec<EngineReport>, Vec<usize>) {
        let engines = engines(jobs);
        let started: Vec<AtomicUsize> = jobs.iter().map(|_| AtomicUsize::new(0)).collect();
        let dead: Vec<AtomicUsize> = jobs.iter().map(|_| AtomicUsize::new(0)).collect();
        let mut graded = BTreeMap::new();
        let (reports, left) = run(
            &engines,
            (0..n).collect(),
            |engine, student| {
                let nth = started[engine].fetch_add(1, Ordering::SeqCst);
                let gone = dead[engine].load(Ordering::SeqCst) == 1 || dies(engine, nth);
                if gone {
                    dead[engine].store(1, Ordering::SeqCst);
                }
                async move {
                    tokio::time::sleep(Duration::from_millis(5 + (student as u64 % 3))).await;
                    if gone {
                        Job::EngineLost(format!("e{engine} does not answer"))
                    } else {
                        Job::Graded(student * 10)
                    }
                }
            },
            |engine, student, result| {
                assert_eq!(result, student * 10);
                assert!(
                    graded.insert(student, engine.to_owned()).is_none(),
                    "student {student} reported twice"
                );
            },
        )
        .await;
        (graded, reports, left)
    }

    #[tokio::test]
    async fn every_student_once_spread_over_the_engines() {
        let (graded, reports, left) = batch(&[2, 1, 1], 40, |_, _| false).await;
        assert_eq!(graded.len(), 40);
        assert!(left.is_empty());
        assert_eq!(reports.iter().map(|r| r.graded).sum::<usize>(), 40);
        assert!(reports.iter().all(|r| r.graded > 0 && r.lost.is_none()));
        // Two slots take about twice the work of one.
        assert!(reports[0].graded > reports[1].graded, "{reports:?}");
    }

    #[tokio::test]
    async fn a_lost_engine_hands_its_students_to_the_others() {
        let (graded, reports, left) = batch(&[2, 2, 2], 40, |e, nth| e == 1 && nth == 3).await;
        assert_eq!(graded.len(), 40, "no student lost");
        assert!(left.is_empty());
        assert_eq!(reports[1].lost.as_deref(), Some("e1 does not answer"));
        assert!(graded.values().filter(|e| *e == "e1").count() <= 3);
        assert_eq!(reports.iter().map(|r| r.graded).sum::<usize>(), 40);
    }

    #[tokio::test]
    async fn with_every_engine_lost_the_rest_is_returned() {
        let (graded, reports, left) = batch(&[1, 1], 10, |_, nth| nth == 2).await;
        assert!(reports.iter().all(|r| r.lost.is_some()));
        assert_eq!(
            graded.len() + left.len(),
            10,
            "graded or returned, never dropped"
        );
        assert!(graded.keys().all(|s| !left.contains(s)));
    }
}
