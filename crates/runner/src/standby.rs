//! Standby reference hosts: the idle echo hosts of a grading lab (the
//! clients that probe a student's server, a peer) hold no student state, so
//! an engine's grader keeps them between students and attaches each to the
//! next student's network under the host's DNS names, instead of creating
//! and removing a container per scenario. A container start costs far more
//! than a network connect (Docker re-executes itself for every start on a
//! user network); see docs/benchmarks.md.
//!
//! Student containers, reference servers (their logs are a student's
//! evidence) and hosts a fault or a capture touches are always fresh. A
//! borrowed host goes back on standby only after a clean scenario: no probe
//! of it cut off or in error, so no process of an earlier student's probe
//! can still run in it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use netlab_engine::{Container, ContainerSpec, Engine, Removed, Run};
use netlab_lab::{Host, Image, Scenario};

use crate::RunError;

/// The idle hosts one engine keeps between students, in a run scope of
/// their own (labelled like any run: `netlab clean` and the reaper find them).
pub struct Standby {
    run: Run,
    free: Mutex<Vec<(Key, Container)>>,
    /// Numbers the standby containers' Docker names apart.
    made: AtomicUsize,
}

/// What makes two idle hosts interchangeable: image and command (the
/// environment of an idle host is never read; it is part of the key anyway).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    image: String,
    command: Vec<String>,
    env: Vec<(String, String)>,
}

/// A standby host lent to one scenario, attached to its network.
pub(crate) struct Borrowed {
    pub key: Key,
    pub container: Container,
    /// The Docker network it joined for the scenario.
    pub network: String,
}

impl Standby {
    pub fn new(engine: &Engine, lab: &str) -> Standby {
        Standby {
            run: Run::new(engine, &format!("{lab}-standby")),
            free: Mutex::new(Vec::new()),
            made: AtomicUsize::new(0),
        }
    }

    /// The run scope of the standby hosts (for cleanup on interruption).
    pub fn run(&self) -> &Run {
        &self.run
    }

    /// Removes every standby host.
    pub async fn cleanup(&self) -> netlab_engine::Result<Removed> {
        self.free.lock().expect("not poisoned").clear();
        self.run.cleanup().await
    }

    /// The key of `host` when it may be borrowed in `sc`: an idle echo host
    /// on one network, that no fault touches.
    pub(crate) fn key(sc: &Scenario, host: &Host, spec: &ContainerSpec) -> Option<Key> {
        let touched = sc.firewalls.iter().any(|f| f.host == host.name)
            || sc.impairments.iter().any(|i| i.host == host.name);
        let reusable = host.role.is_none()
            && host.image == Image::Echo
            && host.is_idle()
            && !host.port_closed
            && host.networks.len() == 1
            && spec.networks.iter().all(|n| n.ipv4.is_none())
            && !touched;
        reusable.then(|| Key {
            image: spec.image.clone(),
            command: spec.cmd.clone(),
            env: spec.env.clone(),
        })
    }

    /// A host for `spec` on its network: a standby one attached there, or
    /// a new one (in the standby's scope) when none is free.
    pub(crate) async fn borrow(
        &self,
        engine: &Engine,
        key: Key,
        spec: &ContainerSpec,
    ) -> Result<Borrowed, RunError> {
        let attach = spec
            .networks
            .first()
            .expect("a reusable host has one network");
        let network = attach.network.clone();
        let free = {
            let mut free = self.free.lock().expect("not poisoned");
            free.iter()
                .position(|(k, _)| *k == key)
                .map(|i| free.swap_remove(i).1)
        };
        if let Some(c) = free {
            match engine.join_network(&c, &network, &attach.aliases).await {
                Ok(container) => {
                    return Ok(Borrowed {
                        key,
                        container,
                        network,
                    });
                }
                // Whatever went wrong with it, a new one stands in.
                Err(_) => {
                    let _ = engine.remove_container(&c.id).await;
                }
            }
        }
        let n = self.made.fetch_add(1, Ordering::Relaxed);
        let mut fresh = spec.clone();
        fresh.name = format!("standby{n}-{}", spec.name);
        let container = self.run.start_container(&fresh).await?;
        Ok(Borrowed {
            key,
            container,
            network,
        })
    }

    /// Detaches `b` from the scenario's network and puts it back on standby
    /// (`clean`), or removes it.
    pub(crate) async fn give_back(&self, engine: &Engine, b: Borrowed, clean: bool) {
        let left = engine.leave_network(&b.container.id, &b.network).await;
        if clean && left.is_ok() && engine.exit_code(&b.container.id).await.ok() == Some(None) {
            let mut c = b.container;
            c.ips.clear();
            self.free.lock().expect("not poisoned").push((b.key, c));
        } else {
            // The run's cleanup removes it if this fails too.
            let _ = engine.remove_container(&b.container.id).await;
        }
    }
}
