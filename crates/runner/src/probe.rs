//! One probe set: `netlab-echo client --json` exec'd in the `from` host,
//! its JSON lines read back into a [`ProbeRun`].

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use netlab_contract::{Line, Outcome, ProbeRecord};
use netlab_echo::clock::{Stamp, rfc3339};
use netlab_echo::stats::{Strays, summarize};
use netlab_engine::{Container, Engine, ExecOutput, ExecRequest};
use netlab_lab::Probe;
use netlab_lab::results::ProbeRun;

/// Where netlab-echo lives in the echo image.
pub(crate) const ECHO_BIN: &str = "/netlab-echo";
/// Slack on top of the client's own worst case before netlab stops waiting.
const SLACK: Duration = Duration::from_secs(5);

/// Runs `probe` from `from` against `server_host`, stopping at `until` (the
/// scenario deadline). Whatever happens, the result is a `ProbeRun`: a probe
/// cut off by the deadline gets `timeout` records for what it never reported.
pub(crate) async fn run(
    engine: &Engine,
    probe: &Probe,
    from: &Container,
    server_host: &str,
    until: Instant,
) -> ProbeRun {
    let mut argv = vec![ECHO_BIN.to_string()];
    argv.extend(probe.client_args(server_host));
    let left = until.saturating_duration_since(Instant::now());
    let limit = probe.worst_case().saturating_add(SLACK).min(left);
    let started = Stamp::now();
    let req = ExecRequest::new(&argv).timeout(limit);
    // `clients: N` starts N clients at once: the server must serve them concurrently.
    let execs = (0..probe.clients.max(1)).map(|_| engine.exec(&from.id, &req));
    let runs = join_all(execs)
        .await
        .into_iter()
        .map(|out| {
            let mut run = empty(probe);
            match out {
                Err(e) => run.infra_error = Some(e.to_string()),
                Ok(out) => read_output(&mut run, probe, &out, started),
            }
            run
        })
        .collect();
    merge(probe, runs)
}

/// A probe not run because nothing could answer it (`why`).
pub(crate) fn not_run(probe: &Probe, why: String) -> ProbeRun {
    ProbeRun {
        not_run: Some(why),
        ..empty(probe)
    }
}

fn empty(probe: &Probe) -> ProbeRun {
    ProbeRun {
        id: probe.id.clone(),
        proto: probe.proto,
        from: probe.from.clone(),
        target: probe.target(),
        socket: probe.socket,
        case: probe.case,
        records: Vec::new(),
        summary: None,
        infra_error: None,
        deadline_hit: false,
        nodes: Vec::new(),
        not_run: None,
    }
}

/// One probe set from its clients' runs: their records one client after the
/// other, renumbered, and the summary recomputed over all of them.
fn merge(probe: &Probe, mut runs: Vec<ProbeRun>) -> ProbeRun {
    if runs.len() == 1 {
        return runs.remove(0);
    }
    let mut all = empty(probe);
    let mut strays = Strays::default();
    let mut complete = true;
    for r in runs {
        match &r.summary {
            Some(s) => {
                let wrong = r
                    .records
                    .iter()
                    .filter(|x| x.outcome == Outcome::Mismatch)
                    .count() as u64;
                strays.duplicates += s.duplicates;
                strays.late += s.late;
                strays.mismatched += s.mismatched.saturating_sub(wrong);
            }
            None => complete = false,
        }
        all.infra_error = all.infra_error.or(r.infra_error);
        all.deadline_hit |= r.deadline_hit;
        all.records.extend(r.records);
    }
    for (i, rec) in all.records.iter_mut().enumerate() {
        rec.seq = i as u64 + 1;
    }
    if complete {
        all.summary = Some(summarize(
            probe.proto,
            probe.socket,
            &all.target,
            &all.records,
            strays,
        ));
    }
    all
}

fn read_output(run: &mut ProbeRun, probe: &Probe, out: &ExecOutput, started: Stamp) {
    for line in out.stdout.text().lines().filter(|l| !l.trim().is_empty()) {
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Probe(r)) => run.records.push(r),
            Ok(Line::Summary(s)) => run.summary = Some(s),
            Err(e) => {
                run.infra_error = Some(format!(
                    "netlab-echo printed a line that is not its JSON contract ({e}): {line:.200}"
                ));
                return;
            }
        }
    }
    if out.timed_out {
        cut_off(run, probe, out.elapsed, started);
        return;
    }
    if run.summary.is_none() {
        run.infra_error = Some(format!(
            "netlab-echo client exited with code {} without a summary: {}",
            out.exit_code.map_or("?".into(), |c| c.to_string()),
            out.stderr.text().trim()
        ));
    }
}

