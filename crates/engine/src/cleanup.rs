//! Removal by label: a run's objects (sidecars first, then containers, then
//! networks), everything netlab made (`netlab clean`), or the leftovers of
//! runs whose owning process is gone (never a live run's objects).

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use bollard::models::{ContainerSummary, Network};
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListNetworksOptionsBuilder, RemoveVolumeOptions,
};
use futures_util::future::join_all;

use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result, is_not_found};
use crate::labels::{self, Owner};
use crate::run::Run;

/// What a cleanup removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    pub containers: usize,
    pub networks: usize,
    /// Run ids whose objects were removed.
    pub runs: BTreeSet<String>,
}

impl Removed {
    /// Counts `other` in (one run cleaned on several engines).
    pub fn add(&mut self, other: Removed) {
        self.containers += other.containers;
        self.networks += other.networks;
        self.runs.extend(other.runs);
    }
}

impl Run {
    /// Removes every container and network of this run. Call it on success,
    /// failure and interruption alike; it is idempotent. For panics, hold a
    /// [`RunGuard`] as well.
    pub async fn cleanup(&self) -> Result<Removed> {
        self.engine
            .remove_labelled(&format!("{}={}", labels::RUN, self.id()))
            .await
    }

    /// Cleanup after the run's work was dropped mid-flight (Ctrl-C,
    /// SIGTERM): a dropped `create` or `connect` request still completes in
    /// Docker a moment later, labels and all, so cleanup looks again after a
    /// pause, until two looks in a row find nothing and fail on nothing (at
    /// most [`INTERRUPT_LOOKS`]). A look that fails (a network that a late
    /// connect still holds) is looked at again; only the last failure counts.
    pub async fn cleanup_interrupted(&self) -> Result<Removed> {
        let mut removed = Removed::default();
        let mut quiet = 0;
        let mut last = Ok(());
        for look in 0..INTERRUPT_LOOKS {
            if quiet == 2 {
                break;
            }
            if look > 0 {
                tokio::time::sleep(SETTLE_PAUSE).await;
            }
            last = match self.cleanup().await {
                Ok(again) => {
                    let found = again.containers + again.networks;
                    quiet = if found == 0 { quiet + 1 } else { 0 };
                    removed.add(again);
                    Ok(())
                }
                Err(e) => {
                    quiet = 0;
                    Err(e)
                }
            };
        }
        last.map(|()| removed)
    }

