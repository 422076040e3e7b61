use schemars::JsonSchema;
use serde::Deserialize;

use crate::span::At;
use crate::units::Dur;
use netlab_contract::{Proto, SocketMode};

/// A client run: `netlab-echo client` on host `from`, aimed at host `to`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a probe: a mapping with `id`, `from`, `to` and `proto`"
)]
pub struct ProbeSpec {
    /// Unique within the scenario; checks refer to it.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub id: At<String>,
    /// Host the client runs on.
    pub from: At<String>,
    /// Host of the lab the client talks to, `HOST` or `HOST:PORT` (port default 12000).
    pub to: At<String>,
    /// `udp` or `tcp`.
    pub proto: At<Proto>,
    /// Number of probes (default 10).
    #[schemars(range(min = 1))]
    pub count: Option<At<i64>>,
    /// Time between probe starts (default `100ms`).
    pub interval: Option<At<Dur>>,
    /// How long to wait for each reply (default `1s`).
    pub timeout: Option<At<Dur>>,
    /// TCP: how long `connect()` may take (default `3s`).
    pub connect_timeout: Option<At<Dur>>,
    /// Text of each request (default `hello from netlab`); not with `size`.
    pub message: Option<At<String>>,
    /// Size of each request in bytes, instead of `message`.
    #[schemars(range(min = 1, max = 65507))]
    pub size: Option<At<i64>>,
    /// Probes sent first and not reported (default 0).
    #[schemars(range(min = 0))]
    pub warmup: Option<At<i64>>,
    /// TCP: `per-probe` (default; connect, send, receive, close each time, as the handout's
    /// client) or `persistent` (one connection for all probes).
    pub connection: Option<At<Connection>>,
    /// UDP: `connected` (default; `connect()` and `IP_RECVERR`, so ICMP errors reach the
    /// client) or `unconnected` (`sendto`/`recvfrom` as the handout's client, to which Linux
    /// reports no ICMP error).
    pub socket: Option<At<SocketMode>>,
    /// Clients started at once from `from`, each sending `count` probes (default 1):
    /// the server must serve them concurrently.
    #[schemars(range(min = 1, max = 32))]
    pub clients: Option<At<i64>>,
}

/// How a TCP probe uses connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Connection {
    /// Connect, send, receive and close for every probe (the handout's client).
    #[default]
    PerProbe,
    /// One connection for all probes.
    Persistent,
}
