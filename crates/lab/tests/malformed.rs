//! Malformed lab files: each `fixtures/bad/NAME.yaml` must be rejected with
//! exactly the lines in `NAME.expected` (`line:col: error: <what>; expected
//! <what>`, the file name prefixed at run time). The CLI tests read the same
//! fixtures, so keep messages and positions stable.

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_malformed_lab_is_rejected_with_its_message_and_position() {
    let files = fixtures();
    assert!(
        files.len() >= 15,
        "need at least 15 malformed labs, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let expected_path = path.with_extension("expected");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let name = path.file_name().unwrap().to_str().unwrap();
        let want: Vec<String> = expected.lines().map(|l| format!("{name}:{l}")).collect();
        match netlab_lab::load(path) {
            Ok(_) => failures.push(format!(
                "{name}: accepted, expected:\n  {}",
                want.join("\n  ")
            )),
            Err(err) => {
                // `load` names the file by its path; compare from the file name on.
                let dir = format!("{}/", path.parent().unwrap().display());
                let got: Vec<String> = err
                    .to_string()
                    .lines()
                    .map(|l| l.strip_prefix(&dir).unwrap_or(l).to_owned())
                    .collect();
                if got != want {
                    failures.push(format!(
                        "{name}:\n  got:  {}\n  want: {}",
                        got.join("\n        "),
                        want.join("\n        ")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn message_starts_with_the_path_as_given() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/unknown-key.yaml");
    let err = netlab_lab::load(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{}:4:5: error: unknown key `cmd`", path.display())),
        "{text}"
    );
    let issue = &err.issues()[0];
    assert_eq!((issue.line, issue.col), (4, 5));
    assert_eq!(issue.what, "unknown key `cmd`");
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/several-problems.yaml"),
    )
    .unwrap();
    let err = netlab_lab::parse(&text, "x.yaml").unwrap_err();
    let pos: Vec<(u64, u64)> = err.issues().iter().map(|i| (i.line, i.col)).collect();
    assert_eq!(pos, [(8, 37), (8, 65), (11, 22)]);
}

#[test]
fn a_missing_file_is_a_read_error() {
    let err = netlab_lab::load(Path::new("/nonexistent/lab.yaml")).unwrap_err();
    assert!(matches!(err, netlab_lab::LabError::Read { .. }));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/lab.yaml: error: cannot read the lab file")
    );
}
