//! One lab: its networks, then its scenarios one after another.

use std::time::Instant;

use netlab_engine::{Engine, NetworkInfo, NetworkOptions, Run};
use netlab_lab::results::{CheckStatus, LabResult};
use netlab_lab::{Lab, Placement};

use crate::context::Ctx;
use crate::events::{Event, Events};
use crate::layout::Layout;
use crate::sandbox::Sandbox;
use crate::scenario::ScenarioRun;
use crate::standby::Standby;
use crate::swarm::Swarm;
use crate::{ImageSet, RunError};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Leave containers and networks in place after the run (`--keep`).
    pub keep: bool,
    /// Capture each scenario's packets into this directory (`--capture`).
    pub capture_dir: Option<std::path::PathBuf>,
    /// `netlab run --swarm`: hosts go to the swarm's nodes (by their `node`
    /// and the placement), the lab's networks are overlays on its manager,
    /// which must be the runner's engine.
    pub swarm: Option<Swarm>,
    /// `--placement`: instead of each lab's own `placement`.
    pub placement: Option<Placement>,
}

/// Runs labs on one engine with one set of prepared images.
#[derive(Debug, Clone)]
pub struct Runner {
    engine: Engine,
    images: ImageSet,
    options: RunOptions,
    events: Events,
}

impl Runner {
    pub fn new(engine: Engine, images: ImageSet, options: RunOptions, events: Events) -> Runner {
        Runner {
            engine,
            images,
            options,
            events,
        }
    }

    /// Runs every scenario of `lab` inside `run` (whose labels mark every
    /// object it creates). The caller owns cleanup: it calls
    /// `run.cleanup()` afterwards, also when this future is dropped midway
    /// (Ctrl-C), so nothing is left behind.
    pub async fn run_lab(&self, lab: &Lab, run: &Run) -> Result<LabResult, RunError> {
        self.run(lab, run, None, None).await
    }

    /// Grades one student's submission (`netlab grade`): like [`Runner::run_lab`],
    /// with the lab's role hosts running the submission's programs in `sandbox`,
    /// and idle reference hosts borrowed from `standby` (unless the options
    /// keep or capture: then every host is the run's own).
    pub async fn run_submission(
        &self,
        lab: &Lab,
        run: &Run,
        sandbox: &Sandbox,
        standby: Option<&Standby>,
    ) -> Result<LabResult, RunError> {
        let own_hosts = self.options.keep || self.options.capture_dir.is_some();
        let standby = standby.filter(|_| !own_hosts);
        self.run(lab, run, Some(sandbox), standby).await
    }

    /// Where each host of `lab` runs in `run`: on the swarm's nodes for a
    /// lab run (never a submission's: a class is spread over engines by
    /// `netlab grade`'s pool instead), else all on this engine.
    fn layout(&self, lab: &Lab, run: &Run, graded: bool) -> Result<Layout, RunError> {
        match &self.options.swarm {
            Some(swarm) if !graded => {
                let plan = swarm.plan(lab, self.options.placement)?;
                Ok(Layout::on_swarm(swarm, run, &plan))
            }
            _ => Ok(Layout::one_engine(run)),
        }
    }

    async fn run(
        &self,
        lab: &Lab,
        run: &Run,
        sandbox: Option<&Sandbox>,
        standby: Option<&Standby>,
    ) -> Result<LabResult, RunError> {
        let started = Instant::now();
        self.events.send(Event::LabStarted {
            lab: lab.name.clone(),
            title: lab.title.clone(),
            scenarios: lab.scenarios.len(),
        });
        let layout = self.layout(lab, run, sandbox.is_some())?;
        let overlay = self.options.swarm.is_some() && sandbox.is_none();
        let mut networks: Vec<NetworkInfo> = Vec::new();
        for net in &lab.networks {
            if overlay && net.host_access {
                return Err(RunError::HostAccessOnOverlay {
                    network: net.name.clone(),
                });
            }
            let opts = NetworkOptions {
                subnet: net.subnet.clone(),
                host_access: net.host_access,
                overlay,
            };
            networks.push(run.create_network(&net.name, &opts).await?);
        }
        if overlay {
            crate::names::anchor(&layout, &networks, &self.images.echo()?).await?;
        }
        // An engine on another machine cannot mount this machine's folder:
        // the submission goes into a volume of the run, through the API.
        let copied;
        let sandbox = match sandbox {
            Some(s) if !self.engine.is_local() => {
                let volume = run
                    .upload_folder("submission", &s.dir, &self.images.echo()?)
                    .await?;
                copied = s.in_volume(volume);
                Some(&copied)
            }
            other => other,
        };
        let ctx = Ctx {
            engine: &self.engine,
            layout: &layout,
            images: &self.images,
            networks: &networks,
            events: &self.events,
            lab: &lab.name,
            keep: self.options.keep,
            capture_dir: self.options.capture_dir.as_deref(),
            sandbox,
            standby,
        };
        let mut scenarios = Vec::new();
        for (index, sc) in lab.scenarios.iter().enumerate() {
            self.events.send(Event::ScenarioStarted {
                lab: lab.name.clone(),
                scenario: sc.name.clone(),
                index,
            });
            let result = ScenarioRun::new(&ctx, sc).run().await;
            self.events.send(Event::ScenarioFinished {
                lab: lab.name.clone(),
                scenario: result.name.clone(),
                passed: result
                    .checks
                    .iter()
                    .filter(|c| c.status == CheckStatus::Pass)
                    .count(),
                checks: result.checks.len(),
                duration_ms: result.duration_ms,
            });
            scenarios.push(result);
        }
        let result = LabResult {
            name: lab.name.clone(),
            title: lab.title.clone(),
            description: lab.description.clone(),
            file: lab.file.clone(),
            scenarios,
            duration_ms: started.elapsed().as_millis() as u64,
        };
        self.events.send(Event::LabFinished {
            lab: lab.name.clone(),
        });
        Ok(result)
    }
}
