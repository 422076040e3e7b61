//! `outcome`: how the probes ended.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Verdict, fmt};
use crate::resolved::Outcome;
use crate::results::ProbeRun;

pub fn expected(is: Outcome, at_least: Option<u32>, within: Option<Duration>) -> String {
    let base = match at_least {
        None => format!("every probe {}", is.name()),
        Some(k) => format!("at least {k} {}", is.name()),
    };
    match within {
        None => base,
        Some(w) => format!("{base}, each within {}", fmt::dur(w)),
    }
}

pub fn grade(
    run: &ProbeRun,
    is: Outcome,
    at_least: Option<u32>,
    within: Option<Duration>,
) -> Verdict {
    let n = run.records.len() as u64;
    let limit_us = within.map(|w| w.as_secs_f64() * 1e6);
    let mut counts: BTreeMap<Outcome, u64> = BTreeMap::new();
    let mut matched = 0u64;
    let mut late = 0u64;
    let mut slowest_us = 0f64;
    for r in &run.records {
        *counts.entry(r.outcome).or_default() += 1;
        if r.outcome == is {
            slowest_us = slowest_us.max(r.elapsed_us);
            if limit_us.is_some_and(|l| r.elapsed_us > l) {
                late += 1;
            } else {
                matched += 1;
            }
        }
    }
    let hits = counts.get(&is).copied().unwrap_or(0);
    let mut measured = format!("{hits}/{n} {}", is.name());
    counts.remove(&is);
    if !counts.is_empty() {
        measured.push_str(", ");
        measured.push_str(&fmt::breakdown(&counts));
    }
    if within.is_some() && hits > 0 {
        measured.push_str(&format!(" (slowest {}", fmt::us(slowest_us)));
        if late > 0 {
            measured.push_str(&format!(", {late} too late"));
        }
        measured.push(')');
    }
    let pass = match at_least {
        None => matched == n,
        Some(k) => matched >= u64::from(k),
    };
    Verdict::new(pass, measured, expected(is, at_least, within))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::fake::{check, rec, run, udp_summary};
    use crate::resolved::CheckKind;
    use crate::results::CheckStatus;

    fn outcome_check(is: Outcome, at_least: Option<u32>, within: Option<Duration>) -> crate::Check {
        check(CheckKind::Outcome {
            probe: "udp".into(),
            is,
            at_least,
            within,
        })
    }

    fn refused_then_timeouts() -> ProbeRun {
        let recs = vec![
            rec(1, Outcome::Refused, None),
            rec(2, Outcome::Refused, None),
            rec(3, Outcome::Timeout, None),
        ];
        run("udp", recs.clone(), Some(udp_summary(&recs)))
    }

    #[test]
    fn every_probe_needs_the_outcome() {
        let r = crate::evaluate(
            &outcome_check(Outcome::Refused, None, None),
            &[refused_then_timeouts()],
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "2/3 refused, 1 timeout");
        assert_eq!(r.expected, "every probe refused");
        assert_eq!(r.earned, 0.0);
    }

    #[test]
    fn at_least_counts_matches() {
        let r = crate::evaluate(
            &outcome_check(Outcome::Refused, Some(1), None),
            &[refused_then_timeouts()],
        );
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.expected, "at least 1 refused");
        assert_eq!(r.earned, r.points);
        let r = crate::evaluate(
            &outcome_check(Outcome::Refused, Some(3), None),
            &[refused_then_timeouts()],
        );
        assert_eq!(r.status, CheckStatus::Fail);
    }

    #[test]
    fn all_ok_passes() {
        let recs: Vec<_> = (1..=3).map(|i| rec(i, Outcome::Ok, Some(100.0))).collect();
        let runs = [run("udp", recs.clone(), Some(udp_summary(&recs)))];
        let r = crate::evaluate(&outcome_check(Outcome::Ok, None, None), &runs);
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.measured, "3/3 ok");
    }

    #[test]
    fn within_rejects_slow_outcomes() {
        let mut recs: Vec<_> = (1..=2)
            .map(|i| rec(i, Outcome::Unreachable, None))
            .collect();
        recs[0].elapsed_us = 3_050_000.0;
        recs[1].elapsed_us = 5_200_000.0;
        let runs = [run("udp", recs.clone(), Some(udp_summary(&recs)))];
        let r = crate::evaluate(
            &outcome_check(Outcome::Unreachable, None, Some(Duration::from_secs(4))),
            &runs,
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "2/2 unreachable (slowest 5.2 s, 1 too late)");
        assert_eq!(r.expected, "every probe unreachable, each within 4 s");
    }
}
