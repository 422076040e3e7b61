//! What `netlab grade` adds to a scenario: the submission being graded, and
//! telling the student's failures (`crash`, `timeout`) from netlab's own
//! (`infra_error`, retried and never graded).

use std::time::Duration;

use netlab_engine::{Container, Engine, EngineError};
use netlab_lab::results::{CheckResult, CheckStatus, ProgramOutput};
use netlab_lab::{Check, Host, Readiness, Scenario};

use crate::RunError;
use crate::context::{Ctx, Live};
use crate::hosts::engine_proto;
use crate::sandbox::loopback_note;

/// Why a scenario's set-up stopped.
pub(crate) enum Stop {
    /// netlab's side failed: the checks are `infra_error`.
    Infra(RunError),
    /// The student's server failed to start: the checks get its verdict.
    Student(StudentFailure),
}

impl From<RunError> for Stop {
    fn from(e: RunError) -> Self {
        Stop::Infra(e)
    }
}

pub(crate) struct StudentFailure {
    pub status: CheckStatus,
    /// Evidence for every check: exit code, output excerpt.
    pub why: String,
    pub note: String,
}

impl StudentFailure {
    pub fn verdict(&self, check: &Check) -> CheckResult {
        netlab_lab::not_graded(
            check,
            self.status,
            self.why.clone(),
            "the server starts and stays up".into(),
        )
    }
}

/// A role host that exited before it was ready crashed; one that never got
/// ready timed out. Anything else (and any failure of a reference host) is
/// netlab's.
pub(crate) fn classify(host: &Host, e: RunError) -> Stop {
    if host.role.is_none() {
        return Stop::Infra(e);
    }
    let role = host.role.as_deref().unwrap_or_default();
    match e {
        RunError::Engine(EngineError::ExitedEarly {
            code, last_lines, ..
        }) => Stop::Student(StudentFailure {
            status: CheckStatus::Crash,
            why: format!(
                "the {role} program exited with code {code} before it was ready; its last output: {}",
                excerpt(&last_lines)
            ),
            note: format!(
                "{}: the {role} program exited with code {code} before it was ready",
                host.name
            ),
        }),
        RunError::Engine(EngineError::NotReady {
            what,
            after,
            last_lines,
            ..
        }) => Stop::Student(StudentFailure {
            status: CheckStatus::Timeout,
            why: format!(
                "the {role} program was not ready after {:.1} s (netlab waited for {what}); its last output: {}",
                after.as_secs_f64(),
                excerpt(&last_lines)
            ),
            note: format!("{}: the {role} program never became ready", host.name),
        }),
        other => Stop::Infra(other),
    }
}

/// A server bound to loopback is reachable from nowhere else: say so.
/// Unreadable sockets are no evidence: no note then.
pub(crate) async fn bind_note(engine: &Engine, host: &Host, c: &Container) -> Option<String> {
    let Readiness::Port { port, proto, .. } = &host.ready else {
        return None;
    };
    let sockets = engine.bound_sockets(c, engine_proto(*proto)).await.ok()?;
    let addrs: Vec<_> = sockets
        .iter()
        .filter(|s| s.port == *port)
        .filter_map(|s| s.addr)
        .collect();
    loopback_note(&host.name, &addrs, *port)
}

/// Why probes to `target` need not run: it is a student's server and it has
/// exited (its name no longer resolves) or run out of memory, so every probe
/// would only wait out its timeouts. A reference host is never skipped: a lab
/// may probe one that stopped on purpose.
pub(crate) async fn server_gone(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    target: &str,
) -> Option<String> {
    sc.host(target)?.role.as_ref()?;
    let c = live.hosts.get(target)?;
    match ctx.engine.exit_code(&c.id).await.ok().flatten() {
        Some(code) => Some(format!(
            "{target} had already exited (code {code}), nothing could answer"
        )),
        None => {
            let usage = out_of_memory(ctx, c).await?;
            Some(format!("{target} {usage}: it ran out of memory"))
        }
    }
}

/// How much memory a running server uses, when that is over half its limit
/// (far beyond an echo server's needs): it is out of memory. Without swap
/// the kernel reclaims for a while (seconds to tens of seconds) before it
/// kills it, so when that happens is timing; the state is the verdict.
async fn out_of_memory(ctx: &Ctx<'_>, c: &Container) -> Option<String> {
    let limit = ctx.sandbox.map_or(0, |s| s.limits.memory_bytes);
    if limit == 0 {
        return None;
    }
    // Unknown use is no evidence.
    let used = ctx.engine.memory_in_use(c).await.ok()?;
    over_half(used, limit)
}

/// "was using 200 MiB of its 256 MiB memory limit", when over half of it.
fn over_half(used: u64, limit: u64) -> Option<String> {
    (limit > 0 && used > limit / 2).then(|| {
        format!(
            "was using {} MiB of its {} MiB memory limit",
            used >> 20,
            limit >> 20
        )
    })
}

