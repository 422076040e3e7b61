//! Synthetic probe runs for the grading unit tests (pure logic only).

use std::collections::BTreeMap;

use crate::resolved::{Check, CheckKind, Outcome, Proto};
use crate::results::{ProbeRecord, ProbeRun, ProbeSummary};

pub fn check(kind: CheckKind) -> Check {
    Check {
        name: "c".into(),
        points: 2.0,
        explain: "because".into(),
        explain_fail: String::new(),
        kind,
    }
}

pub fn rec(seq: u64, outcome: Outcome, rtt_us: Option<f64>) -> ProbeRecord {
    ProbeRecord {
        seq,
        proto: Proto::Udp,
        outcome,
        sent_at: "2026-01-01T00:00:00.000000Z".into(),
        received_at: rtt_us.map(|_| "2026-01-01T00:00:00.000100Z".into()),
        rtt_us,
        connect_us: None,
        request_us: None,
        wire_rtt_us: None,
        wire_connect_us: None,
        elapsed_us: rtt_us.unwrap_or(1_000_000.0),
        bytes: 17,
        errno: None,
        error: None,
    }
}

/// A successful TCP probe: rtt = connect + request.
pub fn tcp_rec(seq: u64, connect_us: f64, request_us: f64) -> ProbeRecord {
    let mut r = rec(seq, Outcome::Ok, Some(connect_us + request_us));
    r.proto = Proto::Tcp;
    r.connect_us = Some(connect_us);
    r.request_us = Some(request_us);
    r
}

/// A summary consistent with the records (statistics left out: grading reads records).
pub fn udp_summary(records: &[ProbeRecord]) -> ProbeSummary {
    let mut outcomes = BTreeMap::new();
    for r in records {
        *outcomes.entry(r.outcome).or_insert(0) += 1;
    }
    let sent = records.len() as u64;
    let received = outcomes.get(&Outcome::Ok).copied().unwrap_or(0);
    ProbeSummary {
        proto: Proto::Udp,
        server: "server:12000".into(),
        sent,
        received,
        loss_pct: 100.0 * (sent - received) as f64 / sent.max(1) as f64,
        outcomes,
        duplicates: 0,
        late: 0,
        mismatched: 0,
        rtt: None,
        connect: None,
        request: None,
        wire: None,
        socket: Default::default(),
    }
}

pub fn run(id: &str, records: Vec<ProbeRecord>, summary: Option<ProbeSummary>) -> ProbeRun {
    ProbeRun {
        id: id.into(),
        proto: Proto::Udp,
        from: "client".into(),
        target: "server:12000".into(),
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
