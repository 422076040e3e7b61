//! `netlab run` on this suite's fixtures: a lab whose expectations are wrong
//! exits 1 and names exactly the failing checks, in the terminal report, the
//! JSON and the JUnit XML; nothing is left afterwards.

use std::time::Duration;

use crate::reports::{check_statuses, read_json, read_junit, summary};
use crate::support::{LabGuard, assert_nothing_left, fixture, netlab_with_echo, run};

const LAB: &str = "cli-wrong";
const WRONG: [&str; 2] = ["expects timeout", "expects 1us RTT"];

#[test]
fn a_wrong_expectation_exits_1_and_names_the_failing_checks() {
    let _guard = LabGuard::new(LAB);
    let dir = tempfile::tempdir().unwrap();
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("j.xml"));
    let done = run(
        netlab_with_echo()
            .arg("run")
            .arg(fixture("wrong-expectation.yaml"))
            .arg("--json")
            .arg(&json)
            .arg("--junit")
            .arg(&junit),
        Duration::from_secs(180),
    );
    assert_nothing_left(LAB);
    done.expect_code(1);

    // Terminal: each wrong check on a FAIL row, the right one on a PASS row.
    let row = |status: &str, name: &str| {
        done.stdout
            .lines()
            .any(|l| l.contains(status) && l.contains(name))
    };
    for name in WRONG {
        assert!(row("FAIL", name), "no FAIL row for `{name}`\n{done}");
    }
    assert!(row("PASS", "every reply arrives"), "{done}");
    assert!(done.stdout.contains("1/3 checks passed"), "{done}");

    let doc = read_json(&json);
    assert_eq!((summary(&doc, "checks"), summary(&doc, "failed")), (3, 2));
    let failed: Vec<String> = check_statuses(&doc)
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(c, _)| c)
        .collect();
    let mut want: Vec<String> = WRONG
        .iter()
        .map(|n| format!("{LAB}/udp-rtt::{n}"))
        .collect();
    want.sort();
    assert_eq!(failed, want);

    let suites = read_junit(&junit);
    assert_eq!(suites.len(), 1);
    assert_eq!(
        (suites[0].tests, suites[0].failures + suites[0].errors),
        (3, 2)
    );
    let mut failed_cases = suites[0].failed_cases.clone();
    failed_cases.sort();
    let mut want: Vec<String> = WRONG.iter().map(|n| format!("udp-rtt::{n}")).collect();
    want.sort();
    assert_eq!(failed_cases, want);
}
