//! `rtt`: a percentile of one probe's times within bounds.

use std::time::Duration;

use super::{Verdict, fmt, series};
use crate::resolved::{Bound, Series};
use crate::results::ProbeRun;

pub fn expected(s: &Series, bound: &Bound<Duration>) -> String {
    let what = format!("{} {}", s.metric.name(), fmt::pct(s.percentile));
    match (bound.min, bound.max) {
        (Some(lo), Some(hi)) => format!("{what} between {} and {}", fmt::dur(lo), fmt::dur(hi)),
        (Some(lo), None) => format!("{what} ≥ {}", fmt::dur(lo)),
        (None, Some(hi)) => format!("{what} ≤ {}", fmt::dur(hi)),
        (None, None) => what,
    }
}

pub fn grade(s: &Series, run: &ProbeRun, bound: &Bound<Duration>) -> Verdict {
    let expected = expected(s, bound);
    let value = match series::value(s, run) {
        Ok(v) => v,
        Err(no) => return no.verdict(expected),
    };
    let v = value.us;
    let lo_ok = bound.min.is_none_or(|lo| v >= lo.as_secs_f64() * 1e6);
    let hi_ok = bound.max.is_none_or(|hi| v <= hi.as_secs_f64() * 1e6);
    let measured = format!(
        "{} {} {}{}",
        s.metric.name(),
        fmt::pct(s.percentile),
        fmt::us(v),
        value.note
    );
    Verdict::new(lo_ok && hi_ok, measured, expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fake::{check, rec, run, tcp_rec, udp_summary};
    use crate::resolved::{CheckKind, Metric, Outcome};
    use crate::results::CheckStatus;

    fn rtt(metric: Metric, min: Option<u64>, max: Option<u64>) -> crate::Check {
        check(CheckKind::Rtt {
            series: Series {
                probe: "p".into(),
                metric,
                percentile: 50.0,
            },
            bound: Bound {
                min: min.map(Duration::from_micros),
                max: max.map(Duration::from_micros),
            },
        })
    }

    fn udp_run(rtts: &[f64]) -> Vec<ProbeRun> {
        let recs: Vec<_> = rtts
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as u64 + 1, Outcome::Ok, Some(*v)))
            .collect();
        vec![run("p", recs.clone(), Some(udp_summary(&recs)))]
    }

    #[test]
    fn median_below_max_passes() {
        let r = crate::evaluate(
            &rtt(Metric::Rtt, None, Some(5_000)),
            &udp_run(&[90.0, 412.0, 9_000.0]),
        );
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.measured, "rtt p50 412 µs");
        assert_eq!(r.expected, "rtt p50 ≤ 5 ms");
    }

    #[test]
    fn median_above_max_fails() {
        let r = crate::evaluate(
            &rtt(Metric::Rtt, None, Some(5_000)),
            &udp_run(&[6_000.0, 7_000.0, 90.0]),
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "rtt p50 6 ms");
    }

    #[test]
    fn min_bound_applies() {
        let r = crate::evaluate(
            &rtt(Metric::Rtt, Some(100), Some(5_000)),
            &udp_run(&[50.0, 60.0, 70.0]),
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.expected, "rtt p50 between 100 µs and 5 ms");
    }

    #[test]
    fn tcp_connect_metric_is_read() {
        let recs = vec![
            tcp_rec(1, 300.0, 200.0),
            tcp_rec(2, 320.0, 210.0),
            tcp_rec(3, 900.0, 250.0),
        ];
        let runs = [run("p", recs.clone(), Some(udp_summary(&recs)))];
        let r = crate::evaluate(&rtt(Metric::Connect, None, Some(5_000)), &runs);
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.measured, "connect p50 320 µs");
    }

    #[test]
    fn no_successful_probe_fails() {
        let recs = vec![rec(1, Outcome::Timeout, None)];
        let runs = [run("p", recs.clone(), Some(udp_summary(&recs)))];
        let r = crate::evaluate(&rtt(Metric::Rtt, None, Some(5_000)), &runs);
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "`p`: no successful probe (1 timeout)");
    }

    #[test]
    fn missing_metric_is_an_error() {
        // UDP-shaped records have no connect time: missing data, not a network fact.
        let r = crate::evaluate(&rtt(Metric::Connect, None, Some(5_000)), &udp_run(&[100.0]));
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(r.earned, 0.0);
    }

    fn stamped(rtts: &[(f64, Option<f64>)]) -> Vec<ProbeRun> {
        let recs: Vec<_> = rtts
            .iter()
            .enumerate()
            .map(|(i, (app, wire))| {
                let mut r = rec(i as u64 + 1, Outcome::Ok, Some(*app));
                r.wire_rtt_us = *wire;
                r
            })
            .collect();
        vec![run("p", recs.clone(), Some(udp_summary(&recs)))]
    }

    #[test]
    fn wire_is_read_from_the_kernel_stamps_of_the_replies_that_have_one() {
        let runs = stamped(&[(150.0, Some(60.0)), (160.0, None), (170.0, Some(80.0))]);
        let r = crate::evaluate(&rtt(Metric::Wire, None, Some(100)), &runs);
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(
            r.measured,
            "wire p50 60 µs; 1 of 3 replies had no kernel time stamp"
        );
        assert_eq!(r.expected, "wire p50 ≤ 100 µs");
        let all = stamped(&[(150.0, Some(60.0)), (170.0, Some(80.0))]);
        let r = crate::evaluate(&rtt(Metric::Wire, None, Some(100)), &all);
        assert_eq!(
            r.measured, "wire p50 60 µs",
            "no note when every reply has one"
        );
    }

    #[test]
    fn wire_without_any_stamp_is_unsupported_never_the_app_clock() {
        let runs = stamped(&[(150.0, None), (160.0, None)]);
        let r = crate::evaluate(&rtt(Metric::Wire, None, Some(1_000_000)), &runs);
        assert_eq!(r.status, CheckStatus::Unsupported);
        assert_eq!(r.earned, 0.0);
        assert_eq!(
            r.measured,
            "`p`: wire RTT not available: the kernel gave no time stamp for any of the 2 replies"
        );
        assert_eq!(r.explanation, "because", "the lab's explanation stands");
    }
}
