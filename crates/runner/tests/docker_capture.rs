//! `--capture` and link impairments on the real Docker engine: the pcap of
//! Task 4's port-closed case is valid and shows SYN then RST, and ICMP port
//! unreachable for every datagram of an unconnected UDP client that still
//! only timed out; 30 % loss on the server's link shows in UDP and as
//! retransmitted SYNs; delay either works (netem) or is reported
//! unsupported, never silently skipped.

use std::path::{Path, PathBuf};

use netlab_engine::{ContainerSpec, Engine, ImageKind, ImageSources, Run};
use netlab_lab::results::{CheckStatus, Dir, FlowProto, LabResult, Outcome, WireKind};
use netlab_runner::events::Events;
use netlab_runner::{ImageSet, RunOptions, Runner, images};

async fn engine() -> Engine {
    Engine::connect()
        .await
        .unwrap_or_else(|e| panic!("these tests need a Docker engine: {e}"))
}

/// The static netlab-echo binary: NETLAB_ECHO_BIN or next to this test's profile dir.
fn echo_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("NETLAB_ECHO_BIN") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("test executable path");
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target/<triple>/<profile>")
        .join("netlab-echo");
    assert!(
        bin.is_file(),
        "{} is missing: build it first with `cargo build -p netlab-echo` or set NETLAB_ECHO_BIN",
        bin.display()
    );
    bin
}

async fn image_set(engine: &Engine) -> ImageSet {
    let sources = ImageSources {
        echo_bin: echo_bin(),
    };
    images::ensure(
        engine,
        &[ImageKind::Echo, ImageKind::Tools],
        &sources,
        &Events::none(),
    )
    .await
    .expect("images")
}

fn lab_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../labs/{name}"))
}

/// Runs `lab` (only the scenarios named in `only`, if any) with captures in `dir`.
async fn run(lab: netlab_lab::Lab, dir: Option<&Path>) -> LabResult {
    let engine = engine().await;
    let images = image_set(&engine).await;
    let runner = Runner::new(
        engine.clone(),
        images,
        RunOptions {
            keep: false,
            capture_dir: dir.map(Path::to_path_buf),
            ..RunOptions::default()
        },
        Events::none(),
    );
    let run = Run::new(&engine, &lab.name);
    let guard = run.guard();
    let result = runner.run_lab(&lab, &run).await;
    run.cleanup().await.expect("cleanup");
    drop(guard);
    result.expect("lab runs")
}

fn only(mut lab: netlab_lab::Lab, scenario: &str) -> netlab_lab::Lab {
    lab.scenarios.retain(|s| s.name == scenario);
    assert_eq!(lab.scenarios.len(), 1, "scenario {scenario}");
    lab
}

#[tokio::test]
async fn docker_capture_of_a_closed_port_shows_syn_then_rst() {
    let dir = tempfile::tempdir().unwrap();
    let lab = only(
        netlab_lab::load(&lab_file("task4.yaml")).unwrap(),
        "port-closed",
    );
    let result = run(lab, Some(dir.path())).await;
    let sc = &result.scenarios[0];
    assert!(sc.error.is_none(), "{:?}", sc.error);
    let cap = sc.capture.as_ref().expect("a capture summary");
    assert_eq!(cap.host, "server");
    let file = dir.path().join("task4-port-closed.pcap");
    assert_eq!(cap.file, file.display().to_string());
    assert!(cap.error.is_none(), "{:?}", cap.error);

    // The pcap is one tcpdump (and so Wireshark) reads.
    let out = std::process::Command::new("tcpdump")
        .args(["-n", "-r"])
        .arg(&file)
        .output()
        .expect("tcpdump is installed (scripts/deps)");
    assert!(
        out.status.success(),
        "tcpdump -r failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Flags [S]") && text.contains("Flags [R.]"),
        "{text}"
    );

    let wire = cap.wire.as_ref().expect("summary");
    let tcp: Vec<_> = wire.flows_of(FlowProto::Tcp).collect();
    assert_eq!(tcp.len(), 3, "one connection attempt per probe: {tcp:#?}");
    for f in tcp {
        assert_eq!(f.kinds(), [WireKind::Syn, WireKind::Rst], "{}", f.line(10));
        assert_eq!(f.events[1].dir, Dir::ToClient);
        assert!(f.server.ends_with(":12000"));
    }
    // Two UDP clients, each its own socket (flow): the handout's unconnected
    // one first, then netlab's connected one. The server answered every
    // datagram of both with ICMP port unreachable...
    let udp: Vec<_> = wire.flows_of(FlowProto::Udp).collect();
    assert_eq!(udp.len(), 2, "{udp:#?}");
    for flow in &udp {
        let icmp: Vec<_> = flow
            .events
            .iter()
            .filter(|e| e.kind == WireKind::IcmpUnreachable)
            .collect();
        assert_eq!(
            icmp.iter().map(|e| e.count).sum::<u32>(),
            3,
            "{}",
            flow.line(10)
        );
        assert!(
            icmp.iter()
                .all(|e| e.code == Some(3) && e.dir == Dir::ToClient)
        );
    }
    // ...yet only the connected socket was told: the unconnected one waited.
    let outcomes = |id: &str| -> Vec<Outcome> {
        let run = sc.probes.iter().find(|p| p.id == id).expect(id);
        run.records.iter().map(|r| r.outcome).collect()
    };
    assert_eq!(outcomes("udp-unconnected"), [Outcome::Timeout; 3]);
    assert_eq!(outcomes("udp"), [Outcome::Refused; 3]);
}

