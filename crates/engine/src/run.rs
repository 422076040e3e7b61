//! A run scope: every network and container created through it carries the
//! run's labels, so cleanup (and `netlab clean`) can find them by label alone.

use std::collections::HashMap;

use crate::docker::Engine;
use crate::labels::{self, Owner};

/// One run of a lab: a uuid, the lab name and the owning process.
#[derive(Clone, Debug)]
pub struct Run {
    pub(crate) engine: Engine,
    id: String,
    lab: String,
    owner: Owner,
    keep: bool,
}

impl Run {
    /// A new run with a fresh uuid.
    pub fn new(engine: &Engine, lab: &str) -> Run {
        Run::with_id(engine, &uuid::Uuid::new_v4().to_string(), lab)
    }

    /// A run with a given id (e.g. to clean up after a known run).
    pub fn with_id(engine: &Engine, id: &str, lab: &str) -> Run {
        Run {
            engine: engine.clone(),
            id: id.to_string(),
            lab: lab.to_string(),
            owner: Owner::current(),
            keep: false,
        }
    }

    /// A run stamped with another owner (tests of the reaper use a dead one).
    pub fn with_owner(engine: &Engine, id: &str, lab: &str, owner: Owner) -> Run {
        Run {
            owner,
            ..Run::with_id(engine, id, lab)
        }
    }

    /// The same run (id, lab, owner) on another engine: a lab spread over
    /// a swarm's nodes has one scope per node, all found by the same label.
    pub fn on(&self, engine: &Engine) -> Run {
        Run {
            engine: engine.clone(),
            ..self.clone()
        }
    }

    /// Marks the run's objects as kept (`netlab run --keep`): later runs'
    /// reapers leave them for inspection until `netlab clean`.
    pub fn kept(mut self) -> Run {
        self.keep = true;
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn lab(&self) -> &str {
        &self.lab
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// `netlab.run`, `netlab.lab`, `netlab.owner` (and `netlab.keep`).
    pub fn labels(&self) -> HashMap<String, String> {
        let mut l = labels::run_labels(&self.id, &self.lab, &self.owner);
        if self.keep {
            l.insert(labels::KEEP.into(), "true".into());
        }
        l
    }

    /// Docker object name for a logical name: `netlab-<first 8 of run id>-<name>`
    /// (unique per run, readable in `docker ps`).
    pub fn object_name(&self, name: &str) -> String {
        let short: String = self.id.chars().filter(|c| *c != '-').take(8).collect();
        format!("netlab-{short}-{name}")
    }
}
