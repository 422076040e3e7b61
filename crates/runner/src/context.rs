//! What every scenario of a lab shares ([`Ctx`]) and the containers one
//! scenario has started ([`Live`]). The runner's modules take these or
//! narrower arguments; none of them imports `scenario.rs`, which drives them.

use std::collections::HashMap;
use std::path::Path;

use netlab_engine::{Container, Engine, EngineError, NetworkInfo, Run, Sidecar};
use netlab_lab::Scenario;

use crate::events::{Event, Events};
use crate::layout::Layout;
use crate::sandbox::Sandbox;
use crate::standby::{Borrowed, Standby};
use crate::{ImageSet, RunError};

/// Output kept of a program that is not a student's (no sandbox limits).
const DEFAULT_OUTPUT_CAP: usize = 64 << 10;

pub(crate) struct Ctx<'a> {
    /// The engine that holds the lab's networks (a swarm's manager). A
    /// submission (`netlab grade`) is always graded on one engine, so the
    /// modules that watch a student's programs use this one.
    pub engine: &'a Engine,
    /// Which engine (and run scope) each host is on.
    pub layout: &'a Layout,
    pub images: &'a ImageSet,
    pub networks: &'a [NetworkInfo],
    pub events: &'a Events,
    pub lab: &'a str,
    pub keep: bool,
    /// `--capture`: the directory for the scenarios' pcaps.
    pub capture_dir: Option<&'a Path>,
    /// `netlab grade`: the submission being graded, and its limits.
    pub sandbox: Option<&'a Sandbox>,
    /// `netlab grade`: idle reference hosts kept between students.
    pub standby: Option<&'a Standby>,
}

impl<'a> Ctx<'a> {
    /// Reports a step of `scenario` to the progress display.
    pub(crate) fn step(&self, scenario: &Scenario, text: impl Into<String>) {
        self.events.send(Event::Step {
            lab: self.lab.to_string(),
            scenario: scenario.name.clone(),
            text: text.into(),
        });
    }

    /// The engine `host` is on.
    pub(crate) fn engine_of(&self, host: &str) -> &'a Engine {
        self.layout.engine(host)
    }

    /// The run scope of `host`'s engine.
    pub(crate) fn run_of(&self, host: &str) -> &'a Run {
        self.layout.run(host)
    }

    /// The lab network called `name` (as the lab file names it).
    pub(crate) fn network(&self, name: &str) -> Result<&NetworkInfo, RunError> {
        network(self.networks, name)
    }

    /// How much of a program's stdout and of its stderr is kept.
    pub(crate) fn output_cap(&self) -> usize {
        self.sandbox
            .map_or(DEFAULT_OUTPUT_CAP, |s| s.limits.output_bytes as usize)
    }
}

/// The network called `name` among those the lab created.
pub(crate) fn network<'n>(
    networks: &'n [NetworkInfo],
    name: &str,
) -> Result<&'n NetworkInfo, RunError> {
    networks.iter().find(|n| n.name == name).ok_or_else(|| {
        RunError::Engine(EngineError::Unexpected {
            action: format!("looking up network `{name}`"),
            detail: "the lab's network was not created".into(),
        })
    })
}

/// The containers a scenario started, removed at its end.
#[derive(Default)]
pub(crate) struct Live {
    pub hosts: HashMap<String, Container>,
    /// Each with the host whose namespace it lives in (and whose engine it is on).
    pub sidecars: Vec<(String, Container)>,
    /// The firewall sidecar of each host whose firewall also counts what
    /// the scenario's runs send it (see `contact.rs`).
    pub firewalls: HashMap<String, Sidecar>,
    /// Hosts lent by the standby (also in `hosts`): detached, not removed.
    pub borrowed: Vec<Borrowed>,
}
