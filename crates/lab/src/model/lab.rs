use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use super::{CheckSpec, FaultSpec, HostSpec, ProbeSpec, RunSpec, SubmissionSpec};
use crate::span::At;
use crate::units::Dur;

/// A netlab lab: hosts on a private network, faults, probes and graded checks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a lab: a mapping with `name`, `hosts` and `scenarios`"
)]
#[schemars(title = "netlab lab file")]
pub struct LabFile {
    /// Short name used in Docker labels and report file names: lowercase letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: At<String>,
    /// One-line title shown in the report.
    pub title: Option<String>,
    /// Text shown at the top of the report.
    pub description: Option<String>,
    /// Networks of the lab. Default: one internal network `lan` with a subnet Docker allocates.
    pub networks: Option<At<IndexMap<At<String>, Option<NetworkSpec>>>>,
    /// Hosts, started in this order; each waits for readiness before the next one starts.
    /// The key is the host's DNS name. An empty host (`client: {}`) runs netlab's echo image idle.
    /// May be left out when every scenario has its own `hosts`.
    pub hosts: Option<At<IndexMap<At<String>, Option<HostSpec>>>>,
    /// `netlab run --swarm`: `spread` puts the hosts on the swarm's nodes in
    /// turn, in file order (a host's own `node` wins); `together` (default)
    /// keeps every host without a `node` on the manager's engine.
    pub placement: Option<At<Placement>>,
    /// `netlab grade`: how the student's submission runs. A lab with this section
    /// grades submissions and is run by `netlab grade`, not `netlab run`.
    pub submission: Option<At<SubmissionSpec>>,
    /// Scenarios, run one after another, each on fresh containers.
    pub scenarios: At<Vec<At<ScenarioSpec>>>,
}

/// Where `netlab run --swarm` starts the hosts that name no `node`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// On the manager's engine, all together (as without a swarm).
    #[default]
    Together,
    /// On the swarm's nodes in turn, in the order the hosts are written.
    Spread,
}

/// A private network. Always created by netlab for this run only.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a network: a mapping with `subnet` and/or `host_access`"
)]
pub struct NetworkSpec {
    /// No route out of the lab. Always true: netlab's lab networks never route
    /// out; `false` is refused.
    pub internal: Option<At<bool>>,
    /// A CIDR such as `10.99.0.0/24`; default: Docker allocates one.
    pub subnet: Option<At<String>>,
    /// Let the hosts reach the machine that runs the Docker engine through the
    /// network's gateway address (default false: nobody holds the gateway
    /// address, so no program of the lab, a student's least of all, can
    /// reach a service of the grading machine).
    pub host_access: Option<bool>,
}

/// One run of the lab's hosts with some faults, probes and checks.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a scenario: a mapping with `name`, `probes` and/or `runs`, and `checks`"
)]
pub struct ScenarioSpec {
    /// Unique within the lab: lowercase letters, digits and `-`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: At<String>,
    /// One-line title shown in the report.
    pub title: Option<String>,
    /// Text shown in the report above the scenario's checks.
    pub description: Option<String>,
    /// Upper bound on the scenario's wall time (default `120s`); a hang becomes `timeout` outcomes.
    pub deadline: Option<At<Dur>>,
    /// Host whose network namespace `netlab run --capture` records. Default: the target of
    /// the first probe, or its client when that target is absent.
    pub capture: Option<At<String>>,
    /// This scenario's hosts instead of the lab's (same syntax as the lab's `hosts`).
    pub hosts: Option<At<IndexMap<At<String>, Option<HostSpec>>>>,
    /// Faults applied before the probes run.
    #[serde(default, deserialize_with = "crate::units::null_as_empty")]
    #[schemars(with = "Option<Vec<FaultSpec>>")]
    pub faults: Vec<At<FaultSpec>>,
    /// Client runs; each `id` is unique within the scenario.
    #[serde(default, deserialize_with = "crate::units::null_as_empty")]
    #[schemars(with = "Option<Vec<ProbeSpec>>")]
    pub probes: Vec<At<ProbeSpec>>,
    /// `netlab grade`: programs of the submission run once each (all started together),
    /// after the faults; `output` and `exits` checks grade them.
    #[serde(default, deserialize_with = "crate::units::null_as_empty")]
    #[schemars(with = "Option<Vec<RunSpec>>")]
    pub runs: Vec<At<RunSpec>>,
    /// Graded checks over this scenario's probes.
    #[serde(default, deserialize_with = "crate::units::null_as_empty")]
    #[schemars(with = "Option<Vec<CheckSpec>>")]
    pub checks: Vec<At<CheckSpec>>,
}
