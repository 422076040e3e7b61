//! Extra Docker engines for a test, started by `scripts/engines up` (each
//! its own dockerd in a network namespace, reached over TCP, as a school's
//! other machines would be) and removed, everything with them, on drop.
//! Shared by the pool test (`grade`) and the swarm test (`swarm`); each
//! uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use netlab_engine::labels;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Engines started by `scripts/engines up`, stopped (everything removed) on drop.
pub struct Engines {
    pub urls: Vec<String>,
}

impl Engines {
    pub fn up(n: usize) -> Engines {
        let script = root().join("scripts/engines");
        // A run that died before its drop left them up: start clean.
        let _ = Command::new(&script).arg("down").status();
        let out = Command::new(&script)
            .args(["up", &n.to_string()])
            .output()
            .expect("scripts/engines runs");
        let engines = Engines {
            urls: String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned)
                .collect(),
        };
        assert!(
            out.status.success() && engines.urls.len() == n,
            "scripts/engines up {n} failed (the test needs root, dockerd, nsenter): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        engines
    }

    /// `--engine URL` for each of the first `n` engines.
    pub fn args(&self, n: usize) -> Vec<&str> {
        self.urls[..n]
            .iter()
            .flat_map(|u| ["--engine", u.as_str()])
            .collect()
    }

    /// Kills engine `i`'s dockerd with SIGKILL (1-based, as the script
    /// numbers them): a machine lost mid-run.
    pub fn kill_daemon(&self, i: usize) {
        let pid = std::fs::read_to_string(format!("/run/netlab-engines/{i}/pid")).unwrap();
        let pid = pid.trim();
        let status = Command::new("kill").args(["-9", pid]).status();
        assert!(status.is_ok_and(|s| s.success()), "kill -9 {pid}");
    }

    /// Containers and networks of lab `lab` on engine `url`.
    pub fn leftovers(url: &str, lab: &str) -> usize {
        let (containers, networks) = Engines::objects(url, lab);
        containers + networks
    }

    /// (containers, networks) of lab `lab` on engine `url`.
    pub fn objects(url: &str, lab: &str) -> (usize, usize) {
        let filter = format!("label={}={lab}", labels::LAB);
        let count = |args: &[&str]| {
            let out = Command::new("docker")
                .args(["-H", url])
                .args(args)
                .output()
                .expect("docker CLI");
            assert!(out.status.success(), "docker -H {url} failed");
            String::from_utf8_lossy(&out.stdout).lines().count()
        };
        (
            count(&["ps", "-aq", "--filter", &filter]),
            count(&["network", "ls", "-q", "--filter", &filter]),
        )
    }
}

impl Engines {
    /// Makes the engines one Docker Swarm (`scripts/engines swarm`): the
    /// first is its manager, whose URL this returns.
    pub fn swarm(&self) -> String {
        let out = Command::new(root().join("scripts/engines"))
            .arg("swarm")
            .output()
            .expect("scripts/engines runs");
        assert!(
            out.status.success(),
            "scripts/engines swarm failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Engines {
    fn drop(&mut self) {
        let _ = Command::new(root().join("scripts/engines"))
            .arg("down")
            .status();
    }
}
