//! The one stream of run events: what the runner is doing, for the progress
//! display to show while it works. The runner only sends. Results are not
//! events: every report is made from the `LabResult` the run returns (the
//! CLI's export manager writes them), so a report cannot miss an event.

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
    /// A scenario's checks are graded and its containers gone.
    ScenarioFinished {
        lab: String,
        scenario: String,
        passed: usize,
        checks: usize,
        duration_ms: u64,
    },
    LabFinished {
        lab: String,
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
