//! The JSON-lines contract of `netlab-echo client --json`: one `probe` object
//! per probe, then one `summary`. The orchestrator (`netlab run`) parses these
//! types back, so field names and meanings are stable; see the README.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Transport protocol of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Udp,
    Tcp,
}

impl Proto {
    /// `udp` or `tcp`, as on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Udp => "udp",
            Proto::Tcp => "tcp",
        }
    }
}

/// How a probe ended. Ordered from success to the kinds of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A correct reply (the uppercase of the request) arrived in time.
    Ok,
    /// Nothing arrived before the probe's timeout (or the TCP connect timeout).
    Timeout,
    /// ECONNREFUSED: TCP RST, or ICMP port unreachable on a connected UDP socket.
    Refused,
    /// EHOSTUNREACH / ENETUNREACH: ARP failed, no route, or ICMP host unreachable.
    Unreachable,
    /// ECONNRESET / EPIPE: the peer reset an established TCP connection.
    Reset,
    /// The server name did not resolve.
    Dns,
    /// A reply arrived but is not the uppercase of the request.
    Mismatch,
}

impl Outcome {
    /// The outcome's name, as in the JSON (`ok`, `refused`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Timeout => "timeout",
            Outcome::Refused => "refused",
            Outcome::Unreachable => "unreachable",
            Outcome::Reset => "reset",
            Outcome::Dns => "dns",
            Outcome::Mismatch => "mismatch",
        }
    }
}

/// One line of `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    Probe(ProbeRecord),
    Summary(Summary),
}

/// One probe: a request sent and its reply (or the error that ended it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Sequence number, from 1; warm-up probes are not reported.
    pub seq: u64,
    pub proto: Proto,
    pub outcome: Outcome,
    /// Wall-clock time (UTC, RFC 3339 with microseconds) when the request was
    /// sent; for TCP, when the connection request (SYN) was issued.
    pub sent_at: String,
    /// Wall-clock time (UTC, RFC 3339 with microseconds) when the reply arrived.
    pub received_at: Option<String>,
    /// Round-trip time in microseconds, from the monotonic clock. For TCP this
    /// is connect + request (the handout's "from the connection request").
    pub rtt_us: Option<f64>,
    /// TCP only: time `connect()` took (the three-way handshake), µs.
    pub connect_us: Option<f64>,
    /// TCP only: request sent -> full reply received on the open connection, µs.
    pub request_us: Option<f64>,
    /// Time from the start of the probe until its outcome was known, µs.
    pub elapsed_us: f64,
    /// Bytes of the request.
    pub bytes: usize,
    /// OS error number behind a failure (e.g. 111 for ECONNREFUSED).
    pub errno: Option<i32>,
    /// Human-readable description of the failure.
    pub error: Option<String>,
}

/// Ping-style statistics of one series of durations, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub count: u64,
    pub min_us: f64,
    pub avg_us: f64,
    pub max_us: f64,
    /// Population standard deviation, as ping's mdev.
    pub mdev_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
}

/// The last line: totals over all probes of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub proto: Proto,
    /// The server as given on the command line (`HOST:PORT`).
    pub server: String,
    pub sent: u64,
    /// Probes that got a correct reply.
    pub received: u64,
    /// 100 * (sent - received) / sent.
    pub loss_pct: f64,
    /// How many probes ended with each outcome.
    pub outcomes: BTreeMap<Outcome, u64>,
    /// Replies that arrived for a probe already answered.
    pub duplicates: u64,
    /// Replies that arrived after their probe had timed out.
    pub late: u64,
    /// Replies that were not the uppercase of their request.
    pub mismatched: u64,
    /// RTT of the successful probes (TCP: connect + request).
    pub rtt: Option<Stats>,
    /// TCP only: handshake time of successful connects.
    pub connect: Option<Stats>,
    /// TCP only: request RTT on the open connection.
    pub request: Option<Stats>,
}
