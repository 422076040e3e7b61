use schemars::JsonSchema;
use serde::Deserialize;

use crate::span::At;
use crate::units::{Dur, Percent};
use netlab_contract::Outcome;

/// A graded check: `name`, `points`, `explain`, `explain_fail`, and exactly one kind key
/// (`outcome`, `replies`, `loss`, `rtt`, `compare`, `output`, `exits`, `served`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a check: a mapping with `name` and one of `outcome`, `replies`, `loss`, `rtt`, `compare`, `output`, `exits`, `served`"
)]
pub struct CheckSpec {
    /// What the check asserts, in words; shown in the report.
    pub name: At<String>,
    /// Points the check is worth (default 1).
    #[schemars(range(min = 0))]
    pub points: Option<At<f64>>,
    /// The mechanism behind the expected result; printed with the check.
    pub explain: Option<String>,
    /// What a failure means, printed instead of `explain` when the check does
    /// not pass (e.g. why a measured ratio can contradict the textbook).
    pub explain_fail: Option<String>,
    /// How the probes ended.
    pub outcome: Option<At<OutcomeCheck>>,
    /// Every reply is the uppercase of its request.
    pub replies: Option<At<RepliesCheck>>,
    /// Share of probes without a correct reply.
    pub loss: Option<At<LossCheck>>,
    /// A percentile of a probe's round-trip times.
    pub rtt: Option<At<RttCheck>>,
    /// The ratio of two percentiles, `left / right`.
    pub compare: Option<At<CompareCheck>>,
    /// `netlab grade`: a run's output matches a regular expression.
    pub output: Option<At<OutputCheck>>,
    /// `netlab grade`: a run's program ended by itself in time.
    pub exits: Option<At<ExitsCheck>>,
    /// `netlab grade`: the run's server received the program's request, and
    /// the program printed the reply the server sent back.
    pub served: Option<At<ServedCheck>>,
}

/// `served: {run: udp}`: the reference server the run names in `server`
/// received a request from the run's host, and the program printed the reply
/// the server sent back. With `rtt_floor`, the program must also print an RTT
/// figure (`RTT: 0.412 ms`) no lower than the fastest round trip netlab
/// measured with a probe on the same kind of path, and no longer than the
/// program ran.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a served check: a mapping with `run` and optionally `rtt_floor`"
)]
pub struct ServedCheck {
    /// The run's `id`; the run must name its `server`.
    pub run: At<String>,
    /// The probe whose fastest round trip is the lowest believable RTT.
    pub rtt_floor: Option<At<RttFloor>>,
}

/// `rtt_floor: {probe: path, metric: rtt}`: the minimum of one probe's times.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an RTT floor: a mapping with `probe` and optionally `metric`"
)]
pub struct RttFloor {
    /// The probe's `id` (a reference probe to the run's server).
    pub probe: At<String>,
    /// `rtt` (default), `wire`, or `connect` or `request` (TCP only).
    pub metric: Option<At<Metric>>,
}

/// `output: {run: client, matches: "HELLO"}`: the run's stdout and stderr contain a match
/// of the regular expression (Rust `regex` syntax, searched anywhere), `at_least` times.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an output check: a mapping with `run` and `matches`"
)]
pub struct OutputCheck {
    /// The run's `id`.
    pub run: At<String>,
    /// A regular expression, e.g. `HELLO NETLAB` or `(?i)rtt`.
    pub matches: At<String>,
    /// Matches needed (default 1).
    #[schemars(range(min = 1))]
    pub at_least: Option<At<i64>>,
}

/// `exits: {run: client, within: 10s}`: the program ended on its own, within
/// `within` (default: the run's deadline), with exit code `code` if given.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an exits check: a mapping with `run`"
)]
pub struct ExitsCheck {
    /// The run's `id`.
    pub run: At<String>,
    /// Longest acceptable running time.
    pub within: Option<At<Dur>>,
    /// Required exit code; any code when left out.
    pub code: Option<At<i64>>,
}

