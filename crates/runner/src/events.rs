//! The one stream of run events. Progress bars and every reporter listen to
//! it (as cargo-nextest's reporters do); the runner only sends.

use netlab_lab::results::{LabResult, ProbeRun, ScenarioResult};
use tokio::sync::mpsc::UnboundedSender;

#[derive(Debug, Clone)]
pub enum Event {
    /// An image is being built; `step` is a short line of build output.
    ImageBuilding {
        image: String,
        step: String,
    },
    ImageReady {
        image: String,
        tag: String,
    },
    LabStarted {
        lab: String,
        title: String,
        scenarios: usize,
    },
    ScenarioStarted {
        lab: String,
        scenario: String,
        index: usize,
    },
    /// What the scenario is doing now ("starting server", "probe udp").
    Step {
        lab: String,
        scenario: String,
        text: String,
    },
    ProbeFinished {
        lab: String,
        scenario: String,
        probe: Box<ProbeRun>,
    },
    ScenarioFinished {
        lab: String,
        result: Box<ScenarioResult>,
    },
    LabFinished {
        result: Box<LabResult>,
    },
}

/// Where the runner sends its events. Sending never fails the run: a
/// listener that went away just stops listening.
#[derive(Debug, Clone)]
pub struct Events(Option<UnboundedSender<Event>>);

impl Events {
    pub fn new(tx: UnboundedSender<Event>) -> Self {
        Events(Some(tx))
    }

    /// Events to nobody (tests, library use).
    pub fn none() -> Self {
        Events(None)
    }

    pub fn send(&self, event: Event) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(event);
        }
    }
}
