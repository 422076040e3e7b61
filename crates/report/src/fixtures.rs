//! Hand-built results for the reporters' unit tests: one lab with a passing
//! UDP/TCP comparison scenario and a broken fault scenario, with names that
//! need quoting in CSV, escaping in XML and in Markdown; and that lab made
//! into a Task 4 like one for the outcome matrix.

use std::collections::BTreeMap;

use netlab_lab::results::{
    CaptureSummary, Case, CheckResult, CheckStatus, LabResult, Outcome, ProbeRecord, ProbeRun,
    ProbeSummary, Proto, ScenarioResult, SocketMode, Stats,
};

pub fn stats(base: f64) -> Stats {
    Stats {
        count: 3,
        min_us: base,
        avg_us: base + 20.0,
        max_us: base + 60.0,
        mdev_us: base / 10.0,
        p50_us: base + 10.0,
        p90_us: base + 40.0,
        p99_us: base + 55.0,
    }
}

fn record(seq: u64, proto: Proto, outcome: Outcome, rtt: Option<f64>) -> ProbeRecord {
    let ok = outcome == Outcome::Ok;
    ProbeRecord {
        seq,
        proto,
        outcome,
        sent_at: format!("2026-01-01T10:00:0{seq}.000100Z"),
        received_at: ok.then(|| format!("2026-01-01T10:00:0{seq}.000350Z")),
        rtt_us: rtt,
        connect_us: (proto == Proto::Tcp && ok).then_some(90.0),
        request_us: (proto == Proto::Tcp && ok).then_some(160.0),
        wire_rtt_us: None,
        wire_connect_us: None,
        elapsed_us: rtt.unwrap_or(1_000_000.0),
        bytes: 5,
        errno: (!ok).then_some(111),
        error: (!ok).then(|| "connection refused".to_string()),
    }
}

fn summary(proto: Proto, sent: u64, received: u64, outcomes: &[(Outcome, u64)]) -> ProbeSummary {
    let tcp = proto == Proto::Tcp;
    ProbeSummary {
        proto,
        server: "server:9000".into(),
        sent,
        received,
        loss_pct: 100.0 * (sent - received) as f64 / sent as f64,
        outcomes: outcomes.iter().copied().collect::<BTreeMap<_, _>>(),
        duplicates: 0,
        late: 0,
        mismatched: 0,
        rtt: (received > 0).then(|| stats(if tcp { 250.0 } else { 120.0 })),
        connect: (tcp && received > 0).then(|| stats(90.0)),
        request: (tcp && received > 0).then(|| stats(160.0)),
        wire: None,
        socket: Default::default(),
    }
}

pub fn check(name: &str, status: CheckStatus, points: f64, earned: f64) -> CheckResult {
    CheckResult {
        name: name.into(),
        kind: "outcome".into(),
        status,
        points,
        earned,
        measured: format!("measured for {name}"),
        expected: format!("expected for {name}"),
        explanation: format!("Why {name} behaves so: the kernel answers with a TCP RST."),
        probes: vec![],
    }
}

fn probe(
    id: &str,
    proto: Proto,
    records: Vec<ProbeRecord>,
    summary: Option<ProbeSummary>,
) -> ProbeRun {
    ProbeRun {
        id: id.into(),
        proto,
        from: "client".into(),
        target: "server:9000".into(),
        socket: Default::default(),
        case: None,
        records,
        summary,
        infra_error: None,
        deadline_hit: false,
        nodes: Vec::new(),
        not_run: None,
    }
}

/// Scenario 1 passes two checks and fails one; scenario 2 has an error, an
/// unsupported check, and awkward characters in its check names.
pub fn labs() -> Vec<LabResult> {
    let udp_records = (1..=3)
        .map(|i| record(i, Proto::Udp, Outcome::Ok, Some(120.0 * i as f64)))
        .collect();
    let tcp_records = (1..=3)
        .map(|i| record(i, Proto::Tcp, Outcome::Ok, Some(250.0 * i as f64)))
        .collect();
    let compare = ScenarioResult {
        name: "udp-vs-tcp".into(),
        title: "UDP against TCP".into(),
        description: "Ten probes each way; TCP pays for its handshake.".into(),
        probes: vec![
            probe(
                "udp",
                Proto::Udp,
                udp_records,
                Some(summary(Proto::Udp, 3, 3, &[(Outcome::Ok, 3)])),
            ),
            probe(
                "tcp",
                Proto::Tcp,
                tcp_records,
                Some(summary(Proto::Tcp, 3, 3, &[(Outcome::Ok, 3)])),
            ),
        ],
        runs: vec![],
        servers: vec![],
        checks: vec![
            check("udp replies", CheckStatus::Pass, 2.0, 2.0),
            check("tcp replies", CheckStatus::Pass, 2.0, 2.0),
            check("tcp slower", CheckStatus::Fail, 3.0, 0.0),
        ],
        duration_ms: 1_500,
        error: None,
        notes: vec!["netem unsupported here".into()],
        capture: None,
    };
    let mut broken_probe = probe(
        "tcp-closed",
        Proto::Tcp,
        vec![record(1, Proto::Tcp, Outcome::Refused, None)],
        None,
    );
    broken_probe.infra_error = Some("exec failed: container gone".into());
    broken_probe.deadline_hit = true;
    let fault = ScenarioResult {
        name: "port-closed".into(),
        title: "Port closed".into(),
        description: "No server listens; the kernel answers.".into(),
        probes: vec![broken_probe],
        runs: vec![],
        servers: vec![],
        checks: vec![
            check(
                "refused, \"RST\" | <fast>",
                CheckStatus::InfraError,
                2.0,
                0.0,
            ),
            check("delay 50ms", CheckStatus::Unsupported, 1.0, 0.0),
        ],
        duration_ms: 700,
        error: Some("client container exited early".into()),
        notes: vec![],
        capture: None,
    };
    vec![LabResult {
        name: "task3".into(),
        title: "UDP vs TCP".into(),
        description: "Compare the round-trip time of UDP and TCP.".into(),
        file: "labs/task3.yaml".into(),
        scenarios: vec![compare, fault],
        duration_ms: 2_200,
    }]
}

