use std::time::Duration;

use super::{Metric, Outcome};

/// A graded check.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: String,
    pub points: f64,
    /// The lab author's explanation; empty when none was given.
    pub explain: String,
    /// Shown instead of `explain` when the check fails; empty when none was given.
    pub explain_fail: String,
    pub kind: CheckKind,
}

/// Bounds, either or both of `min` and `max`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound<T> {
    pub min: Option<T>,
    pub max: Option<T>,
}

/// One percentile of a probe's times.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub probe: String,
    pub metric: Metric,
    /// 0..=100.
    pub percentile: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// Every probe ended with `is`, or at least `at_least` of them did; with
    /// `within`, each such outcome was known within that time.
    Outcome {
        probe: String,
        is: Outcome,
        at_least: Option<u32>,
        within: Option<Duration>,
    },
    /// At least one reply and no wrong ones.
    Replies { probe: String },
    /// Loss percentage within `min_pct..=max_pct`.
    Loss {
        probe: String,
        min_pct: f64,
        max_pct: f64,
    },
    /// A percentile of one series within bounds.
    Rtt {
        series: Series,
        bound: Bound<Duration>,
    },
    /// `left / right` within bounds.
    Compare {
        left: Series,
        right: Series,
        ratio: Bound<f64>,
    },
    /// The run's stdout+stderr has at least `at_least` matches of `pattern`.
    Output {
        run: String,
        pattern: String,
        at_least: u32,
    },
    /// The run's program ended by itself within `within`, with `code` if given.
    Exits {
        run: String,
        within: Duration,
        code: Option<i64>,
    },
    /// The run's server received its request and the program printed the
    /// reply; with `rtt_floor`, a printed RTT no lower than that probe's
    /// fastest time.
    Served {
        run: String,
        rtt_floor: Option<Series>,
    },
}

impl CheckKind {
    /// The key used in the lab file: `outcome`, `replies`, `loss`, `rtt`, `compare`.
    pub fn key(&self) -> &'static str {
        match self {
            CheckKind::Outcome { .. } => "outcome",
            CheckKind::Replies { .. } => "replies",
            CheckKind::Loss { .. } => "loss",
            CheckKind::Rtt { .. } => "rtt",
            CheckKind::Compare { .. } => "compare",
            CheckKind::Output { .. } => "output",
            CheckKind::Exits { .. } => "exits",
            CheckKind::Served { .. } => "served",
        }
    }

    /// Probe ids the check reads.
    pub fn probes(&self) -> Vec<&str> {
        match self {
            CheckKind::Outcome { probe, .. }
            | CheckKind::Replies { probe }
            | CheckKind::Loss { probe, .. } => vec![probe],
            CheckKind::Rtt { series, .. } => vec![&series.probe],
            CheckKind::Compare { left, right, .. } => vec![&left.probe, &right.probe],
            CheckKind::Served { rtt_floor, .. } => {
                rtt_floor.iter().map(|s| s.probe.as_str()).collect()
            }
            CheckKind::Output { .. } | CheckKind::Exits { .. } => vec![],
        }
    }

    /// The program run the check reads, if it grades a run.
    pub fn run(&self) -> Option<&str> {
        match self {
            CheckKind::Output { run, .. }
            | CheckKind::Exits { run, .. }
            | CheckKind::Served { run, .. } => Some(run),
            _ => None,
        }
    }
}
