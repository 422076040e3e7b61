//! `loss`: share of probes without a correct reply.

use super::{Verdict, fmt};
use crate::resolved::Outcome;
use crate::results::ProbeRun;

pub fn expected(min_pct: f64, max_pct: f64) -> String {
    if min_pct > 0.0 {
        format!(
            "loss between {}% and {}%",
            fmt::sig3(min_pct),
            fmt::sig3(max_pct)
        )
    } else {
        format!("loss ≤ {}%", fmt::sig3(max_pct))
    }
}

pub fn grade(run: &ProbeRun, min_pct: f64, max_pct: f64) -> Verdict {
    let sent = run.records.len() as f64;
    let ok = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .count() as f64;
    let loss = 100.0 * (sent - ok) / sent;
    let measured = format!("loss {}% ({ok}/{sent} replies)", fmt::sig3(loss));
    // A small epsilon so `max: 10%` accepts 1 of 10 despite float rounding.
    let within = loss >= min_pct - 1e-9 && loss <= max_pct + 1e-9;
    Verdict::new(within, measured, expected(min_pct, max_pct))
}

#[cfg(test)]
mod tests {
    use crate::grade::fake::{check, rec, run, udp_summary};
    use crate::resolved::{CheckKind, Outcome};
    use crate::results::CheckStatus;

    fn loss(max_pct: f64) -> crate::Check {
        band(0.0, max_pct)
    }

    fn band(min_pct: f64, max_pct: f64) -> crate::Check {
        check(CheckKind::Loss {
            probe: "udp".into(),
            min_pct,
            max_pct,
        })
    }

    fn nine_of_ten() -> Vec<crate::results::ProbeRun> {
        let mut recs: Vec<_> = (1..=10).map(|i| rec(i, Outcome::Ok, Some(90.0))).collect();
        recs[4] = rec(5, Outcome::Timeout, None);
        vec![run("udp", recs.clone(), Some(udp_summary(&recs)))]
    }

    #[test]
    fn loss_within_bound_passes() {
        let r = crate::evaluate(&loss(10.0), &nine_of_ten());
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.measured, "loss 10% (9/10 replies)");
        assert_eq!(r.expected, "loss ≤ 10%");
    }

    #[test]
    fn loss_above_bound_fails() {
        let r = crate::evaluate(&loss(0.0), &nine_of_ten());
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.expected, "loss ≤ 0%");
    }

    #[test]
    fn loss_band_needs_some_loss() {
        let r = crate::evaluate(&band(15.0, 45.0), &nine_of_ten());
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.expected, "loss between 15% and 45%");
        let r = crate::evaluate(&band(5.0, 45.0), &nine_of_ten());
        assert_eq!(r.status, CheckStatus::Pass);
    }
}