/// `outcome: {probe: udp, is: refused}`: every probe ended so (or `at_least` N of them).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an outcome check: a mapping with `probe` and `is`"
)]
pub struct OutcomeCheck {
    /// The probe's `id`.
    pub probe: At<String>,
    /// The expected outcome.
    pub is: Outcome,
    /// Pass when at least this many probes ended so (default: every probe).
    #[schemars(range(min = 1))]
    pub at_least: Option<At<i64>>,
    /// Each such outcome must be known within this time after its probe started.
    pub within: Option<At<Dur>>,
}

/// `replies: {probe: udp}`: at least one reply, and none wrong.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a replies check: a mapping with `probe`"
)]
pub struct RepliesCheck {
    /// The probe's `id`.
    pub probe: At<String>,
}

/// `loss: {probe: udp, max: 0%}`, or a band `{probe: udp, min: 15%, max: 45%}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a loss check: a mapping with `probe` and `max`"
)]
pub struct LossCheck {
    /// The probe's `id`.
    pub probe: At<String>,
    /// Highest acceptable loss.
    pub max: Percent,
    /// Lowest acceptable loss (default 0%): for labs that impose loss on purpose.
    pub min: Option<At<Percent>>,
}

/// `rtt: {probe: udp, metric: rtt, percentile: 50, max: 5ms}`: min and/or max.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "an rtt check: a mapping with `probe`, `percentile` and `min` and/or `max`"
)]
pub struct RttCheck {
    /// The probe's `id`.
    pub probe: At<String>,
    /// `rtt` (default; TCP: connect + request), `wire` (from kernel time
    /// stamps), `connect` or `request` (TCP only).
    pub metric: Option<At<Metric>>,
    /// 0..100, e.g. 50 for the median (default 50).
    #[schemars(range(min = 0, max = 100))]
    pub percentile: Option<At<f64>>,
    /// Lowest acceptable value.
    pub min: Option<At<Dur>>,
    /// Highest acceptable value.
    pub max: Option<At<Dur>>,
}

/// `compare: {left: {...}, right: {...}, ratio: {min: 1.2}}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a compare check: a mapping with `left`, `right` and `ratio`"
)]
pub struct CompareCheck {
    /// Numerator of the ratio.
    pub left: At<Series>,
    /// Denominator of the ratio.
    pub right: At<Series>,
    /// Bounds on `left / right`: `min` and/or `max`.
    pub ratio: At<Ratio>,
}

/// A percentile of one probe's times.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a series: a mapping with `probe`, `metric` and `percentile`"
)]
pub struct Series {
    /// The probe's `id`.
    pub probe: At<String>,
    /// `rtt` (default), `wire` (from kernel time stamps), `connect` or
    /// `request` (TCP only).
    pub metric: Option<At<Metric>>,
    /// 0..100 (default 50).
    #[schemars(range(min = 0, max = 100))]
    pub percentile: Option<At<f64>>,
}

/// Bounds on a ratio.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "ratio bounds: a mapping with `min` and/or `max`"
)]
pub struct Ratio {
    pub min: Option<At<f64>>,
    pub max: Option<At<f64>>,
}

/// Which time of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Round trip as the client sees it; TCP per-probe: connect + request.
    #[default]
    Rtt,
    /// TCP: the three-way handshake (`connect()`).
    Connect,
    /// TCP: request sent to reply received, on the open connection.
    Request,
    /// The round trip from the kernel's time stamps: the request leaving the
    /// client's host to the reply arriving there, without the client's own
    /// system calls and wake-ups (TCP: the request on the open connection,
    /// comparable to `request`). Probes without stamps are left out; none
    /// at all makes the check `unsupported`.
    Wire,
}

impl Metric {
    /// The name as written in the lab file.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Rtt => "rtt",
            Metric::Connect => "connect",
            Metric::Request => "request",
            Metric::Wire => "wire",
        }
    }
}
