use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::span::At;
use crate::units::{Command, Dur};

/// A host: one container on the lab's network(s).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a host: a mapping with `image`, `command`, `ready`, ..."
)]
pub struct HostSpec {
    /// `echo` (default: netlab's image, entrypoint `netlab-echo`), `tools`, `python`, or an image reference.
    pub image: Option<At<String>>,
    /// Arguments, as a list or a string split on whitespace. For `echo`: `server`, `idle` (default).
    pub command: Option<Command>,
    /// Environment variables.
    #[serde(default)]
    pub env: IndexMap<String, String>,
    /// Networks the host joins; default: every network of the lab.
    pub networks: Option<Vec<At<String>>>,
    /// Extra DNS names; the host's own key is always one.
    #[serde(default)]
    pub aliases: Vec<At<String>>,
    /// When the host counts as started; default: as soon as its container runs.
    pub ready: Option<At<ReadySpec>>,
    /// `netlab grade` only: the host runs this role of the student's submission,
    /// sandboxed (not with `image` or `command`). A host that a `run` uses idles
    /// and the role's program is started by the run.
    pub role: Option<At<String>>,
    /// `netlab run --swarm`: the swarm node this host runs on: the node's ID,
    /// its hostname, or the value of its `netlab.node` label (a node label or
    /// an engine label). Without `--swarm` every host runs on one engine.
    pub node: Option<At<String>>,
}

/// Readiness: a line in the output or a bound port (exactly one), within a timeout.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "readiness: a mapping with `log` or `port`, and `timeout`"
)]
pub struct ReadySpec {
    /// Text to wait for on the host's stdout or stderr (e.g. `ready`).
    pub log: Option<String>,
    /// A socket to wait for in the host's namespace: `12000/udp`, `12000/tcp` or `12000` (tcp).
    pub port: Option<At<PortSpec>>,
    /// How long to wait (default `10s`).
    pub timeout: Option<At<Dur>>,
}

/// A port number, optionally with `/udp` or `/tcp`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "a port such as `12000/udp` or `12000`")]
pub enum PortSpec {
    Number(i64),
    Text(String),
}