    /// Waits (at most `within`) until no network of this run is listed any
    /// more: a swarm manager answers an overlay's removal at once and takes
    /// it off its list a moment later. `false` when one is still there.
    pub async fn networks_gone(&self, within: Duration) -> Result<bool> {
        let label = format!("{}={}", labels::RUN, self.id());
        let deadline = std::time::Instant::now() + within;
        loop {
            if self.engine.labelled_networks(&label).await?.is_empty() {
                return Ok(true);
            }
            if std::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// A guard that removes this run's objects when dropped (also while
    /// unwinding from a panic). The async [`Run::cleanup`] is the normal path.
    pub fn guard(&self) -> RunGuard {
        RunGuard {
            run_id: self.id().to_string(),
            engine: Some(self.engine.addr().clone()),
        }
    }
}

/// What the labels of one object say about its run.
struct RunStamp {
    run: String,
    /// `None` when the owner label is missing or malformed.
    owner: Option<Owner>,
    keep: bool,
}

impl RunStamp {
    fn finished(&self) -> bool {
        self.owner.as_ref().is_some_and(Owner::is_dead_here)
    }
}

/// How long, and how often, cleanup looks again for objects whose creation
/// was still in flight when their run died.
const SETTLE_PAUSE: std::time::Duration = std::time::Duration::from_millis(1500);
const SETTLE_ROUNDS: usize = 3;
/// The most looks after an interruption: on a loaded machine a `create`
/// sent before the interruption was seen landing 4 s later.
const INTERRUPT_LOOKS: usize = 6;

impl Engine {
    /// Removes everything labelled `netlab.run`, live runs included
    /// (`netlab clean --all`).
    pub async fn clean_all(&self) -> Result<Removed> {
        self.remove_runs(|_| true).await
    }

    /// Removes the objects of every run whose owner process has ended on this
    /// host, kept runs included (`netlab clean`). Live runs are left alone.
    pub async fn clean_finished(&self) -> Result<Removed> {
        self.remove_runs(|s| s.finished()).await
    }

    /// Removes objects of runs whose owner process no longer exists on this
    /// host, except runs made with `--keep`. Objects of live runs, of other
    /// hosts, or without a readable owner are left alone.
    pub async fn reap_dead_runs(&self) -> Result<Removed> {
        self.remove_runs(|s| s.finished() && !s.keep).await
    }

    /// Removes the picked runs, then looks again while something was
    /// removed: a netlab killed in the middle of a `create` leaves the
    /// request in flight, and Docker finishes it (labels and all) a moment
    /// after the killed process is gone.
    async fn remove_runs(&self, pick: impl Fn(&RunStamp) -> bool) -> Result<Removed> {
        let mut removed = self.remove_runs_once(&pick).await?;
        let mut last = removed.containers + removed.networks;
        for _ in 0..SETTLE_ROUNDS {
            if last == 0 {
                break;
            }
            tokio::time::sleep(SETTLE_PAUSE).await;
            let again = self.remove_runs_once(&pick).await?;
            last = again.containers + again.networks;
            removed.add(again);
        }
        Ok(removed)
    }

    async fn remove_runs_once(&self, pick: &impl Fn(&RunStamp) -> bool) -> Result<Removed> {
        let picked: BTreeSet<String> = self
            .run_stamps()
            .await?
            .into_iter()
            .filter(|s| pick(s))
            .map(|s| s.run)
            .collect();
        let mut removed = Removed::default();
        for run in picked {
            removed.add(
                self.remove_labelled(&format!("{}={run}", labels::RUN))
                    .await?,
            );
        }
        Ok(removed)
    }

    async fn remove_volume(&self, name: &str) -> Result<()> {
        match self
            .docker
            .remove_volume(name, None::<RemoveVolumeOptions>)
            .await
        {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.ctx(|| format!("removing volume {name}")),
        }
    }

    /// The run stamp of every labelled container, network and volume.
    async fn run_stamps(&self) -> Result<Vec<RunStamp>> {
        let containers = self
            .labelled_containers(labels::RUN)
            .await?
            .into_iter()
            .filter_map(|c| c.labels);
        let networks = self
            .labelled_networks(labels::RUN)
            .await?
            .into_iter()
            .filter_map(|n| n.labels);
        let volumes = self
            .labelled_volumes(labels::RUN)
            .await?
            .into_iter()
            .map(|v| v.labels);
        Ok(containers
            .chain(networks)
            .chain(volumes)
            .filter_map(|mut l| {
                Some(RunStamp {
                    run: l.remove(labels::RUN)?,
                    owner: l.remove(labels::OWNER).as_deref().and_then(Owner::parse),
                    keep: l.contains_key(labels::KEEP),
                })
            })
            .collect())
    }

    /// Every container (running or not) matching a label filter.
    async fn labelled_containers(&self, label: &str) -> Result<Vec<ContainerSummary>> {
        let filters = HashMap::from([("label", vec![label])]);
        self.docker
            .list_containers(Some(
                ListContainersOptionsBuilder::default()
                    .all(true)
                    .filters(&filters)
                    .build(),
            ))
            .await
            .ctx(|| format!("listing containers labelled {label}"))
    }

    /// Every network matching a label filter.
    async fn labelled_networks(&self, label: &str) -> Result<Vec<Network>> {
        let filters = HashMap::from([("label", vec![label])]);
        self.docker
            .list_networks(Some(
                ListNetworksOptionsBuilder::default()
                    .filters(&filters)
                    .build(),
            ))
            .await
            .ctx(|| format!("listing networks labelled {label}"))
    }

    /// Removes containers (sidecars first) then networks matching a label filter.
    async fn remove_labelled(&self, label: &str) -> Result<Removed> {
        let containers = self.labelled_containers(label).await?;
        // A sidecar lives in its target's namespace: sidecars go first. Within
        // a wave removals run concurrently (each takes ~0.3 s on this engine).
        let (sidecars, others): (Vec<_>, Vec<_>) = containers.into_iter().partition(|c| {
            let role = c.labels.as_ref().and_then(|l| l.get(labels::ROLE));
            role.map(String::as_str) == Some("sidecar")
        });
        let mut removed = Removed::default();
        let mut failures = Vec::new();
        for wave in [sidecars, others] {
            let ids = wave.iter().filter_map(|c| c.id.as_deref());
            for r in join_all(ids.map(|id| self.remove_container(id))).await {
                match r {
                    Ok(()) => removed.containers += 1,
                    Err(e) => failures.push(e.to_string()),
                }
            }
            removed.runs.extend(
                wave.into_iter()
                    .filter_map(|c| c.labels?.remove(labels::RUN)),
            );
        }
        let networks = self.labelled_networks(label).await?;
        let ids = networks.iter().filter_map(|n| n.id.as_deref());
        for r in join_all(ids.map(|id| self.remove_network(id))).await {
            match r {
                Ok(()) => removed.networks += 1,
                Err(e) => failures.push(e.to_string()),
            }
        }
        removed.runs.extend(
            networks
                .into_iter()
                .filter_map(|n| n.labels?.remove(labels::RUN)),
        );
        // Volumes (a submission copied to a remote engine) once no container uses them.
        let volumes = self.labelled_volumes(label).await?;
        for r in join_all(volumes.iter().map(|v| self.remove_volume(&v.name))).await {
            if let Err(e) = r {
                failures.push(e.to_string());
            }
        }
        removed.runs.extend(
            volumes
                .into_iter()
                .filter_map(|mut v| v.labels.remove(labels::RUN)),
        );
        if failures.is_empty() {
            Ok(removed)
        } else {
            Err(EngineError::Cleanup {
                count: failures.len(),
                details: failures.join("; "),
            })
        }
    }

    /// Removes a network, retrying briefly while endpoints of just-removed
    /// containers are still being released.
    async fn remove_network(&self, id: &str) -> Result<()> {
        let mut attempt = 0;
        loop {
            match self.docker.remove_network(id).await {
                Ok(()) => return Ok(()),
                Err(e) if is_not_found(&e) => return Ok(()),
                Err(_) if attempt < 20 => {
                    attempt += 1;
                    // A standby host borrowed by an interrupted scenario
                    // still holds an endpoint on it, or a dropped connect
                    // attached one since the last look.
                    // Its own failure shows in the last removal's error.
                    if attempt % 5 == 1 {
                        let _ = self.empty_network(id).await;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).ctx(|| format!("removing network {id}")),
            }
        }
    }
}

/// Removes a run's objects when dropped, from a helper thread with its own
/// runtime (Drop cannot await, and may run inside or outside a runtime).
#[derive(Debug)]
pub struct RunGuard {
    run_id: String,
    /// The run's engine; `None` once disarmed.
    engine: Option<crate::docker::EngineAddr>,
}

impl RunGuard {
    /// The run was cleaned up the normal way ([`Run::cleanup`]): dropping
    /// the guard now does nothing.
    pub fn disarm(mut self) {
        self.engine = None;
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        let Some(addr) = self.engine.take() else {
            return;
        };
        let run_id = self.run_id.clone();
        let cleaner = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let engine = Engine::connect_to(&addr).await.map_err(|e| e.to_string())?;
                engine
                    .remove_labelled(&format!("{}={run_id}", labels::RUN))
                    .await
                    .map_err(|e| e.to_string())
            })
        });
        if let Ok(Err(e)) = cleaner.join() {
            eprintln!("netlab: cleanup of run {} failed: {e}", self.run_id);
        }
    }
}