/// The deadline stopped the client: every probe it did not report counts as
/// a `timeout`, and the summary is computed here from what is known.
fn cut_off(run: &mut ProbeRun, probe: &Probe, waited: Duration, started: Stamp) {
    run.deadline_hit = true;
    let reported = run.records.len() as u64;
    let sent_at = rfc3339(&started.wall_after(Duration::ZERO));
    let bytes = run.records.first().map_or(0, |r| r.bytes);
    for seq in reported + 1..=u64::from(probe.count) {
        run.records.push(ProbeRecord {
            seq,
            proto: probe.proto,
            outcome: Outcome::Timeout,
            sent_at: sent_at.clone(),
            received_at: None,
            rtt_us: None,
            connect_us: None,
            request_us: None,
            wire_rtt_us: None,
            wire_connect_us: None,
            elapsed_us: waited.as_secs_f64() * 1e6,
            bytes,
            errno: None,
            error: Some(format!(
                "no answer before netlab stopped the client after {:.1} s (scenario deadline)",
                waited.as_secs_f64()
            )),
        });
    }
    run.summary = Some(summarize(
        probe.proto,
        probe.socket,
        &run.target,
        &run.records,
        Strays::default(),
    ));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use netlab_contract::{Outcome, ProbeRecord, Proto, SocketMode};
    use netlab_lab::{Connection, Payload, Probe};

    use super::{Strays, cut_off, empty, merge, summarize};

    fn probe() -> Probe {
        Probe {
            id: "together".into(),
            from: "client".into(),
            to: "server".into(),
            port: 12000,
            proto: Proto::Udp,
            count: 2,
            interval: Duration::from_millis(50),
            timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_secs(1),
            payload: Payload::Message("x".into()),
            warmup: 0,
            connection: Connection::PerProbe,
            socket: SocketMode::Unconnected,
            clients: 2,
            case: None,
        }
    }

    fn rec(seq: u64, outcome: Outcome) -> ProbeRecord {
        ProbeRecord {
            seq,
            proto: Proto::Udp,
            outcome,
            sent_at: "2026-11-24T00:00:00.000000Z".into(),
            received_at: None,
            rtt_us: (outcome == Outcome::Ok).then_some(100.0),
            connect_us: None,
            request_us: None,
            wire_rtt_us: None,
            wire_connect_us: None,
            elapsed_us: 100.0,
            bytes: 8,
            errno: None,
            error: None,
        }
    }

    fn client(records: Vec<ProbeRecord>, late: u64) -> netlab_lab::results::ProbeRun {
        let mut run = empty(&probe());
        let mut summary = summarize(
            Proto::Udp,
            SocketMode::Unconnected,
            "server:12000",
            &records,
            Strays::default(),
        );
        summary.late = late;
        run.summary = Some(summary);
        run.records = records;
        run
    }

    #[test]
    fn clients_merge_into_one_renumbered_set_with_one_summary() {
        let a = client(vec![rec(1, Outcome::Ok), rec(2, Outcome::Ok)], 0);
        let b = client(vec![rec(1, Outcome::Ok), rec(2, Outcome::Timeout)], 1);
        let all = merge(&probe(), vec![a, b]);
        let seqs: Vec<u64> = all.records.iter().map(|r| r.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4]);
        let s = all.summary.expect("every client reported");
        assert_eq!((s.sent, s.received, s.late), (4, 3, 1));
        assert_eq!(s.loss_pct, 25.0);
        assert_eq!(s.socket, SocketMode::Unconnected, "the probe's own socket");
    }

    #[test]
    fn a_cut_off_probe_keeps_its_socket_and_times_out_the_rest() {
        let mut run = empty(&probe());
        run.records.push(rec(1, Outcome::Timeout));
        cut_off(
            &mut run,
            &probe(),
            Duration::from_secs(3),
            netlab_echo::clock::Stamp::now(),
        );
        assert!(run.deadline_hit);
        assert_eq!(run.socket, SocketMode::Unconnected);
        let s = run.summary.expect("computed from what is known");
        assert_eq!(s.socket, SocketMode::Unconnected, "not always `connected`");
        assert_eq!((s.sent, s.received), (2, 0));
        assert_eq!(run.records[1].outcome, Outcome::Timeout);
    }

    #[test]
    fn a_client_without_summary_leaves_the_set_without_one() {
        let a = client(vec![rec(1, Outcome::Ok)], 0);
        let mut b = empty(&probe());
        b.infra_error = Some("exec failed".into());
        let all = merge(&probe(), vec![a, b]);
        assert!(all.summary.is_none());
        assert_eq!(all.infra_error.as_deref(), Some("exec failed"));
    }
}
