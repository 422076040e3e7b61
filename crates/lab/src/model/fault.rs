use schemars::JsonSchema;
use serde::Deserialize;

use crate::span::At;
use crate::units::{Dur, Percent, Rate};

/// A fault. Exactly one of `port_closed`, `absent`, `firewall`, `impair` names the target
/// host; the other keys refine it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a fault: `port_closed: HOST`, `absent: HOST`, `firewall: HOST` or `impair: HOST`"
)]
pub struct FaultSpec {
    /// The host runs but its program does not (echo image: `idle`): nothing listens.
    pub port_closed: Option<At<String>>,
    /// The host is not started at all.
    pub absent: Option<At<String>>,
    /// A firewall rule on the host, applied by a sidecar sharing its network namespace.
    pub firewall: Option<At<String>>,
    /// Impairments on the host's link (`delay`, `jitter`, `loss`, `rate`), applied by a
    /// sidecar sharing its network namespace with `tc` and iptables.
    pub impair: Option<At<String>>,
    /// `absent` only: `none` (default) = the name does not resolve; `address` = probes go to an
    /// unused address of the lab's subnet (ARP fails).
    pub resolve: Option<At<Resolve>>,
    /// `firewall` only, required: `drop` (silence) or `reject` (ICMP port unreachable / RST).
    pub action: Option<At<FwAction>>,
    /// `firewall` only: `udp`, `tcp` or `all` (default).
    pub proto: Option<At<FwProto>>,
    /// `firewall` only: the port the rule matches; default: every port.
    pub port: Option<At<i64>>,
    /// `firewall` only: `in` (default, packets to the host) or `out`.
    pub direction: Option<At<Direction>>,
    /// `impair` only: delay added to every packet the host sends (tc netem; needs `sch_netem`).
    pub delay: Option<At<Dur>>,
    /// `impair` only, with `delay`: random variation of the delay, ± this much (tc netem).
    pub jitter: Option<At<Dur>>,
    /// `impair` only: share of the packets arriving at the host that are dropped at random
    /// (iptables `statistic` match).
    pub loss: Option<At<Percent>>,
    /// `impair` only: bandwidth of the host's outgoing traffic, e.g. `1mbit` (tc tbf).
    pub rate: Option<At<Rate>>,
}

/// How a probe reaches an absent host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Resolve {
    /// The name does not resolve (`dns`).
    #[default]
    None,
    /// The name maps to an address in the lab's subnet that nobody holds (`unreachable`).
    Address,
}

/// What a firewall rule does with matching packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FwAction {
    /// Discard silently (iptables DROP).
    Drop,
    /// Answer with an error (iptables REJECT with its default: ICMP port unreachable, for UDP
    /// and TCP alike).
    Reject,
}

/// Protocols a firewall rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FwProto {
    Udp,
    Tcp,
    #[default]
    All,
}

/// Direction a firewall rule matches, seen from the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    In,
    Out,
}
