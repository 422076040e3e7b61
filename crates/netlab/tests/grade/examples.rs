//! The example submissions: every example gets the verdicts
//! examples/submissions/README.md expects, every output file exists and
//! parses, `--only` regrades into the same gradebook with identical grades,
//! and nothing is left running.

use serde_json::Value;

use super::{Grades, grades, leftovers, netlab};

const LAB: &str = "grade-handout";

/// Every check of the lab: `scenario/check`.
const SERVER_CHECKS: [&str; 5] = [
    "replies in uppercase",
    "answers several requests in a row",
    "serves another client afterwards",
    "echoes a long message (1200 bytes) whole",
    "serves several clients at once",
];

/// The README's table: (student, `scenario/check` prefix or name, allowed statuses).
/// Checks not listed must pass.
fn expected() -> Vec<(&'static str, String, &'static [&'static str])> {
    let mut v: Vec<(&'static str, String, &'static [&'static str])> = Vec::new();
    let servers = |v: &mut Vec<_>, id: &'static str, sc: &str, st: &'static [&'static str]| {
        for c in SERVER_CHECKS {
            v.push((id, format!("{sc}/{c}"), st));
        }
    };
    for sc in ["udp-server", "tcp-server"] {
        servers(&mut v, "s002-no-uppercase", sc, &["fail"]);
        servers(&mut v, "s005-loopback-bind", sc, &["fail"]);
        servers(&mut v, "s006-silent-server-no-timeout", sc, &["fail"]);
        for c in &SERVER_CHECKS[1..] {
            v.push(("s003-exits-after-one", format!("{sc}/{c}"), &["fail"]));
        }
        v.push((
            "s009-truncated",
            format!("{sc}/echoes a long message (1200 bytes) whole"),
            &["fail"],
        ));
        for p in ["UDP", "TCP"] {
            for c in ["prints the RTT", "prints the send and receive times"] {
                v.push(("s004-no-rtt", format!("clients/{p} client {c}"), &["fail"]));
            }
        }
    }
    v.dedup();
    servers(&mut v, "s007-syntax-error", "udp-server", &["crash"]);
    // Killed for memory, or still at its memory limit when the probes end.
    servers(&mut v, "s008-memory-hog", "tcp-server", &["crash"]);
    servers(
        &mut v,
        "s010-fork-bomb",
        "udp-server",
        &["crash", "timeout"],
    );
    for p in ["UDP", "TCP"] {
        v.push((
            "s006-silent-server-no-timeout",
            format!("clients-no-server/{p} client ends on its own"),
            &["timeout"],
        ));
    }
    v
}

/// The statuses a check of an example may have (README's table); more than
/// one only where the machine's timing decides between two defensible ones.
pub fn allowed(student: &str, check: &str) -> Vec<&'static str> {
    expected()
        .into_iter()
        .find(|(s, c, _)| *s == student && c == check)
        .map_or(vec!["pass"], |(_, _, a)| a.to_vec())
}

/// Every example graded, every check with a status the README expects, and
/// points only for a pass.
pub fn assert_examples_graded_right(grades: &Grades) {
    assert_eq!(grades.len(), 10, "one result per example");
    let mut wrong = Vec::new();
    for (student, checks) in grades {
        assert_eq!(checks.len(), 18, "{student}: every check graded");
        for (check, (status, earned)) in checks {
            let allowed = allowed(student, check);
            if !allowed.contains(&status.as_str()) {
                wrong.push(format!("{student} {check}: {status}, expected {allowed:?}"));
            }
            assert_eq!(
                *earned > 0.0,
                status == "pass",
                "{student} {check}: points only for a pass"
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected verdicts:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn docker_grades_the_examples_merges_a_regrade_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("grades");
    let out = out_dir.to_str().unwrap();
    let lab = "labs/grading/handout.yaml";
    let run = netlab(&[
        "grade",
        lab,
        "--submissions",
        "examples/submissions",
        "--jobs",
        "2",
        "--out",
        out,
    ]);
    assert_eq!(run.status.code(), Some(0), "grade failed");
    assert_eq!(
        leftovers(LAB),
        0,
        "containers or networks of the grading lab were left"
    );

    // Verdicts.
    let first = grades(&out_dir);
    assert_examples_graded_right(&first);

    // Class files.
    let mut csv = csv::Reader::from_path(out_dir.join("grades.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    assert_eq!(&header[0], "student");
    assert_eq!(&header[1], "total");
    assert_eq!(header.len(), 2 + 18);
    assert!(
        header
            .iter()
            .any(|h| h == "udp-server/replies in uppercase")
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[0][0], "s001-correct");
    assert_eq!(&rows[0][1], "26", "the correct submission gets every point");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["students"].as_array().unwrap().len(), 10);
    assert_eq!(summary["summary"]["checks"], 180);
    let class = std::fs::read_to_string(out_dir.join("class.html")).unwrap();
    assert!(class.contains("href=\"students/s007-syntax-error/report.html\""));
    let junit = std::fs::read_to_string(out_dir.join("junit.xml")).unwrap();
    assert!(junit.contains("<testsuites") && junit.contains("s007-syntax-error"));

    // Per-student files: Gradescope results and feedback with evidence.
    for id in first.keys() {
        let dir = out_dir.join("students").join(id);
        let gs: Value =
            serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
        assert_eq!(gs["tests"].as_array().unwrap().len(), 18, "{id}");
        assert!(gs["score"].as_f64().is_some(), "{id}");
        let md = std::fs::read_to_string(dir.join("feedback.md")).unwrap();
        assert!(
            md.contains("- Measured:") && md.contains("- Expected:"),
            "{id}"
        );
        let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(
            page.contains("<table") && page.contains(id.as_str()),
            "{id}: the HTML page has the checks and names the student"
        );
        assert!(
            md.contains("Sent to its standard input"),
            "{id}: run evidence"
        );
    }
    let md = |id: &str| {
        std::fs::read_to_string(out_dir.join("students").join(id).join("feedback.md")).unwrap()
    };
    assert!(md("s007-syntax-error").contains("SyntaxError"));
    assert!(
        md("s005-loopback-bind").contains("127.0.0.1"),
        "the loopback bind is explained"
    );
    assert!(
        md("s004-no-rtt").contains("HELLO NETLAB"),
        "the client's output is quoted"
    );
    assert!(md("s006-silent-server-no-timeout").contains("netlab stopped it"));
    // A server that exited after its first client is not probed any further:
    // its later probes are not run (and say why) instead of waiting out timeouts.
    assert!(
        md("s003-exits-after-one").contains("The probe was not run: server had already exited"),
        "{}",
        md("s003-exits-after-one")
    );
    assert!(!md("s001-correct").contains("not run"));

    // `--only`: regrade three students (the timing-sensitive ones) into the
    // same folder: identical grades, the gradebook still has everyone.
    let csv_before = std::fs::read_to_string(out_dir.join("grades.csv")).unwrap();
    let only = ["s001-correct", "s003-exits-after-one", "s008-memory-hog"];
    let mut args = vec![
        "grade",
        lab,
        "--submissions",
        "examples/submissions",
        "--out",
        out,
    ];
    for id in &only {
        args.extend(["--only", id]);
    }
    let again = netlab(&args);
    assert_eq!(again.status.code(), Some(0));
    let second = grades(&out_dir);
    assert_eq!(second, first, "a regrade gives identical grades");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("grades.csv")).unwrap(),
        csv_before
    );
    assert_eq!(leftovers(LAB), 0);

    // Usage errors exit 2 without starting anything.
    let bad = netlab(&[
        "grade",
        lab,
        "--submissions",
        "examples/submissions",
        "--only",
        "nobody",
        "--out",
        out,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no submission `nobody`"));
    let not_grading = netlab(&[
        "grade",
        "labs/task1.yaml",
        "--submissions",
        "examples/submissions",
        "--out",
        out,
    ]);
    assert_eq!(not_grading.status.code(), Some(2));
    let run_rejects = netlab(&["run", lab]);
    assert_eq!(run_rejects.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run_rejects.stderr).contains("netlab grade"));
}
