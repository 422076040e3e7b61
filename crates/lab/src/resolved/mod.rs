//! The validated lab with every default applied: what the runner consumes.
//! Plain owned data, no positions; a `Lab` only exists if the file was valid.

mod check;
mod host;
mod probe;
mod submission;

use std::time::Duration;

pub use check::{Bound, Check, CheckKind, Series};
pub use host::{Absent, Firewall, Host, Image, Impairment, Readiness};
pub use probe::{Payload, Probe};
pub use submission::{ProgramRun, Role, SERVER_HOST, SUBMISSION_PORT, SandboxLimits, Submission};

pub use crate::model::{Connection, Direction, FwAction, FwProto, Metric, Placement, Resolve};
pub use netlab_contract::{Case, DEFAULT_PORT, Outcome, Proto, SocketMode};

/// A valid lab file.
#[derive(Debug, Clone, PartialEq)]
pub struct Lab {
    pub name: String,
    pub title: String,
    pub description: String,
    /// The file name as given to `load`/`parse`.
    pub file: String,
    pub networks: Vec<Network>,
    pub scenarios: Vec<Scenario>,
    /// Present when the lab grades submissions (`netlab grade`).
    pub submission: Option<Submission>,
    /// Where `netlab run --swarm` starts hosts that name no `node`.
    pub placement: Placement,
}

impl Lab {
    /// Every host name of the lab, in the order the file first writes it
    /// (the lab's hosts, then those only some scenarios have): the order
    /// `placement: spread` deals them out to nodes in.
    pub fn host_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for sc in &self.scenarios {
            let written = sc.hosts.iter().map(|h| h.name.as_str());
            for name in written.chain(sc.absent.iter().map(|a| a.host.as_str())) {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// The `node` a host of the lab names, if any.
    pub fn node_of(&self, host: &str) -> Option<&str> {
        self.scenarios
            .iter()
            .flat_map(|sc| &sc.hosts)
            .find(|h| h.name == host)
            .and_then(|h| h.node.as_deref())
    }
}

/// A network netlab creates for a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub name: String,
    /// CIDR, only when the file asked for one; otherwise Docker allocates.
    pub subnet: Option<String>,
    /// The hosts may reach the engine's machine through the gateway address
    /// (`host_access: true`); by default nobody holds that address.
    pub host_access: bool,
}

/// One scenario with the lab's hosts and this scenario's faults folded in.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub description: String,
    /// Whole-scenario wall-time bound; past it, unfinished probes become `timeout`.
    pub deadline: Duration,
    /// Hosts to start, in order (absent hosts are left out). Port-closed hosts are
    /// in here with `port_closed` set, their command replaced and readiness `Running`.
    pub hosts: Vec<Host>,
    /// Hosts not started in this scenario.
    pub absent: Vec<Absent>,
    /// Firewall rules to apply (through a sidecar) after the hosts are ready.
    pub firewalls: Vec<Firewall>,
    /// Link impairments to apply (through a sidecar) after the hosts are ready.
    pub impairments: Vec<Impairment>,
    /// Host whose namespace `--capture` records (resolved default: the first
    /// probe's target, or its client when the target is absent).
    pub capture: String,
    pub probes: Vec<Probe>,
    /// Programs of the submission run once each (`netlab grade`), all started together.
    pub runs: Vec<ProgramRun>,
    pub checks: Vec<Check>,
}

impl Scenario {
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    pub fn run(&self, id: &str) -> Option<&ProgramRun> {
        self.runs.iter().find(|r| r.id == id)
    }

    pub fn probe(&self, id: &str) -> Option<&Probe> {
        self.probes.iter().find(|p| p.id == id)
    }

    /// How a probe target that is not started resolves, if it is absent.
    pub fn absent_mode(&self, host: &str) -> Option<Resolve> {
        self.absent
            .iter()
            .find(|a| a.host == host)
            .map(|a| a.resolve)
    }
}
