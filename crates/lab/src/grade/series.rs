//! Samples of one series (a metric of the successful probes) and their percentile.

use crate::resolved::{Metric, Outcome, Series};
use crate::results::{CheckStatus, ProbeRecord, ProbeRun};

use super::{Verdict, fmt};

/// Why a series has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum NoValue {
    /// No probe succeeded: a measured fact, the check fails.
    Failed(String),
    /// Successful probes without the metric's time: missing data, netlab's
    /// fault (`infra_error`).
    Missing(String),
    /// No successful probe has a kernel time stamp (`wire`): the machine
    /// cannot measure it (`unsupported`), never filled in from the
    /// application's clock.
    NotAvailable(String),
}

impl NoValue {
    /// The verdict of a check whose series has no value.
    pub fn verdict(self, expected: String) -> Verdict {
        match self {
            NoValue::Failed(why) => Verdict::new(false, why, expected),
            NoValue::Missing(why) => Verdict::error(why, expected),
            NoValue::NotAvailable(why) => Verdict::of(CheckStatus::Unsupported, why, expected),
        }
    }
}

/// A series' percentile, and for `wire` how many replies had no stamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub us: f64,
    /// `; 2 of 30 replies had no kernel time stamp` (empty when all had).
    pub note: String,
}

fn time(metric: Metric, r: &ProbeRecord) -> Option<f64> {
    match metric {
        Metric::Rtt => r.rtt_us,
        Metric::Connect => r.connect_us,
        Metric::Request => r.request_us,
        Metric::Wire => r.wire_rtt_us,
    }
}

/// The value of a series over the successful probes. A `wire` series is
/// taken over the replies the kernel stamped (a stamp can be missing for a
/// few probes, docs/echo.md); every other series needs every reply's time.
pub fn value(series: &Series, run: &ProbeRun) -> Result<Value, NoValue> {
    let ok: Vec<_> = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .collect();
    if ok.is_empty() {
        return Err(NoValue::Failed(format!(
            "`{}`: no successful probe ({})",
            run.id,
            tally(run)
        )));
    }
    let mut samples: Vec<f64> = ok
        .iter()
        .filter_map(|r| time(series.metric, r))
        .filter(|v| v.is_finite())
        .collect();
    let without = ok.len() - samples.len();
    let mut note = String::new();
    if series.metric == Metric::Wire {
        if samples.is_empty() {
            return Err(NoValue::NotAvailable(format!(
                "`{}`: wire RTT not available: the kernel gave no time stamp for any of the {} replies",
                run.id,
                ok.len()
            )));
        }
        if without > 0 {
            note = format!(
                "; {without} of {} replies had no kernel time stamp",
                ok.len()
            );
        }
    } else if without > 0 {
        return Err(NoValue::Missing(format!(
            "`{}`: {without} of {} successful probes have no {} time",
            run.id,
            ok.len(),
            series.metric.name()
        )));
    }
    samples.sort_by(f64::total_cmp);
    Ok(Value {
        us: percentile(&samples, series.percentile),
        note,
    })
}

/// Nearest-rank percentile of sorted, non-empty samples.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `udp rtt p50`.
pub fn label(series: &Series) -> String {
    format!(
        "{} {} {}",
        series.probe,
        series.metric.name(),
        fmt::pct(series.percentile)
    )
}

/// `0/10 ok: 10 timeout`.
pub fn tally(run: &ProbeRun) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for r in &run.records {
        *counts.entry(r.outcome).or_insert(0u64) += 1;
    }
    fmt::breakdown(&counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 5.0);
        assert_eq!(percentile(&v, 90.0), 9.0);
        assert_eq!(percentile(&v, 99.0), 10.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 100.0), 10.0);
        assert_eq!(percentile(&[7.0], 50.0), 7.0);
    }
}
