//! Runs labs: turns a validated lab into engine steps, emits one stream of
//! run events (progress and reporters listen to it) and returns the results.
//!
//! Flow: [`images::ensure`] builds what the labs need, then
//! [`Runner::run_lab`] (`lab.rs`) creates the lab's networks and runs each
//! scenario as a `ScenarioRun` (`scenario.rs`): start hosts in order
//! (`hosts.rs`), apply faults through a sidecar (`firewall.rs`, `impair.rs`),
//! capture packets around the probes (`capture.rs`, `--capture`), run the
//! probes (`probe.rs`) and the submission's programs (`program.rs`), gather
//! what the servers saw (`contact.rs`), grade the checks. What scenarios
//! share is in `context.rs`; a submission's sandbox in `sandbox.rs`, and how
//! its failures are told from netlab's in `submission.rs`.

mod capture;
mod contact;
mod context;
mod error;
pub mod events;
mod firewall;
mod hosts;
pub mod images;
mod impair;
mod lab;
mod layout;
mod names;
mod probe;
mod program;
mod sandbox;
mod scenario;
mod standby;
mod submission;
mod swarm;

pub use error::RunError;
pub use images::ImageSet;
pub use lab::{RunOptions, Runner};
pub use sandbox::{SANDBOX_USER, SUBMISSION_DIR, Sandbox};
pub use standby::Standby;
pub use swarm::{Node, Swarm, SwarmError};