/// [`labs`] with kernel stamps: UDP wire 50 and 100 µs for the first two
/// replies (the third has none), TCP wire 100 µs for each request.
pub fn wire_labs() -> Vec<LabResult> {
    let mut labs = labs();
    let probes = &mut labs[0].scenarios[0].probes;
    for (r, wire) in probes[0]
        .records
        .iter_mut()
        .zip([Some(50.0), Some(100.0), None])
    {
        r.wire_rtt_us = wire;
    }
    for r in &mut probes[1].records {
        r.wire_rtt_us = Some(100.0);
    }
    for p in probes.iter_mut() {
        let wire: Vec<f64> = p.records.iter().filter_map(|r| r.wire_rtt_us).collect();
        if let Some(s) = p.summary.as_mut() {
            s.wire = Some(Stats {
                count: wire.len() as u64,
                ..stats(wire[0])
            });
        }
    }
    labs
}

/// A Task 4 like lab: a port-closed case where UDP is refused twice and
/// times out once, TCP is refused every time and the handout's unconnected
/// UDP client times out every time.
pub fn outcome_lab() -> Vec<LabResult> {
    let mut labs = labs();
    let s = &mut labs[0].scenarios[1];
    s.error = None;
    let p = &mut s.probes[0];
    p.id = "tcp".into();
    p.case = Some(Case::PortClosed);
    p.infra_error = None;
    p.deadline_hit = false;
    p.records = (1..=3)
        .map(|seq| ProbeRecord {
            seq,
            elapsed_us: 200.0 * seq as f64,
            ..p.records[0].clone()
        })
        .collect();
    let mut udp = p.clone();
    udp.id = "udp".into();
    udp.proto = Proto::Udp;
    udp.records[2].outcome = Outcome::Timeout;
    udp.records[2].elapsed_us = 1_000_000.0;
    let mut handout = udp.clone();
    handout.id = "udp-unconnected".into();
    handout.socket = SocketMode::Unconnected;
    for r in &mut handout.records {
        r.outcome = Outcome::Timeout;
        r.elapsed_us = 1_000_000.0;
    }
    s.probes.extend([udp, handout]);
    s.checks[0].status = CheckStatus::Pass;
    s.checks[0].probes = vec!["tcp".into()];
    s.checks[0].explanation = "The kernel answers the SYN with RST.".into();
    s.checks[1].status = CheckStatus::Fail;
    s.checks[1].probes = vec!["udp".into()];
    s.checks[1].explanation =
        "Measured 2/3 refused contradicts the expected every probe refused".into();
    let mut hears_nothing = check("hears nothing", CheckStatus::Pass, 2.0, 2.0);
    hears_nothing.probes = vec!["udp-unconnected".into()];
    hears_nothing.explanation = "Linux tells an unconnected socket nothing.".into();
    s.checks.push(hears_nothing);
    // The comparison scenario is the second case: every probe answered.
    let ok = &mut labs[0].scenarios[0].checks;
    ok[0].probes = vec!["udp".into()];
    ok[1].probes = vec!["tcp".into()];
    ok[2].kind = "compare".into();
    labs
}

/// A capture of one refused TCP connection: SYN, then RST.
pub fn capture_syn_rst() -> CaptureSummary {
    use netlab_lab::results::{Dir, Flow, FlowProto, WireEvent, WireKind, WireSummary};
    let event = |dir, kind| WireEvent {
        at_ms: 1.0,
        last_ms: 1.0,
        dir,
        kind,
        bytes: 0,
        count: 1,
        code: None,
    };
    CaptureSummary {
        host: "server".into(),
        file: "netlab-captures/task3-port-closed.pcap".into(),
        wire: Some(WireSummary {
            packets: 2,
            other: 0,
            duration_ms: 0.2,
            flows: vec![Flow {
                proto: FlowProto::Tcp,
                client: "10.0.0.2:40000".into(),
                server: "10.0.0.3:9000".into(),
                start_ms: 0.0,
                events: vec![
                    event(Dir::ToServer, WireKind::Syn),
                    event(Dir::ToClient, WireKind::Rst),
                ],
                to_server: 1,
                to_client: 1,
            }],
        }),
        dropped: 0,
        error: None,
    }
}

/// A run of a student's client that printed a reply and exited 1.
pub fn program_run() -> netlab_lab::results::ProgramOutput {
    netlab_lab::results::ProgramOutput {
        id: "udp".into(),
        host: "udp-client".into(),
        role: "udp-client".into(),
        command: "python3 UDPClient.py".into(),
        stdin: Some("hello netlab\n".into()),
        stdout: "From Server: HELLO NETLAB\n".into(),
        stderr: "Error: late\n".into(),
        stdout_bytes: 26,
        stderr_bytes: 12,
        stdout_kept: Some(26),
        stderr_kept: Some(12),
        exit_code: Some(1),
        timed_out: false,
        duration_ms: 80,
        infra_error: None,
        limits_hit: Vec::new(),
        contact: None,
    }
}
