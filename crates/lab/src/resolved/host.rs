use std::time::Duration;

use indexmap::IndexMap;

use super::{Direction, FwAction, FwProto, Proto, Resolve};

/// Which image a host runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// netlab's `FROM scratch` image; the entrypoint is `netlab-echo`.
    Echo,
    /// netlab's Debian image with iptables, iproute2, tcpdump.
    Tools,
    /// netlab's Debian image with python3 (for Python submissions).
    Python,
    /// Any other image reference, used as written.
    Other(String),
}

/// A host as it starts in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    /// The host's key; also its container hostname and a DNS name.
    pub name: String,
    pub image: Image,
    /// Arguments for the image's entrypoint (`netlab-echo` for `Echo`). For
    /// `Echo` without a command, and for port-closed echo hosts: `["idle"]`.
    /// Empty for other images without a command: the image's default applies.
    pub command: Vec<String>,
    pub env: IndexMap<String, String>,
    /// Extra DNS names (the host name itself is not repeated here).
    pub aliases: Vec<String>,
    /// Networks to join, in the order written.
    pub networks: Vec<String>,
    pub ready: Readiness,
    /// Started without its program in this scenario (nothing listens).
    pub port_closed: bool,
    /// The submission's role this host runs (`netlab grade`): it runs sandboxed,
    /// with the student's folder at `/submission`. `image` and `command` are the
    /// submission's (the command is `sleep infinity` when a run uses the host).
    pub role: Option<String>,
    /// The swarm node it runs on (`netlab run --swarm`), as the file names it.
    pub node: Option<String>,
}

impl Host {
    /// Runs nothing of its own (netlab's `idle`, or `sleep infinity` for a
    /// host a run uses): no host waits on it and it waits on none, so it may
    /// start alongside the others instead of in file order.
    pub fn is_idle(&self) -> bool {
        let idle = match self.image {
            Image::Echo => self.command == ["idle"],
            _ => self.command == ["sleep", "infinity"],
        };
        idle && self.ready == Readiness::Running
    }
}

/// When a started host counts as ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// As soon as the container runs.
    Running,
    /// When this text appears on stdout or stderr.
    Log { text: String, timeout: Duration },
    /// When a socket is bound to this port in the host's namespace.
    Port {
        port: u16,
        proto: Proto,
        timeout: Duration,
    },
}

/// A host not started in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absent {
    pub host: String,
    pub resolve: Resolve,
}

/// Impairments of a host's link, applied by a NET_ADMIN sidecar in its
/// namespace: delay and jitter with tc netem on egress, loss with the
/// iptables `statistic` match on ingress, rate with tc tbf on egress.
#[derive(Debug, Clone, PartialEq)]
pub struct Impairment {
    pub host: String,
    pub delay: Option<Duration>,
    pub jitter: Option<Duration>,
    /// Percent, 0..=100.
    pub loss: Option<f64>,
    /// Bits per second.
    pub rate: Option<u64>,
}

impl Impairment {
    /// Needs the `sch_netem` qdisc (delay, jitter).
    pub fn needs_netem(&self) -> bool {
        self.delay.is_some() || self.jitter.is_some()
    }
}

/// A firewall rule on a host, applied by a NET_ADMIN sidecar in its namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firewall {
    pub host: String,
    pub action: FwAction,
    pub proto: FwProto,
    /// `None`: every port.
    pub port: Option<u16>,
    pub direction: Direction,
}
