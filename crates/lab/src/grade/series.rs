//! Samples of one series (a metric of the successful probes) and their percentile.

use crate::resolved::{Metric, Outcome, Series};
use crate::results::ProbeRun;

use super::fmt;

/// The value of a series, or why there is none: `Err((is_error, text))`.
/// No successful probe is a measured fact (fail); successful probes without
/// the metric's time is missing data (error).
pub fn value(series: &Series, run: &ProbeRun) -> Result<f64, (bool, String)> {
    let ok: Vec<_> = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .collect();
    if ok.is_empty() {
        return Err((
            false,
            format!("`{}`: no successful probe ({})", run.id, tally(run)),
        ));
    }
    let mut samples: Vec<f64> = ok
        .iter()
        .filter_map(|r| match series.metric {
            Metric::Rtt => r.rtt_us,
            Metric::Connect => r.connect_us,
            Metric::Request => r.request_us,
        })
        .filter(|v| v.is_finite())
        .collect();
    if samples.len() < ok.len() {
        return Err((
            true,
            format!(
                "`{}`: {} of {} successful probes have no {} time",
                run.id,
                ok.len() - samples.len(),
                ok.len(),
                series.metric.name()
            ),
        ));
    }
    samples.sort_by(f64::total_cmp);
    Ok(percentile(&samples, series.percentile))
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
