//! The static build: `netlab-echo` in a `FROM scratch` image (classic
//! builder, nothing pulled), a server container and client containers on an
//! internal network this test creates, reaching the server by name.
//! Everything carries `netlab.run=<unique id>` and is removed on drop, even
//! when the test fails. Docker is required: without it the test fails.

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{BIN, Run, finish};
use netlab_contract::Outcome;

/// Everything one test run created, removed by label on drop.
struct Stage {
    run_id: String,
    image: String,
    network: String,
}

impl Stage {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let run_id = format!("echo-test-{}-{nanos}", std::process::id());
        Self {
            image: format!("netlab-echo-test:{run_id}"),
            network: format!("netlab-{run_id}"),
            run_id,
        }
    }

    fn label(&self) -> String {
        format!("netlab.run={}", self.run_id)
    }

    fn build_image(&self) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(BIN, dir.path().join("netlab-echo")).unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM scratch\nCOPY netlab-echo /netlab-echo\nENTRYPOINT [\"/netlab-echo\"]\n",
        )
        .unwrap();
        let out = docker(|c| {
            c.env("DOCKER_BUILDKIT", "0")
                .args([
                    "build",
                    "-q",
                    "--label",
                    &self.label(),
                    "--label",
                    "netlab.lab=echo-test",
                    "-t",
                    &self.image,
                ])
                .arg(dir.path())
        });
        assert_ok("docker build", &out);
    }

    fn create_network(&self) {
        let out = docker(|c| {
            c.args(["network", "create", "--internal", "--label", &self.label()])
                .args(["--label", "netlab.lab=echo-test", &self.network])
        });
        assert_ok("docker network create", &out);
    }

    /// Starts a detached container named `<run id>-<name>` running `args`.
    fn start(&self, name: &str, args: &[&str]) -> String {
        let full = format!("{}-{name}", self.run_id);
        let out = docker(|c| {
            c.args([
                "run",
                "-d",
                "--name",
                &full,
                "--label",
                &self.label(),
                "--label",
                "netlab.lab=echo-test",
            ])
            .args(["--network", &self.network, &self.image])
            .args(args)
        });
        assert_ok("docker run -d", &out);
        full
    }

    /// Runs a client container to completion (`--rm`, bounded by its own timeouts).
    fn client(&self, args: &[&str]) -> Run {
        finish(docker(|c| {
            c.args([
                "run",
                "--rm",
                "--label",
                &self.label(),
                "--network",
                &self.network,
                &self.image,
                "client",
            ])
            .args(args)
        }))
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        let filter = format!("label={}", self.label());
        if let Ok(out) = Command::new("docker")
            .args(["ps", "-aq", "--filter", &filter])
            .output()
        {
            let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(String::from)
                .collect();
            if !ids.is_empty() {
                let _ = Command::new("docker")
                    .args(["rm", "-f"])
                    .args(&ids)
                    .output();
            }
        }
        let _ = Command::new("docker")
            .args(["network", "rm", &self.network])
            .output();
        let _ = Command::new("docker")
            .args(["rmi", "-f", &self.image])
            .output();
    }
}

fn docker(f: impl FnOnce(&mut Command) -> &mut Command) -> Output {
    let mut cmd = Command::new("docker");
    f(&mut cmd)
        .output()
        .expect("the docker CLI must be installed for this test")
}

fn assert_ok(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Waits (at most 20 s) until the container's log shows the ready line.
fn wait_ready(container: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let out = docker(|c| c.args(["logs", container]));
        let log = String::from_utf8_lossy(&out.stdout).into_owned();
        if log.contains("ready") {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "{container} printed no ready line in 20 s: {log}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn docker_scratch_image_serves_and_probes_by_name() {
    let info = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output();
    assert!(
        info.as_ref().is_ok_and(|o| o.status.success()),
        "this test needs a Docker engine (is dockerd running?): {info:?}"
    );
    let stage = Stage::new();
    stage.build_image();
    stage.create_network();
    let server = stage.start("server", &["server"]);
    let ready = wait_ready(&server);
    assert!(
        ready.contains("udp 0.0.0.0:12000, tcp 0.0.0.0:12000"),
        "{ready}"
    );

    let target = format!("{server}:12000");
    for proto in ["udp", "tcp"] {
        let run = stage.client(&[
            "--proto", proto, "--server", &target, "-c", "3", "-i", "0.05", "--json",
        ]);
        assert_eq!(run.code, 0, "{proto}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.probes().iter().all(|p| p.outcome == Outcome::Ok),
            "{proto}: {}",
            run.stdout
        );
        assert_eq!(run.summary().received, 3);
    }

    // A scratch container kept alive by `idle`, probing with `docker exec`.
    let idle = stage.start("idle", &["idle"]);
    let out = docker(|c| {
        c.args([
            "exec",
            &idle,
            "/netlab-echo",
            "client",
            "--proto",
            "tcp",
            "--server",
            &target,
        ])
        .args(["-c", "1", "--message", "hello from scratch"])
    });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ok("docker exec client", &out);
    assert!(stdout.contains("reply \"HELLO FROM SCRATCH\""), "{stdout}");

    // `idle` and `server` end cleanly on SIGTERM (as PID 1).
    for name in [&idle, &server] {
        assert_ok(
            "docker stop",
            &docker(|c| c.args(["stop", "-t", "5", name])),
        );
        let code = docker(|c| c.args(["inspect", "-f", "{{.State.ExitCode}}", name]));
        assert_eq!(
            String::from_utf8_lossy(&code.stdout).trim(),
            "0",
            "{name} exit code"
        );
    }
}