#[tokio::test]
async fn docker_loss_lab_loses_about_30_percent_and_tcp_retransmits() {
    let dir = tempfile::tempdir().unwrap();
    let result = run(
        netlab_lab::load(&lab_file("loss.yaml")).unwrap(),
        Some(dir.path()),
    )
    .await;
    let sc = &result.scenarios[0];
    assert!(sc.error.is_none(), "{:?}", sc.error);
    for c in &sc.checks {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.measured);
    }
    assert!(sc.notes.iter().any(|n| n.contains("iptables statistic")));
    let wire = sc
        .capture
        .as_ref()
        .and_then(|c| c.wire.as_ref())
        .expect("capture");
    let resent: u32 = wire
        .flows_of(FlowProto::Tcp)
        .map(|f| f.count(WireKind::SynRetransmit) + f.count(WireKind::Retransmit))
        .sum();
    assert!(resent > 0, "no TCP retransmission on a 30 % lossy link");
    // tcpdump sees requests before the INPUT chain drops them: all 100 arrive.
    let udp = wire
        .flows_of(FlowProto::Udp)
        .find(|f| f.server.ends_with(":12000"))
        .unwrap();
    assert_eq!(udp.to_server, 100);
    assert!(udp.to_client < 90, "replies {}", udp.to_client);
}

/// Whether this kernel has sch_netem, asked independently of the runner.
async fn kernel_has_netem(engine: &Engine, images: &ImageSet) -> bool {
    let run = Run::new(engine, "netem-probe");
    let guard = run.guard();
    let net = run
        .create_network("lan", &Default::default())
        .await
        .unwrap();
    let host = run
        .start_container(
            &ContainerSpec::new("host", &images.echo().unwrap()).network(&net.docker_name, &[]),
        )
        .await
        .unwrap();
    let side = run
        .start_sidecar(&host, &images.tools().unwrap())
        .await
        .unwrap();
    let has = side.netem_supported().await.unwrap();
    run.cleanup().await.unwrap();
    drop(guard);
    has
}

const DELAY_LAB: &str = r#"
name: delay
hosts:
  server: {command: [server], ready: {log: ready}}
  client: {}
scenarios:
  - name: delayed
    deadline: 60s
    faults:
      - {impair: server, delay: 50ms, jitter: 1ms}
    probes:
      - {id: udp, from: client, to: server, proto: udp, count: 5, interval: 10ms}
    checks:
      - name: replies come 50 ms late
        rtt: {probe: udp, percentile: 50, min: 45ms}
"#;

#[tokio::test]
async fn docker_delay_is_applied_or_reported_unsupported() {
    let engine = engine().await;
    let images = image_set(&engine).await;
    let netem = kernel_has_netem(&engine, &images).await;
    let lab = netlab_lab::parse(DELAY_LAB, "delay.yaml").unwrap();
    let result = run(lab, None).await;
    let sc = &result.scenarios[0];
    assert!(sc.error.is_none(), "{:?}", sc.error);
    let check = &sc.checks[0];
    if netem {
        assert_eq!(check.status, CheckStatus::Pass, "{}", check.measured);
        assert!(
            sc.notes.iter().any(|n| n.contains("tc netem")),
            "{:?}",
            sc.notes
        );
    } else {
        // This machine's path: no sch_netem, so nothing is measured or graded.
        assert_eq!(check.status, CheckStatus::Unsupported, "{}", check.measured);
        assert_eq!(check.earned, 0.0);
        assert!(check.measured.contains("sch_netem"), "{}", check.measured);
        assert!(sc.probes.is_empty(), "probes ran without the delay");
        assert!(
            sc.notes
                .iter()
                .any(|n| n.starts_with("unsupported:") && n.contains("delay 50ms")),
            "{:?}",
            sc.notes
        );
    }
}
