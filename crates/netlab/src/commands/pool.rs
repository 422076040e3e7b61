//! Making the engines of `netlab grade` ready: leftovers of dead runs
//! reaped on each, the images built on the first engine and copied to the
//! others through the API (there may be no registry), and each engine's
//! number of job slots decided.

use std::time::{Duration, Instant};

use anyhow::anyhow;
use futures_util::future::join_all;
use netlab_engine::Engine;
use netlab_grade::PoolEngine;
use netlab_lab::Lab;
use netlab_runner::events::Events;
use netlab_runner::{RunOptions, Runner, images};

use super::image_sources;
use crate::engines::EngineEntry;
use crate::exit::Failure;

/// The engines, ready, and what preparing each took.
pub struct Pool {
    pub engines: Vec<PoolEngine>,
    pub setup: Vec<Setup>,
    /// `2 at a time`, or `on 3 engines, 6 at a time`.
    pub at_a_time: String,
}

/// What making one engine ready took.
pub struct Setup {
    /// Images built (the first engine) or copied (the others).
    pub images: usize,
    pub copied: bool,
    pub took: Duration,
}

impl Setup {
    pub fn describe(&self) -> String {
        let how = if self.copied {
            "copied"
        } else {
            "built or found"
        };
        format!(
            "images {how} in {:.1} s ({} needed)",
            self.took.as_secs_f64(),
            self.images
        )
    }
}

/// Prepares `engines` (connected, in order) to grade `lab`. Job slots per
/// engine: its own `jobs` in an engines file, else `--jobs`, else its CPU
/// count.
pub async fn prepare_pool(
    engines: Vec<(EngineEntry, Engine)>,
    lab: &Lab,
    jobs: Option<usize>,
    events: Events,
) -> Result<Pool, Failure> {
    let infra = |name: &str, e: String| Failure::Infra(anyhow!("engine {name}: {e}"));
    // Leftovers of runs whose process died (kill -9, power loss) go first.
    for (entry, engine) in &engines {
        engine
            .reap_dead_runs()
            .await
            .map_err(|e| infra(&entry.name, e.to_string()))?;
    }
    let (first_entry, first) = &engines[0];
    let started = Instant::now();
    let kinds = images::needed([lab]);
    let set = images::ensure(first, &kinds, &image_sources(), &events)
        .await
        .map_err(|e| infra(&first_entry.name, e.to_string()))?;
    let mut setup = vec![Setup {
        images: set.tags().count(),
        copied: false,
        took: started.elapsed(),
    }];
    let copies = join_all(engines[1..].iter().map(|(_, engine)| async {
        let started = Instant::now();
        let copied = images::distribute(first, engine, &set).await;
        (copied, started.elapsed())
    }))
    .await;
    for ((entry, _), (copied, took)) in engines[1..].iter().zip(copies) {
        let copied = copied.map_err(|e| infra(&entry.name, format!("copying images: {e}")))?;
        setup.push(Setup {
            images: copied,
            copied: true,
            took,
        });
    }
    let mut pool = Vec::new();
    for (entry, engine) in engines {
        let jobs = match entry.jobs.or(jobs) {
            Some(n) => n,
            None => engine
                .cpus()
                .await
                .map_err(|e| infra(&entry.name, e.to_string()))?,
        };
        // Per-student progress is one line each; scenario events of parallel
        // jobs would interleave.
        let runner = Runner::new(
            engine.clone(),
            set.clone(),
            RunOptions::default(),
            Events::none(),
        );
        pool.push(PoolEngine {
            name: entry.name,
            engine,
            runner,
            jobs,
        });
    }
    let total: usize = pool.iter().map(|e| e.jobs).sum();
    let at_a_time = match pool.len() {
        1 => format!("{total} at a time"),
        n => format!("on {n} engines, {total} at a time"),
    };
    Ok(Pool {
        engines: pool,
        setup,
        at_a_time,
    })
}
