//! `compare`: the ratio of two percentiles, e.g. TCP connect+request over UDP.

use super::{Verdict, fmt, series};
use crate::resolved::{Bound, Series};
use crate::results::ProbeRun;

pub fn expected(ratio: &Bound<f64>) -> String {
    match (ratio.min, ratio.max) {
        (Some(lo), Some(hi)) => format!("ratio between {} and {}", fmt::sig3(lo), fmt::sig3(hi)),
        (Some(lo), None) => format!("ratio ≥ {}", fmt::sig3(lo)),
        (None, Some(hi)) => format!("ratio ≤ {}", fmt::sig3(hi)),
        (None, None) => "a ratio".to_owned(),
    }
}

pub fn grade(
    left: (&Series, &ProbeRun),
    right: (&Series, &ProbeRun),
    ratio: &Bound<f64>,
) -> Verdict {
    let expected = expected(ratio);
    let (lv, rv) = match (
        series::value(left.0, left.1),
        series::value(right.0, right.1),
    ) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(no), _) | (_, Err(no)) => return no.verdict(expected),
    };
    let (l, r) = (lv.us, rv.us);
    if r <= 0.0 {
        return Verdict::error(
            format!("{} is {}: no ratio", series::label(right.0), fmt::us(r)),
            expected,
        );
    }
    let q = l / r;
    let measured = format!(
        "ratio {} ({} {} / {} {}){}{}",
        fmt::sig3(q),
        series::label(left.0),
        fmt::us(l),
        series::label(right.0),
        fmt::us(r),
        lv.note,
        rv.note
    );
    let pass = ratio.min.is_none_or(|lo| q >= lo) && ratio.max.is_none_or(|hi| q <= hi);
    Verdict::new(pass, measured, expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fake::{check, rec, run, tcp_rec, udp_summary};
    use crate::resolved::{CheckKind, Metric, Outcome};
    use crate::results::CheckStatus;

    fn cmp(left_metric: Metric, min: Option<f64>, max: Option<f64>) -> crate::Check {
        check(CheckKind::Compare {
            left: Series {
                probe: "tcp".into(),
                metric: left_metric,
                percentile: 50.0,
            },
            right: Series {
                probe: "udp".into(),
                metric: Metric::Rtt,
                percentile: 50.0,
            },
            ratio: Bound { min, max },
        })
    }

    fn runs() -> Vec<ProbeRun> {
        let udp: Vec<_> = [380.0, 385.0, 400.0]
            .iter()
            .enumerate()
            .map(|(i, v)| rec(i as u64 + 1, Outcome::Ok, Some(*v)))
            .collect();
        let tcp = vec![
            tcp_rec(1, 500.0, 390.0),
            tcp_rec(2, 500.0, 400.0),
            tcp_rec(3, 520.0, 410.0),
        ];
        vec![
            run("udp", udp.clone(), Some(udp_summary(&udp))),
            run("tcp", tcp.clone(), Some(udp_summary(&tcp))),
        ]
    }

    #[test]
    fn handshake_ratio_passes() {
        let r = crate::evaluate(&cmp(Metric::Rtt, Some(1.2), None), &runs());
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(
            r.measured,
            "ratio 2.34 (tcp rtt p50 900 µs / udp rtt p50 385 µs)"
        );
        assert_eq!(r.expected, "ratio ≥ 1.2");
    }

    #[test]
    fn band_rejects_outside() {
        let r = crate::evaluate(&cmp(Metric::Rtt, Some(0.3), Some(2.0)), &runs());
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.expected, "ratio between 0.3 and 2");
        let r = crate::evaluate(&cmp(Metric::Request, Some(0.3), Some(3.0)), &runs());
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(
            r.measured,
            "ratio 1.04 (tcp request p50 400 µs / udp rtt p50 385 µs)"
        );
    }

    #[test]
    fn a_side_without_success_fails() {
        let mut rs = runs();
        let recs = vec![rec(1, Outcome::Timeout, None)];
        rs[0] = run("udp", recs.clone(), Some(udp_summary(&recs)));
        let r = crate::evaluate(&cmp(Metric::Rtt, Some(1.2), None), &rs);
        assert_eq!(r.status, CheckStatus::Fail);
    }

    #[test]
    fn infra_error_on_either_side_is_error() {
        let mut rs = runs();
        rs[1].infra_error = Some("exec failed".into());
        let r = crate::evaluate(&cmp(Metric::Rtt, Some(1.2), None), &rs);
        assert_eq!(r.status, CheckStatus::InfraError);
        assert_eq!(r.measured, "probe `tcp` could not run: exec failed");
        assert_eq!(r.expected, "ratio ≥ 1.2");
    }

    #[test]
    fn app_against_wire_of_one_probe() {
        let recs: Vec<_> = [(150.0, 60.0), (160.0, 70.0), (400.0, 80.0)]
            .iter()
            .enumerate()
            .map(|(i, (app, wire))| {
                let mut r = rec(i as u64 + 1, Outcome::Ok, Some(*app));
                r.wire_rtt_us = Some(*wire);
                r
            })
            .collect();
        let runs = [run("udp", recs.clone(), Some(udp_summary(&recs)))];
        let side = |metric| Series {
            probe: "udp".into(),
            metric,
            percentile: 50.0,
        };
        let check = crate::grade::fake::check(CheckKind::Compare {
            left: side(Metric::Rtt),
            right: side(Metric::Wire),
            ratio: Bound {
                min: Some(1.0),
                max: Some(10.0),
            },
        });
        let r = crate::evaluate(&check, &runs);
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(
            r.measured,
            "ratio 2.29 (udp rtt p50 160 µs / udp wire p50 70 µs)"
        );
    }
}