/// After the checks: a role server that died meanwhile (or sits at its memory
/// limit) turns its scenario's failed checks into `crash` (with the exit code
/// and stderr), or, when it exited normally, adds a note (a server must keep
/// serving).
pub(crate) async fn after_checks(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    checks: &mut [CheckResult],
    notes: &mut Vec<String>,
) {
    for host in sc.hosts.iter().filter(|h| h.role.is_some()) {
        if sc.runs.iter().any(|r| r.host == host.name) {
            continue; // an idle host for runs; its programs are graded by the runs
        }
        let Some(c) = live.hosts.get(&host.name) else {
            continue;
        };
        let mut exited = ctx.engine.exit_code(&c.id).await.ok().flatten();
        let mut usage = None;
        let failed = checks
            .iter()
            .any(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Timeout));
        if exited.is_none() && failed {
            match memory_trend(ctx, c).await {
                Trend::Exited(code) => exited = Some(code),
                Trend::OutOfMemory(u) => usage = Some(u),
                Trend::Steady => {}
            }
        }
        let what = match exited {
            Some(code) => {
                let oom = ctx
                    .engine
                    .wait_exit(&c.id, Duration::from_secs(2))
                    .await
                    .is_ok_and(|s| s.oom_killed);
                let last = ctx.engine.last_lines(&c.id, 10).await;
                let how = if oom {
                    format!("was killed for using more than its memory limit (exit code {code})")
                } else {
                    format!("exited with code {code}")
                };
                let what = format!(
                    "{}: the server {how} during the checks; its last output: {}",
                    host.name,
                    excerpt(&last)
                );
                if code == 0 {
                    notes.push(what);
                    continue;
                }
                what
            }
            None => match usage {
                Some(usage) => format!(
                    "{}: the server {usage} when the checks ended: it ran out of memory",
                    host.name
                ),
                None => continue,
            },
        };
        notes.push(what.clone());
        for check in checks
            .iter_mut()
            .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Timeout))
        {
            check.status = CheckStatus::Crash;
            check.measured = format!("{}; {what}", check.measured);
        }
    }
}

/// Where a running server's memory is heading when its checks end.
enum Trend {
    Exited(i64),
    /// Over half its limit (the usage, said for the feedback).
    OutOfMemory(String),
    Steady,
}

/// How long a server whose memory still grows is watched after its checks.
const WATCH: Duration = Duration::from_secs(4);
const WATCH_TICK: Duration = Duration::from_millis(100);
/// Growth per tick that counts as still growing (a hog adds tens of MiB).
const GROWING: u64 = 1 << 20;

/// Watches a server that failed checks while its memory keeps growing, at
/// most [`WATCH`]: until it exits (the OOM killer), passes half its limit,
/// or stops growing. How far a hog has grown when the checks end is timing;
/// where it is heading is the verdict, so it does not hang on how fast the
/// probes were.
async fn memory_trend(ctx: &Ctx<'_>, c: &Container) -> Trend {
    let started = std::time::Instant::now();
    let mut last = None;
    loop {
        if let Ok(Some(code)) = ctx.engine.exit_code(&c.id).await {
            return Trend::Exited(code);
        }
        // A read that fails (a remote engine's statistics, slow for a
        // container thrashing at its limit) is no evidence either way:
        // keep watching for the exit within the bound.
        let Ok(used) = ctx.engine.memory_in_use(c).await else {
            if started.elapsed() >= WATCH {
                return Trend::Steady;
            }
            tokio::time::sleep(WATCH_TICK).await;
            continue;
        };
        let limit = ctx.sandbox.map_or(0, |s| s.limits.memory_bytes);
        if let Some(usage) = over_half(used, limit) {
            return Trend::OutOfMemory(usage);
        }
        let growing = last.is_none_or(|l: u64| used >= l + GROWING);
        if !growing || started.elapsed() >= WATCH {
            return Trend::Steady;
        }
        last = Some(used);
        tokio::time::sleep(WATCH_TICK).await;
    }
}

/// What each role server (a role host that runs its program as the
/// container's own process) wrote, capped like a run's output, so a passing
/// server's warnings are kept too. Docker's log of a role host keeps its last
/// 256 KiB.
pub(crate) async fn server_outputs(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    took: Duration,
) -> Vec<ProgramOutput> {
    let cap = ctx.output_cap();
    let mut outputs = Vec::new();
    for host in sc.hosts.iter().filter(|h| h.role.is_some()) {
        if sc.runs.iter().any(|r| r.host == host.name) {
            continue; // an idle host for runs: the runs have its output
        }
        let Some(c) = live.hosts.get(&host.name) else {
            continue;
        };
        let mut out = ProgramOutput {
            id: host.name.clone(),
            host: host.name.clone(),
            role: host.role.clone().unwrap_or_default(),
            command: host.command.join(" "),
            stdin: None,
            stdout: String::new(),
            stderr: String::new(),
            stdout_bytes: 0,
            stderr_bytes: 0,
            stdout_kept: None,
            stderr_kept: None,
            exit_code: ctx.engine.exit_code(&c.id).await.ok().flatten(),
            timed_out: false,
            duration_ms: took.as_millis() as u64,
            infra_error: None,
            limits_hit: Vec::new(),
            contact: None,
        };
        match ctx.engine.logs(&c.id, cap).await {
            Ok(logs) => {
                out.stdout = logs.stdout.text();
                out.stderr = logs.stderr.text();
                out.stdout_bytes = logs.stdout.total_bytes();
                out.stderr_bytes = logs.stderr.total_bytes();
                out.stdout_kept = Some(logs.stdout.kept_bytes());
                out.stderr_kept = Some(logs.stderr.kept_bytes());
            }
            Err(e) => out.infra_error = Some(format!("its output could not be read: {e}")),
        }
        outputs.push(out);
    }
    outputs
}

/// The end of some output, where Python puts the error, on lines of its own
/// after the verdict (every report shows them as a block).
fn excerpt(text: &str) -> String {
    const MAX: usize = 600;
    let t = text.trim();
    let n = t.chars().count();
    if t.is_empty() {
        return "(nothing)".to_owned();
    }
    let tail: String = if n > MAX {
        format!("…{}", t.chars().skip(n - MAX).collect::<String>())
    } else {
        t.to_owned()
    };
    format!("\n{tail}")
}
