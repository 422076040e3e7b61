//! `replies`: every reply is the uppercase of its request.

use super::Verdict;
use crate::resolved::Outcome;
use crate::results::ProbeRun;

pub const EXPECTED: &str = "at least one reply, every reply the uppercase of its request";

pub fn grade(run: &ProbeRun) -> Verdict {
    let summary = run.summary.as_ref().expect("checked by unusable()");
    let wrong_records = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Mismatch)
        .count() as u64;
    let wrong = summary.mismatched.max(wrong_records);
    let correct = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .count() as u64;
    let measured = match (correct, wrong) {
        (0, 0) => format!("no replies ({})", super::series::tally(run)),
        (c, 0) => format!("{c}/{c} replies correct"),
        (c, w) => format!("{w} wrong of {} replies", c + w),
    };
    Verdict::new(correct > 0 && wrong == 0, measured, EXPECTED.to_owned())
}

#[cfg(test)]
mod tests {
    use crate::grade::fake::{check, rec, run, udp_summary};
    use crate::resolved::{CheckKind, Outcome};
    use crate::results::CheckStatus;

    fn replies() -> crate::Check {
        check(CheckKind::Replies {
            probe: "udp".into(),
        })
    }

    #[test]
    fn correct_replies_pass() {
        let recs: Vec<_> = (1..=4).map(|i| rec(i, Outcome::Ok, Some(90.0))).collect();
        let r = crate::evaluate(
            &replies(),
            &[run("udp", recs.clone(), Some(udp_summary(&recs)))],
        );
        assert_eq!(r.status, CheckStatus::Pass);
        assert_eq!(r.measured, "4/4 replies correct");
    }

    #[test]
    fn a_wrong_reply_fails() {
        let recs = vec![
            rec(1, Outcome::Ok, Some(90.0)),
            rec(2, Outcome::Mismatch, None),
        ];
        let r = crate::evaluate(
            &replies(),
            &[run("udp", recs.clone(), Some(udp_summary(&recs)))],
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "1 wrong of 2 replies");
    }

    #[test]
    fn late_wrong_reply_counted_from_summary() {
        let recs = vec![rec(1, Outcome::Ok, Some(90.0))];
        let mut s = udp_summary(&recs);
        s.mismatched = 1;
        let r = crate::evaluate(&replies(), &[run("udp", recs, Some(s))]);
        assert_eq!(r.status, CheckStatus::Fail);
    }

    #[test]
    fn no_reply_at_all_fails() {
        let recs = vec![
            rec(1, Outcome::Timeout, None),
            rec(2, Outcome::Timeout, None),
        ];
        let r = crate::evaluate(
            &replies(),
            &[run("udp", recs.clone(), Some(udp_summary(&recs)))],
        );
        assert_eq!(r.status, CheckStatus::Fail);
        assert_eq!(r.measured, "no replies (2 timeout)");
    }
}
