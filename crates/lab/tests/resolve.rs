//! Defaults and fault folding of the resolved API, on the shipped task4 lab
//! and small inline labs.

use std::path::Path;
use std::time::Duration;

use netlab_lab::{
    Case, CheckKind, Connection, Direction, FwAction, FwProto, Image, Metric, Outcome, Payload,
    Proto, Readiness, Resolve, SocketMode,
};

fn task(n: u32) -> netlab_lab::Lab {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../labs/task{n}.yaml"));
    netlab_lab::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn task4_folds_faults_into_each_scenario() {
    let lab = task(4);
    let names: Vec<&str> = lab.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "port-closed",
            "firewall-drop",
            "firewall-reject",
            "host-absent",
            "unknown-name"
        ]
    );

    let closed = &lab.scenarios[0];
    let server = closed.host("server").unwrap();
    assert!(server.port_closed);
    assert_eq!(server.command, ["idle"]);
    assert_eq!(server.ready, Readiness::Running);
    assert!(closed.absent.is_empty() && closed.firewalls.is_empty());

    let drop = &lab.scenarios[1];
    assert_eq!(drop.firewalls.len(), 1);
    let fw = &drop.firewalls[0];
    assert_eq!(
        (fw.host.as_str(), fw.action, fw.proto, fw.port, fw.direction),
        (
            "server",
            FwAction::Drop,
            FwProto::All,
            Some(12000),
            Direction::In
        )
    );
    let server = drop.host("server").unwrap();
    assert!(!server.port_closed);
    assert_eq!(server.command, ["server"]);
    assert!(
        matches!(&server.ready, Readiness::Log { text, timeout } if text == "ready" && *timeout == Duration::from_secs(10))
    );

    let absent = &lab.scenarios[3];
    assert!(absent.host("server").is_none());
    assert_eq!(absent.hosts.len(), 1);
    assert_eq!(absent.absent_mode("server"), Some(Resolve::Address));
    assert_eq!(lab.scenarios[4].absent_mode("server"), Some(Resolve::None));

    let tcp = absent.probe("tcp").unwrap();
    assert_eq!(tcp.connect_timeout, Duration::from_secs(5));
    let tcp_check = absent
        .checks
        .iter()
        .find(|c| c.kind.probes() == ["tcp"])
        .unwrap();
    match &tcp_check.kind {
        CheckKind::Outcome {
            is,
            within,
            at_least,
            ..
        } => {
            assert_eq!(
                (*is, *within, *at_least),
                (
                    Outcome::Unreachable,
                    Some(Duration::from_millis(4500)),
                    None
                )
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// Every Task 4 case has the connected UDP client, the handout's
/// unconnected one and TCP, each knowing the case its target is in.
#[test]
fn task4_probes_name_their_socket_and_case() {
    let lab = task(4);
    let cases = [
        Case::PortClosed,
        Case::FirewallDrop,
        Case::FirewallReject,
        Case::HostAbsent,
        Case::UnknownName,
    ];
    for (sc, case) in lab.scenarios.iter().zip(cases) {
        let got: Vec<(&str, Proto, SocketMode, Option<Case>)> = sc
            .probes
            .iter()
            .map(|p| (p.id.as_str(), p.proto, p.socket, p.case))
            .collect();
        let mut want = vec![
            (
                "udp-unconnected",
                Proto::Udp,
                SocketMode::Unconnected,
                Some(case),
            ),
            ("udp", Proto::Udp, SocketMode::Connected, Some(case)),
            ("tcp", Proto::Tcp, SocketMode::Connected, Some(case)),
        ];
        got.iter()
            .for_each(|g| assert!(want.contains(g), "{}: {g:?}", sc.name));
        want.retain(|w| !got.contains(w));
        assert!(want.is_empty(), "{}: missing {want:?}", sc.name);
        let args = sc.probe("udp-unconnected").unwrap().client_args("server");
        assert!(args.join(" ").contains("--socket unconnected"), "{args:?}");
    }
}

#[test]
fn only_a_fault_in_the_probes_way_is_its_case() {
    let lab = netlab_lab::parse(
        "
name: cases
hosts:
  server: {command: [server]}
  client: {}
scenarios:
  - name: udp-only-firewall
    faults:
      - {firewall: server, action: reject, proto: udp, port: 12000}
    probes:
      - {id: udp, from: client, to: server, proto: udp}
      - {id: tcp, from: client, to: server, proto: tcp}
      - {id: other-port, from: client, to: 'server:9000', proto: udp}
  - name: plain
    probes:
      - {id: udp, from: client, to: server, proto: udp}
",
        "cases.yaml",
    )
    .unwrap();
    let case = |s: usize, id: &str| lab.scenarios[s].probe(id).unwrap().case;
    assert_eq!(case(0, "udp"), Some(Case::FirewallReject));
    assert_eq!(case(0, "tcp"), None, "the rule filters UDP only");
    assert_eq!(
        case(0, "other-port"),
        None,
        "the rule filters port 12000 only"
    );
    assert_eq!(case(1, "udp"), None);
    assert_eq!(lab.scenarios[1].probes[0].socket, SocketMode::Connected);
}

#[test]
fn task3_probes_and_compare_checks() {
    let lab = task(3);
    let sc = &lab.scenarios[0];
    let modes: Vec<(Proto, Connection)> =
        sc.probes.iter().map(|p| (p.proto, p.connection)).collect();
    assert_eq!(
        modes,
        [
            (Proto::Udp, Connection::PerProbe),
            (Proto::Tcp, Connection::PerProbe),
            (Proto::Tcp, Connection::Persistent)
        ]
    );
    assert!(sc.probes.iter().all(|p| p.warmup == 2 && p.count == 30));
    let compares = sc
        .checks
        .iter()
        .filter(|c| matches!(c.kind, CheckKind::Compare { .. }))
        .count();
    assert_eq!(compares, 3);
    assert_eq!(sc.deadline, Duration::from_secs(60));
}

const MINIMAL: &str = "
name: mini
hosts:
  server: {image: tools, command: python3 -m http.server}
  client:
scenarios:
  - name: s
    faults:
      - port_closed: server
    probes:
      - {id: p, from: client, to: server, proto: tcp}
    checks:
      - name: refused
        outcome: {probe: p, is: refused}
";

#[test]
fn defaults_apply() {
    let lab = netlab_lab::parse(MINIMAL, "mini.yaml").unwrap();
    assert_eq!(
        (
            lab.title.as_str(),
            lab.description.as_str(),
            lab.file.as_str()
        ),
        ("", "", "mini.yaml")
    );
    let sc = &lab.scenarios[0];
    assert_eq!(sc.deadline, Duration::from_secs(120));
    // A plain-string command is split on whitespace; closing the port of a
    // Debian-based host keeps it up with `sleep infinity`.
    let server = &sc.hosts[0];
    assert_eq!(server.image, Image::Tools);
    assert_eq!(server.command, ["sleep", "infinity"]);
    let client = &sc.hosts[1];
    assert_eq!(
        (client.image.clone(), client.command.clone()),
        (Image::Echo, vec!["idle".to_string()])
    );
    let p = &sc.probes[0];
    assert_eq!((p.port, p.count, p.warmup), (12000, 10, 0));
    assert_eq!(
        (p.interval, p.timeout, p.connect_timeout),
        (
            Duration::from_millis(100),
            Duration::from_secs(1),
            Duration::from_secs(3)
        )
    );
    assert_eq!(p.payload, Payload::Message("hello from netlab".into()));
    assert_eq!(p.connection, Connection::PerProbe);
    assert_eq!(sc.checks[0].points, 1.0);
    assert_eq!(sc.checks[0].explain, "");
}

#[test]
fn the_unmodified_command_comes_back_without_the_fault() {
    // `faults:` with every entry commented out is null: no faults.
    let text = MINIMAL.replace(
        "      - port_closed: server\n",
        "      # - port_closed: server\n",
    );
    let lab = netlab_lab::parse(&text, "mini.yaml").unwrap_or_else(|e| panic!("{e}"));
    assert!(!lab.scenarios[0].hosts[0].port_closed);
    assert_eq!(
        lab.scenarios[0].hosts[0].command,
        ["python3", "-m", "http.server"]
    );
}

#[test]
fn target_with_port_and_size_payload() {
    let text = MINIMAL
        .replace(
            "to: server, proto: tcp}",
            "to: \"server:8080\", proto: udp, size: 1000}",
        )
        .replace("is: refused", "is: ok");
    let lab = netlab_lab::parse(&text, "mini.yaml").unwrap_or_else(|e| panic!("{e}"));
    let p = &lab.scenarios[0].probes[0];
    assert_eq!(
        (p.to.as_str(), p.port, p.target()),
        ("server", 8080, "server:8080".to_string())
    );
    assert_eq!(p.payload, Payload::Size(1000));
    assert_eq!(p.client_args("server")[4], "server:8080");
}

#[test]
fn capture_defaults_to_the_server_or_the_client_when_it_is_absent() {
    let lab = task(4);
    let capture: Vec<&str> = lab.scenarios.iter().map(|s| s.capture.as_str()).collect();
    assert_eq!(capture, ["server", "server", "server", "client", "client"]);
}

#[test]
fn impair_fault_resolves_delay_loss_and_rate() {
    let text = r#"
name: imp
hosts:
  server: {command: [server]}
  client: {}
scenarios:
  - name: s
    capture: client
    faults:
      - {impair: server, delay: 20ms, jitter: 5ms, loss: 30%, rate: 1mbit}
    probes:
      - {id: udp, from: client, to: server, proto: udp}
    checks:
      - {name: band, loss: {probe: udp, min: 15%, max: 45%}}
"#;
    let lab = netlab_lab::parse(text, "imp.yaml").unwrap_or_else(|e| panic!("{e}"));
    let sc = &lab.scenarios[0];
    assert_eq!(sc.capture, "client");
    let imp = &sc.impairments[0];
    assert_eq!(imp.host, "server");
    assert_eq!(imp.delay, Some(Duration::from_millis(20)));
    assert_eq!(imp.jitter, Some(Duration::from_millis(5)));
    assert_eq!(imp.loss, Some(30.0));
    assert_eq!(imp.rate, Some(1_000_000));
    assert!(imp.needs_netem());
    assert_eq!(
        sc.checks[0].kind,
        CheckKind::Loss {
            probe: "udp".into(),
            min_pct: 15.0,
            max_pct: 45.0
        }
    );
}

#[test]
fn every_duration_at_its_maximum_is_accepted_and_interval_may_be_zero() {
    let text = r#"
name: edges
hosts:
  server: {command: [server], ready: {log: ready, timeout: 10m}}
  client: {}
scenarios:
  - name: s1
    deadline: 1h
    faults:
      - {impair: server, delay: 1m, jitter: 1m}
    probes:
      - {id: udp, from: client, to: server, proto: udp, count: 10000, warmup: 10000, interval: 0ms, timeout: 10m}
      - {id: tcp, from: client, to: server, proto: tcp, interval: 1m, timeout: 10m, connect_timeout: 10m}
    checks:
      - name: known in time
        outcome: {probe: udp, is: ok, within: 10m}
      - name: rtt bounds
        rtt: {probe: tcp, min: 0ms, max: 10m}
"#;
    let lab = netlab_lab::parse(text, "edges.yaml").unwrap_or_else(|e| panic!("{e}"));
    let sc = &lab.scenarios[0];
    assert_eq!(sc.deadline, Duration::from_secs(3600));
    assert_eq!(sc.probes[0].interval, Duration::ZERO);
    // The largest worst case a valid lab can ask for is far from overflowing.
    let worst = sc.probes.iter().map(|p| p.worst_case()).max().unwrap();
    assert_eq!(worst, Duration::from_secs(600 * 20_000));
}

/// `metric: wire` on UDP and TCP probes, and a compare of app against wire
/// (TCP per-probe: the request, which is what the kernel stamps).
#[test]
fn wire_metric_and_app_against_wire_resolve() {
    let lab = netlab_lab::parse(
        "
name: wire
hosts:
  server: {command: [server]}
  client: {}
scenarios:
  - name: s
    probes:
      - {id: udp, from: client, to: server, proto: udp}
      - {id: tcp, from: client, to: server, proto: tcp}
      - {id: tcp-p, from: client, to: server, proto: tcp, connection: persistent}
    checks:
      - {name: wire, rtt: {probe: udp, metric: wire, percentile: 90, max: 5ms}}
      - name: udp app over wire
        compare: {left: {probe: udp}, right: {probe: udp, metric: wire}, ratio: {min: 1}}
      - name: tcp request over wire
        compare: {left: {probe: tcp, metric: request}, right: {probe: tcp, metric: wire}, ratio: {min: 1}}
      - name: persistent rtt over wire
        compare: {left: {probe: tcp-p}, right: {probe: tcp-p, metric: wire}, ratio: {min: 1}}
",
        "wire.yaml",
    )
    .unwrap();
    let checks = &lab.scenarios[0].checks;
    let CheckKind::Rtt { series, .. } = &checks[0].kind else {
        panic!("an rtt check")
    };
    assert_eq!((series.metric, series.percentile), (Metric::Wire, 90.0));
    for c in &checks[1..] {
        let CheckKind::Compare { right, .. } = &c.kind else {
            panic!("a compare")
        };
        assert_eq!(right.metric, Metric::Wire, "{}", c.name);
    }
}
