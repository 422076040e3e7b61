//! `compose.yaml` at the top of the repo: valid for docker-compose, and with
//! the images `netlab images` tags (`:latest`) it comes up, answers one
//! probe from the client, and goes down. A unique project name keeps it apart
//! from a student's own; a guard takes it down even when an assertion fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Project {
    name: String,
}

impl Project {
    fn compose(&self, args: &[&str]) -> Output {
        Command::new("docker-compose")
            .current_dir(repo())
            .args(["-f", "compose.yaml", "-p", &self.name])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("docker-compose cannot run ({e}); scripts/deps installs it"))
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.compose(args);
        assert!(
            out.status.success(),
            "docker-compose {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = self.compose(&["down", "-v", "--remove-orphans", "-t", "1"]);
    }
}

#[test]
fn docker_compose_brings_up_a_server_that_answers_the_client() {
    // `netlab images` builds and tags netlab/echo:latest and netlab/tools:latest.
    let images = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["images", "--progress", "never"])
        .output()
        .expect("netlab runs");
    assert!(
        images.status.success(),
        "netlab images failed (is netlab-echo built next to netlab?): {}",
        String::from_utf8_lossy(&images.stderr)
    );
    // compose.yaml names this tag.
    let latest = format!(
        "tagged {}:latest",
        netlab_engine::ImageKind::Echo.repository()
    );
    assert!(String::from_utf8_lossy(&images.stdout).contains(&latest));

    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let p = Project {
        name: format!("netlabtest{}x{nanos}", std::process::id()),
    };
    p.ok(&["config", "-q"]);
    p.ok(&["up", "-d"]);

    // The server prints "ready" once both sockets are bound.
    let until = Instant::now() + Duration::from_secs(15);
    while !p.ok(&["logs", "server"]).contains("ready") {
        assert!(
            Instant::now() < until,
            "the compose server never became ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = p.ok(&[
        "exec",
        "-T",
        "client",
        "/netlab-echo",
        "client",
        "--proto",
        "udp",
        "--server",
        "server:12000",
        "--count",
        "1",
        "--json",
    ]);
    assert!(out.contains(r#""outcome":"ok""#), "{out}");

    // Every container and the network carry netlab's label.
    let labelled = Command::new("docker")
        .args([
            "ps",
            "-q",
            "--filter",
            // compose.yaml's value.
            &format!("label={}=compose", netlab_engine::labels::RUN),
            "--filter",
        ])
        .arg(format!("label=com.docker.compose.project={}", p.name))
        .output()
        .unwrap();
    let count = String::from_utf8_lossy(&labelled.stdout).lines().count();
    assert_eq!(count, 3, "server, client and shell carry netlab.run");
    p.ok(&["down", "-t", "1"]);
    let left = p.ok(&["ps", "-q"]);
    assert!(left.trim().is_empty(), "left after down: {left}");
}
