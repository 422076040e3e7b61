//! `netlab grade` against the real Docker engine: the example submissions
//! (`examples.rs`), a class of hostile ones (`hostile.rs`), a student's own
//! folder (`one.rs`), and a class on a pool of engines (`pool.rs`).

#[path = "../common/engines.rs"]
mod engines;
mod examples;
mod hostile;
mod one;
mod pool;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use netlab_engine::labels;
use serde_json::Value;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn netlab(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("netlab runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    out
}

/// student -> `scenario/check` -> (status, earned).
pub type Grades = BTreeMap<String, BTreeMap<String, (String, f64)>>;

pub fn grades(out: &Path) -> Grades {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(out.join("students")).unwrap() {
        let path = entry.unwrap().path().join("result.json");
        let r: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let mut checks = BTreeMap::new();
        for s in r["lab"]["scenarios"].as_array().unwrap() {
            for c in s["checks"].as_array().unwrap() {
                checks.insert(
                    format!(
                        "{}/{}",
                        s["name"].as_str().unwrap(),
                        c["name"].as_str().unwrap()
                    ),
                    (
                        c["status"].as_str().unwrap().to_owned(),
                        c["earned"].as_f64().unwrap(),
                    ),
                );
            }
        }
        all.insert(r["student"].as_str().unwrap().to_owned(), checks);
    }
    all
}

pub fn leftovers(lab: &str) -> usize {
    let out = Command::new("docker")
        .args([
            "ps",
            "-aq",
            "--filter",
            &format!("label={}={lab}", labels::LAB),
        ])
        .output()
        .expect("docker CLI (the tests need Docker)");
    assert!(out.status.success(), "docker ps failed");
    let nets = Command::new("docker")
        .args([
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label={}={lab}", labels::LAB),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
        + String::from_utf8_lossy(&nets.stdout).lines().count()
}
