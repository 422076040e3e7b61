use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::bytes::Bytes;
use crate::span::At;
use crate::units::{Command, Dur};

/// How a student's submission runs (`netlab grade`): its image, one command per
/// role, and the sandbox limits. A lab with this section grades submissions.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a submission: a mapping with `roles` (and optionally `image`, `limits`)"
)]
pub struct SubmissionSpec {
    /// `python` (default: netlab's offline Debian image with python3) or an image reference.
    pub image: Option<At<String>>,
    /// Role name -> how to run it. Commands run in `/submission` (the student's
    /// folder, read-only) and may use `{server_host}` and `{server_port}`.
    pub roles: At<IndexMap<At<String>, At<RoleSpec>>>,
    /// Sandbox limits of every role container (defaults: 256MiB, 0.5 CPU, 64 pids, 64KiB output).
    pub limits: Option<At<LimitsSpec>>,
}

/// One program of the submission.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a role: a mapping with `command`")]
pub struct RoleSpec {
    /// The command, e.g. `python3 UDPServer.py`.
    pub command: At<Command>,
}

/// Sandbox limits for the submission's containers.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "limits: a mapping with `memory`, `cpus`, `pids` and/or `output`"
)]
pub struct LimitsSpec {
    /// Memory limit, without swap (default `256MiB`).
    pub memory: Option<At<Bytes>>,
    /// CPU quota in CPUs (default 0.5).
    pub cpus: Option<At<f64>>,
    /// Highest number of processes and threads (default 64).
    pub pids: Option<At<i64>>,
    /// Output kept per stream of a run (default `64KiB`; first and last half kept).
    pub output: Option<At<Bytes>>,
}

/// `runs:` entry: run a role's program once in its (idle) role host.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a run: a mapping with `id` and `host` (and optionally `stdin`, `deadline`)"
)]
pub struct RunSpec {
    /// Unique within the scenario; `output` and `exits` checks refer to it.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub id: At<String>,
    /// A host of the scenario with a `role`; the role's command is run there.
    pub host: At<String>,
    /// Text written to the program's standard input, which is then closed.
    pub stdin: Option<String>,
    /// Wall-clock limit; past it the program is stopped and checks on it are `timeout` (default `10s`).
    pub deadline: Option<At<Dur>>,
    /// The reference host the program talks to: a host of the scenario
    /// running `[server, --log-requests]`. netlab records what that server
    /// received from the run's host (its request log, or the packets its
    /// firewall counted), and every check of the run fails when nothing
    /// arrived: output a client printed without talking to the server earns
    /// nothing.
    pub server: Option<At<String>>,
}
