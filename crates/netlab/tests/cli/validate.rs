//! `netlab validate` (no Docker): shipped labs and this suite's fixtures are
//! accepted; each malformed lab of crates/lab/tests/fixtures/bad is rejected
//! with exit status 2 and exactly its expected `file:line:col` messages.

use std::path::{Path, PathBuf};

use crate::support::{QUICK, fixture, netlab, root, run, shipped_labs};

#[test]
fn shipped_labs_and_test_fixtures_are_valid() {
    let mut labs = shipped_labs();
    for f in ["wrong-expectation.yaml", "keep.yaml", "slow.yaml"] {
        labs.push(fixture(f));
    }
    let done = run(netlab().arg("validate").args(&labs), QUICK);
    done.expect_code(0);
    for lab in &labs {
        let line = format!("ok: {} (", lab.display());
        assert!(done.stdout.contains(&line), "no `{line}` in\n{done}");
    }
}

fn malformed() -> Vec<PathBuf> {
    let dir = root().join("crates/lab/tests/fixtures/bad");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    assert!(
        v.len() >= 15,
        "need at least 15 malformed labs, found {}",
        v.len()
    );
    v
}

/// The lines of NAME.expected, each prefixed with the path as given.
fn expected_lines(path: &Path) -> Vec<String> {
    let expected = path.with_extension("expected");
    std::fs::read_to_string(&expected)
        .unwrap_or_else(|e| panic!("{}: {e}", expected.display()))
        .lines()
        .map(|l| format!("{}:{l}", path.display()))
        .collect()
}

/// stderr's message lines, without the `netlab: error: ` lead of the first.
fn message_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(|l| l.strip_prefix("netlab: error: ").unwrap_or(l).to_owned())
        .collect()
}

#[test]
fn every_malformed_lab_exits_2_with_path_line_col_and_message() {
    let mut failures = Vec::new();
    for path in malformed() {
        let done = run(netlab().arg("validate").arg(&path), QUICK);
        let want = expected_lines(&path);
        let got = message_lines(&done.stderr);
        if done.status.code() != Some(2) || got != want {
            failures.push(format!(
                "{}: status {:?}\n  got:  {}\n  want: {}",
                path.display(),
                done.status.code(),
                got.join("\n        "),
                want.join("\n        ")
            ));
        }
        assert!(
            done.stdout.is_empty(),
            "validate printed to stdout on error\n{done}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn one_call_reports_the_mistakes_of_every_file_in_order() {
    let files = malformed();
    let done = run(netlab().arg("validate").args(&files), QUICK);
    done.expect_code(2);
    let want: Vec<String> = files.iter().flat_map(|p| expected_lines(p)).collect();
    assert_eq!(message_lines(&done.stderr), want);
}

#[test]
fn run_rejects_a_malformed_lab_before_touching_docker() {
    // No engine at all: a bad lab file is still status 2 (usage), not 3,
    // because every lab is checked before netlab connects.
    let path = root().join("crates/lab/tests/fixtures/bad/unknown-key.yaml");
    let done = run(
        netlab()
            .env("DOCKER_HOST", "unix:///nonexistent.sock")
            .args(["run", "labs/task1.yaml"])
            .arg(&path),
        QUICK,
    );
    done.expect_code(2);
    assert_eq!(message_lines(&done.stderr), expected_lines(&path));
}
