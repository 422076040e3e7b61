//! Runs of a submission's programs: the role's command exec'd in its idle,
//! sandboxed host with the run's stdin, stopped at its deadline, output capped
//! (first and last part kept). All runs of a scenario start together.

use std::time::Instant;

use futures_util::future::join_all;
use std::collections::HashMap;

use netlab_engine::{Container, Engine, ExecRequest};
use netlab_lab::ProgramRun;
use netlab_lab::results::{LimitHit, ProgramOutput};

use crate::layout::Layout;

/// Runs every one of `runs` in its host (among `hosts`), keeping `cap`
/// bytes of each stream, all stopped by `until`.
pub(crate) async fn run_all(
    layout: &Layout,
    runs: &[ProgramRun],
    hosts: &HashMap<String, Container>,
    cap: usize,
    until: Instant,
) -> Vec<ProgramOutput> {
    join_all(
        runs.iter()
            .map(|r| run_one(layout.engine(&r.host), r, hosts, cap, until)),
    )
    .await
}

async fn run_one(
    engine: &Engine,
    r: &ProgramRun,
    hosts: &HashMap<String, Container>,
    cap: usize,
    until: Instant,
) -> ProgramOutput {
    let left = until.saturating_duration_since(Instant::now());
    let mut req = ExecRequest::new(&r.command)
        .timeout(r.deadline.min(left))
        .output_cap(cap);
    // Without stdin the program would read from nothing forever; give it EOF.
    req = req.stdin(r.stdin.clone().unwrap_or_default().into_bytes());
    let mut out = ProgramOutput {
        id: r.id.clone(),
        host: r.host.clone(),
        role: r.role.clone(),
        command: r.command.join(" "),
        stdin: r.stdin.clone(),
        stdout: String::new(),
        stderr: String::new(),
        stdout_bytes: 0,
        stderr_bytes: 0,
        stdout_kept: None,
        stderr_kept: None,
        exit_code: None,
        timed_out: false,
        duration_ms: 0,
        infra_error: None,
        limits_hit: Vec::new(),
        contact: None,
    };
    let Some(container) = hosts.get(&r.host) else {
        out.infra_error = Some(format!("host `{}` is not running", r.host));
        return out;
    };
    match engine.exec(&container.id, &req).await {
        Err(e) => out.infra_error = Some(e.to_string()),
        Ok(o) => {
            out.stdout = o.stdout.text();
            out.stderr = o.stderr.text();
            out.stdout_bytes = o.stdout.total_bytes();
            out.stderr_bytes = o.stderr.total_bytes();
            out.stdout_kept = Some(o.stdout.kept_bytes());
            out.stderr_kept = Some(o.stderr.kept_bytes());
            out.exit_code = o.exit_code;
            out.timed_out = o.timed_out;
            out.duration_ms = o.elapsed.as_millis() as u64;
        }
    }
    if out.exit_code != Some(0) && out.infra_error.is_none() {
        out.limits_hit = limits_hit(engine, container).await;
    }
    out
}

/// The sandbox limits the host's container hit (each host runs one program
/// at a time, in a fresh container per scenario). Unknown counters are no
/// evidence: the exit code alone then decides.
async fn limits_hit(engine: &Engine, container: &Container) -> Vec<LimitHit> {
    let Ok(counters) = engine.limit_counters(container).await else {
        return Vec::new();
    };
    let mut hit = Vec::new();
    if counters.oom_kills > 0 {
        hit.push(LimitHit::Memory);
    }
    if counters.forks_refused > 0 {
        hit.push(LimitHit::Pids);
    }
    hit
}
