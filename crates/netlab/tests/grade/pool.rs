//! A class graded on a pool of engines: three Docker engines started by
//! `scripts/engines` (each its own dockerd in a network namespace, reached
//! over TCP, as a school's other machines would be). The grades equal one
//! engine's; an engine whose daemon is killed mid-batch loses no student;
//! an engine that does not answer at the start is exit 3; nothing is left.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::engines::Engines;
use super::examples::{allowed, assert_examples_graded_right};
use super::{Grades, grades, netlab, root};

const LAB_FILE: &str = "labs/grading/handout.yaml";
const LAB: &str = "grade-handout";

fn grade(out: &Path, engine_args: &[&str], jobs: &str) -> std::process::Output {
    let mut args = vec![
        "grade",
        LAB_FILE,
        "--submissions",
        "examples/submissions",
        "--jobs",
        jobs,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(engine_args);
    netlab(&args)
}

/// The same verdicts, except where the README allows either of two.
fn assert_same_grades(one: &Grades, pool: &Grades) {
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        pool.keys().collect::<Vec<_>>()
    );
    for (student, checks) in one {
        for (check, graded) in checks {
            let other = &pool[student][check];
            if allowed(student, check).len() == 1 {
                assert_eq!(graded, other, "{student} {check}: one engine vs the pool");
            }
        }
    }
}

fn engine_of(out: &Path, student: &str) -> String {
    let path = out.join("students").join(student).join("result.json");
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    r["engine"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn docker_a_class_on_three_engines_gets_one_engines_grades_even_when_one_dies() {
    let engines = Engines::up(3);
    let tmp = tempfile::tempdir().unwrap();
    let dir = |name: &str| -> PathBuf { tmp.path().join(name) };

    // An engine that does not answer: a clear error before anything starts.
    let mut args = engines.args(1);
    args.extend(["--engine", "tcp://198.18.0.99:2375"]);
    let out = grade(&dir("unreachable"), &args, "1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("tcp://198.18.0.99:2375") && stderr.contains("no Docker engine answers"),
        "{stderr}"
    );
    assert!(!dir("unreachable").join("grades.csv").exists());

    // One engine, then three: the same grades.
    let out = grade(&dir("one"), &engines.args(1), "3");
    assert_eq!(out.status.code(), Some(0), "grading on one engine");
    let one = grades(&dir("one"));
    assert_examples_graded_right(&one);

    let out = grade(&dir("three"), &engines.args(3), "1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "grading on three engines");
    let three = grades(&dir("three"));
    assert_examples_graded_right(&three);
    assert_same_grades(&one, &three);
    for url in &engines.urls {
        assert!(
            stderr.contains(&format!("engine {url}: ")),
            "the summary names {url}: {stderr}"
        );
    }
    let used: std::collections::BTreeSet<String> =
        three.keys().map(|s| engine_of(&dir("three"), s)).collect();
    assert_eq!(used.len(), 3, "every engine graded someone: {used:?}");

    // `netlab run` on another engine: the same report, nothing left there.
    let json = dir("task1.json");
    let out = netlab(&[
        "run",
        "labs/task1.yaml",
        "--engine",
        &engines.urls[2],
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "task1 on engine 3");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert!(
        report["labs"][0]["scenarios"]
            .as_array()
            .is_some_and(|s| !s.is_empty())
    );

    // Engine 2's daemon killed once it has graded a student: its student in
    // progress is graded elsewhere, nobody is lost or graded twice.
    let mut args: Vec<String> = vec![
        "--progress".into(),
        "never".into(),
        "grade".into(),
        LAB_FILE.into(),
        "--submissions".into(),
        "examples/submissions".into(),
        "--jobs".into(),
        "1".into(),
        "--out".into(),
        dir("killed").to_str().unwrap().into(),
    ];
    args.extend(engines.args(3).iter().map(|s| s.to_string()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(&args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let victim = &engines.urls[1];
    let mut lines = Vec::new();
    let mut killed = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        eprintln!("{line}");
        if !killed && line.contains(&format!("(on {victim})")) {
            // It takes its next student at once: kill the daemon mid-job.
            std::thread::sleep(std::time::Duration::from_secs(3));
            engines.kill_daemon(2);
            killed = true;
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    let text = lines.join("\n");
    assert!(killed, "engine 2 never graded anyone: {text}");
    assert_eq!(status.code(), Some(0), "{text}");
    assert!(
        text.contains(&format!("engine {victim}: ")) && text.contains("TAKEN OUT OF THE POOL"),
        "the lost engine is named: {text}"
    );
    let killed_grades = grades(&dir("killed"));
    assert_examples_graded_right(&killed_grades);
    assert_same_grades(&one, &killed_grades);
    let done_lines = lines.iter().filter(|l| l.starts_with('[')).count();
    assert_eq!(done_lines, 10, "each student reported once: {text}");
    let mut csv = csv::Reader::from_path(dir("killed").join("grades.csv")).unwrap();
    assert_eq!(csv.records().count(), 10, "the gradebook is complete");

    for url in [&engines.urls[0], &engines.urls[2]] {
        assert_eq!(Engines::leftovers(url, LAB), 0, "objects left on {url}");
    }
}
