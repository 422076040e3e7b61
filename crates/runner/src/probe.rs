//! One probe set: `netlab-echo client --json` exec'd in the `from` host,
//! its JSON lines read back into a [`ProbeRun`].

use std::time::{Duration, Instant};

use netlab_echo::clock::{Stamp, rfc3339};
use netlab_echo::record::{Line, Outcome, ProbeRecord};
use netlab_echo::stats::{Strays, summarize};
use netlab_engine::{Container, ExecOutput, ExecRequest};
use netlab_lab::Probe;
use netlab_lab::results::ProbeRun;

use crate::scenario::Ctx;

/// Where netlab-echo lives in the echo image.
const ECHO_BIN: &str = "/netlab-echo";
/// Slack on top of the client's own worst case before netlab stops waiting.
const SLACK: Duration = Duration::from_secs(5);

/// Runs `probe` from `from` against `server_host`, stopping at `until` (the
/// scenario deadline). Whatever happens, the result is a `ProbeRun`: a probe
/// cut off by the deadline gets `timeout` records for what it never reported.
pub(crate) async fn run(
    ctx: &Ctx<'_>,
    probe: &Probe,
    from: &Container,
    server_host: &str,
    until: Instant,
) -> ProbeRun {
    let mut argv = vec![ECHO_BIN.to_string()];
    argv.extend(probe.client_args(server_host));
    let left = until.saturating_duration_since(Instant::now());
    let limit = (probe.worst_case() + SLACK).min(left);
    let started = Stamp::now();
    let req = ExecRequest::new(&argv).timeout(limit);
    let mut run = ProbeRun {
        id: probe.id.clone(),
        proto: probe.proto,
        from: probe.from.clone(),
        target: probe.target(),
        records: Vec::new(),
        summary: None,
        infra_error: None,
        deadline_hit: false,
    };
    match ctx.engine.exec(&from.id, &req).await {
        Err(e) => run.infra_error = Some(e.to_string()),
        Ok(out) => read_output(&mut run, probe, &out, started),
    }
    run
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
        &run.target,
        &run.records,
        Strays::default(),
    ));
}
