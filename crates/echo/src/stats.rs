//! Ping-style statistics and the run summary.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use netlab_contract::{Outcome, ProbeRecord, Proto, SocketMode, Stats, Summary};

/// Longest duration the percentiles resolve: one hour, in nanoseconds.
const MAX_NS: u64 = 3_600_000_000_000;

/// min/avg/max/mdev (exact) and p50/p90/p99 (HDR histogram, 3 significant
/// digits, recorded in nanoseconds) of `samples` in microseconds.
pub fn stats(samples: &[f64]) -> Option<Stats> {
    if samples.is_empty() {
        return None;
    }
    let n = samples.len() as f64;
    let avg = samples.iter().sum::<f64>() / n;
    let var = samples.iter().map(|s| (s - avg).powi(2)).sum::<f64>() / n;
    let mut hist = Histogram::<u64>::new_with_bounds(1, MAX_NS, 3).expect("valid histogram bounds");
    for s in samples {
        let ns = ((s * 1000.0).round() as u64).clamp(1, MAX_NS);
        hist.record(ns).expect("value within bounds");
    }
    let q = |quantile: f64| hist.value_at_quantile(quantile) as f64 / 1000.0;
    Some(Stats {
        count: samples.len() as u64,
        min_us: samples.iter().copied().fold(f64::INFINITY, f64::min),
        avg_us: avg,
        max_us: samples.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        mdev_us: var.sqrt(),
        p50_us: q(0.50),
        p90_us: q(0.90),
        p99_us: q(0.99),
    })
}

/// Replies that did not belong to a probe in progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Strays {
    pub duplicates: u64,
    pub late: u64,
    /// Wrong replies that were not a probe's outcome (e.g. an unknown seq).
    pub mismatched: u64,
}

/// The summary line over all reported probes of a client whose UDP socket
/// was of kind `socket` (TCP: `connected`).
pub fn summarize(
    proto: Proto,
    socket: SocketMode,
    server: &str,
    probes: &[ProbeRecord],
    strays: Strays,
) -> Summary {
    let mut outcomes = BTreeMap::new();
    for p in probes {
        *outcomes.entry(p.outcome).or_insert(0) += 1;
    }
    let ok: Vec<&ProbeRecord> = probes.iter().filter(|p| p.outcome == Outcome::Ok).collect();
    let series = |f: fn(&ProbeRecord) -> Option<f64>| {
        stats(&ok.iter().filter_map(|p| f(p)).collect::<Vec<_>>())
    };
    let sent = probes.len() as u64;
    let received = ok.len() as u64;
    let tcp = proto == Proto::Tcp;
    Summary {
        proto,
        server: server.to_string(),
        sent,
        received,
        loss_pct: if sent == 0 {
            0.0
        } else {
            100.0 * (sent - received) as f64 / sent as f64
        },
        outcomes,
        duplicates: strays.duplicates,
        late: strays.late,
        mismatched: strays.mismatched + outcomes_of(probes, Outcome::Mismatch),
        rtt: series(|p| p.rtt_us),
        connect: if tcp { series(|p| p.connect_us) } else { None },
        request: if tcp { series(|p| p.request_us) } else { None },
        wire: series(|p| p.wire_rtt_us),
        socket,
    }
}

fn outcomes_of(probes: &[ProbeRecord], outcome: Outcome) -> u64 {
    probes.iter().filter(|p| p.outcome == outcome).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ping_style_numbers() {
        let s = stats(&[100.0, 200.0, 300.0, 400.0]).unwrap();
        assert_eq!(
            (s.count, s.min_us, s.avg_us, s.max_us),
            (4, 100.0, 250.0, 400.0)
        );
        assert!((s.mdev_us - 111.803).abs() < 0.01, "{}", s.mdev_us);
        assert!((s.p50_us - 200.0).abs() <= 0.2, "{}", s.p50_us);
        assert!((s.p99_us - 400.0).abs() <= 0.4, "{}", s.p99_us);
        assert_eq!(stats(&[]), None);
    }
}
