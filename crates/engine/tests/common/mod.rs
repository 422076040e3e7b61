//! Shared helpers of the engine's integration tests (real Docker engine).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use bollard::query_parameters::{ListContainersOptionsBuilder, ListNetworksOptionsBuilder};
use netlab_contract::{Line, ProbeRecord};
use netlab_engine::{
    Container, ContainerSpec, Engine, ExecRequest, ImageKind, ImageSources, NetworkInfo, Progress,
    Run, RunGuard,
};

/// The engine, or a loud failure: these tests never skip.
pub async fn engine() -> Engine {
    Engine::connect()
        .await
        .unwrap_or_else(|e| panic!("the engine tests need a Docker engine: {e}"))
}

/// The static netlab-echo binary: NETLAB_ECHO_BIN, or next to this test's
/// profile directory (target/<triple>/<profile>/netlab-echo).
pub fn echo_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("NETLAB_ECHO_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<triple>/<profile>");
    let bin = profile_dir.join("netlab-echo");
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p netlab-echo` (add --release for release tests) or set NETLAB_ECHO_BIN",
        bin.display()
    );
    bin
}

pub fn sources() -> ImageSources {
    ImageSources {
        echo_bin: echo_bin(),
    }
}

pub async fn image(engine: &Engine, kind: ImageKind) -> String {
    engine
        .ensure_image(kind, &sources(), &Progress::none())
        .await
        .unwrap_or_else(|e| panic!("building the {} image: {e}", kind.name()))
        .tag
}

/// A run plus a guard that removes its objects even when the test panics.
pub fn run(engine: &Engine, lab: &str) -> (Run, RunGuard) {
    let run = Run::new(engine, lab);
    let guard = run.guard();
    (run, guard)
}

/// An internal network with an echo server (`server`, ready) and an idle client.
pub struct EchoLab {
    pub net: NetworkInfo,
    pub server: Container,
    pub client: Container,
}

pub async fn echo_lab(engine: &Engine, run: &Run) -> EchoLab {
    let echo = image(engine, ImageKind::Echo).await;
    let net = run
        .create_network("lan", &Default::default())
        .await
        .expect("network");
    let server = run
        .start_container(
            &ContainerSpec::new("server", &echo)
                .cmd(&["server"])
                .network(&net.docker_name, &["echo-srv"]),
        )
        .await
        .expect("server starts");
    engine
        .wait_for_log(&server, "ready", Duration::from_secs(10))
        .await
        .expect("server ready");
    let client = run
        .start_container(
            &ContainerSpec::new("client", &echo)
                .network(&net.docker_name, &[])
                .fast_dns_failure(),
        )
        .await
        .expect("client starts");
    EchoLab {
        net,
        server,
        client,
    }
}

/// Runs `netlab-echo client --json` in `client` and returns its probe records.
pub async fn probe(
    engine: &Engine,
    client: &Container,
    proto: &str,
    server: &str,
    count: u32,
) -> Vec<ProbeRecord> {
    let count = count.to_string();
    let argv = [
        "/netlab-echo",
        "client",
        "--proto",
        proto,
        "--server",
        server,
        "--count",
        &count,
        "--interval",
        "20ms",
        "--timeout",
        "500ms",
        "--connect-timeout",
        "1s",
        "--json",
    ];
    let out = engine
        .exec(
            &client.id,
            &ExecRequest::new(&argv).timeout(Duration::from_secs(20)),
        )
        .await
        .expect("exec client");
    assert!(!out.timed_out, "client hung: {}", out.stderr.text());
    probes(&out.stdout.text())
}

pub fn probes(stdout: &str) -> Vec<ProbeRecord> {
    stdout
        .lines()
        .filter_map(|l| match serde_json::from_str::<Line>(l) {
            Ok(Line::Probe(p)) => Some(p),
            Ok(Line::Summary(_)) => None,
            Err(e) => panic!("bad JSON line {l:?}: {e}"),
        })
        .collect()
}

/// Containers and networks still labelled with `run_id`.
pub async fn leftovers(engine: &Engine, run_id: &str) -> (usize, usize) {
    let label = format!("{}={run_id}", netlab_engine::labels::RUN);
    let filters = HashMap::from([("label", vec![label.as_str()])]);
    let c = engine
        .docker()
        .list_containers(Some(
            ListContainersOptionsBuilder::default()
                .all(true)
                .filters(&filters)
                .build(),
        ))
        .await
        .expect("list containers");
    let n = engine
        .docker()
        .list_networks(Some(
            ListNetworksOptionsBuilder::default()
                .filters(&filters)
                .build(),
        ))
        .await
        .expect("list networks");
    (c.len(), n.len())
}
