//! Every shipped lab runs on the real engine and passes, with its JSON and
//! JUnit reports consistent; task 4's faults each give their outcome.
//! One test runs them all (one after another, as `netlab run labs/*.yaml`
//! does), so no other test uses the shipped lab names at the same time.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::reports::{self, check_statuses, outcomes, read_json, read_junit, summary};
use crate::support::{LabGuard, assert_nothing_left, netlab_with_echo, run, shipped_labs};

/// task1..3 take seconds, task4 about 35 s; generous for a loaded machine.
const LIMIT: Duration = Duration::from_secs(420);

#[test]
fn every_shipped_lab_passes_with_consistent_reports() {
    let labs = shipped_labs();
    let names: Vec<String> = labs
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let _guards: Vec<LabGuard> = names.iter().map(|n| LabGuard::new(n)).collect();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let junit = dir.path().join("junit.xml");

    let done = run(
        netlab_with_echo()
            .arg("run")
            .args(&labs)
            .arg("--json")
            .arg(&json)
            .arg("--junit")
            .arg(&junit),
        LIMIT,
    );
    for name in &names {
        assert_nothing_left(name);
    }
    let doc = read_json(&json);
    let failed: Vec<String> = check_statuses(&doc)
        .into_iter()
        .filter(|(_, s)| s != "pass")
        .map(|(c, s)| format!("{c}: {s}"))
        .collect();
    assert!(failed.is_empty(), "checks not passed: {failed:#?}\n{done}");
    done.expect_code(0);

    let checks = summary(&doc, "checks");
    assert!(checks > 0, "no checks in the report");
    assert_eq!(summary(&doc, "failed"), 0);
    assert_eq!(summary(&doc, "passed"), checks);
    assert_eq!(doc["summary"]["score"], doc["summary"]["max_score"]);
    let tail = format!("{checks}/{checks} checks passed");
    assert!(
        done.stdout.trim_end().ends_with(&tail),
        "no `{tail}` at the end of\n{done}"
    );

    let got: Vec<&str> = doc["labs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        got, names,
        "one lab result per file, in order (lab name = file stem)"
    );
    for (lab, file) in names.iter().zip(&labs) {
        let l = reports::lab(&doc, lab);
        assert_eq!(PathBuf::from(l["file"].as_str().unwrap()), *file);
        assert!(!l["scenarios"].as_array().unwrap().is_empty());
    }

    junit_matches(&junit, &doc, &names);
    task4_outcomes(reports::lab(&doc, "task4"));
    // The terminal's outcome matrix has the handout's client as a column and
    // cites what other systems would show, labelled as such (words only:
    // the table wraps cells at the terminal's width).
    for text in ["udp-unconnected", "cited, not measured:", "WSAECONNRESET"] {
        assert!(done.stdout.contains(text), "no {text:?} in\n{done}");
    }
}

/// One suite per lab, one case per check, no failure: the same counts as the JSON.
fn junit_matches(junit: &std::path::Path, doc: &Value, names: &[String]) {
    let suites = read_junit(junit);
    let suite_names: Vec<&str> = suites.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(suite_names, names);
    let statuses = check_statuses(doc);
    for s in &suites {
        let in_json = statuses
            .keys()
            .filter(|k| k.starts_with(&format!("{}/", s.name)))
            .count();
        assert_eq!(
            s.cases.len(),
            in_json,
            "suite {}: testcases vs JSON checks",
            s.name
        );
        assert_eq!(s.tests, s.cases.len(), "suite {}: tests attribute", s.name);
        assert_eq!((s.failures, s.errors), (0, 0), "suite {}", s.name);
        assert!(
            s.failed_cases.is_empty(),
            "suite {}: {:?}",
            s.name,
            s.failed_cases
        );
    }
    let total: usize = suites.iter().map(|s| s.cases.len()).sum();
    assert_eq!(total as u64, summary(doc, "checks"));
}

/// What each fault must produce, read from the raw probe records (not from
/// the lab's own grading): `All` every probe; `Some` at least one, the rest
/// timeouts (ICMP errors are rate-limited over veth).
enum Want {
    All(&'static str),
    Some(&'static str),
}

/// `udp-unconnected` is the handout's client: Linux tells its unconnected
/// socket of no ICMP error, so where `udp` is refused it times out.
const TASK4: [(&str, &str, Want); 15] = [
    ("port-closed", "udp", Want::Some("refused")),
    ("port-closed", "udp-unconnected", Want::All("timeout")),
    ("port-closed", "tcp", Want::All("refused")),
    ("firewall-drop", "udp", Want::All("timeout")),
    ("firewall-drop", "udp-unconnected", Want::All("timeout")),
    ("firewall-drop", "tcp", Want::All("timeout")),
    ("firewall-reject", "udp", Want::Some("refused")),
    ("firewall-reject", "udp-unconnected", Want::All("timeout")),
    ("firewall-reject", "tcp", Want::All("refused")),
    ("host-absent", "udp", Want::All("unreachable")),
    ("host-absent", "udp-unconnected", Want::All("timeout")),
    ("host-absent", "tcp", Want::All("unreachable")),
    ("unknown-name", "udp", Want::All("dns")),
    ("unknown-name", "udp-unconnected", Want::All("dns")),
    ("unknown-name", "tcp", Want::All("dns")),
];

fn task4_outcomes(lab: &Value) {
    let mut wrong = Vec::new();
    for (scenario, probe, want) in &TASK4 {
        let counts = outcomes(lab, scenario, probe);
        let total: usize = counts.values().sum();
        let ok = total > 0
            && match want {
                Want::All(o) => counts.get(*o) == Some(&total),
                Want::Some(o) => {
                    counts.get(*o).is_some_and(|n| *n >= 1)
                        && counts.keys().all(|k| k == o || k == "timeout")
                }
            };
        if !ok {
            wrong.push(format!("{scenario}/{probe}: {counts:?}"));
        }
        // The JSON says which socket each client used, and the case.
        let run = reports::probe(lab, scenario, probe);
        let socket = if *probe == "udp-unconnected" {
            "unconnected"
        } else {
            "connected"
        };
        if run["socket"] != socket || run["summary"]["socket"] != socket {
            wrong.push(format!("{scenario}/{probe}: socket {}", run["socket"]));
        }
        if run["case"] != *scenario {
            wrong.push(format!("{scenario}/{probe}: case {}", run["case"]));
        }
    }
    assert!(wrong.is_empty(), "task4 outcomes: {wrong:#?}");
}
