//! One scenario: fresh containers for its hosts, its faults (and link
//! impairments), an optional packet capture around its probes, its grades;
//! then its containers go (or stay, stopped, with `--keep`).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use netlab_engine::{Container, Engine, NetworkInfo, Run, Sidecar};
use netlab_lab::results::{CheckResult, CheckStatus, ProbeRun, ScenarioResult};
use netlab_lab::{Host, Image, Resolve, Scenario, evaluate_with};

use crate::events::{Event, Events};
use crate::impair::{self, Applied};
use crate::submission::{Stop, SubmissionCtx};
use crate::{ImageSet, RunError, capture, contact, firewall, hosts, probe, program, submission};

/// What every scenario of a lab shares.
pub(crate) struct Ctx<'a> {
    pub engine: &'a Engine,
    pub run: &'a Run,
    pub images: &'a ImageSet,
    pub networks: &'a [NetworkInfo],
    pub events: &'a Events,
    pub lab: &'a str,
    pub keep: bool,
    /// `--capture`: the directory for the scenarios' pcaps.
    pub capture_dir: Option<&'a Path>,
    /// `netlab grade`: the submission being graded.
    pub submission: Option<&'a SubmissionCtx>,
}

impl Ctx<'_> {
    pub(crate) fn step(&self, scenario: &Scenario, text: impl Into<String>) {
        self.events.send(Event::Step {
            lab: self.lab.to_string(),
            scenario: scenario.name.clone(),
            text: text.into(),
        });
    }
}

/// The containers a scenario started, removed at its end.
#[derive(Default)]
pub(crate) struct Live {
    pub hosts: HashMap<String, Container>,
    pub sidecars: Vec<Container>,
    /// The firewall sidecar of each host whose firewall also counts what
    /// the scenario's runs send it (see `contact.rs`).
    pub firewalls: HashMap<String, Sidecar>,
}

pub(crate) async fn run(ctx: &Ctx<'_>, sc: &Scenario) -> ScenarioResult {
    let started = Instant::now();
    // Validation bounds deadlines; a far one must still not overflow.
    let until = started
        .checked_add(sc.deadline)
        .unwrap_or(started + Duration::from_secs(24 * 3600));
    let mut live = Live::default();
    let mut notes = Vec::new();
    let mut unsupported = Vec::new();
    let mut probes = Vec::new();
    let mut runs = Vec::new();
    let mut student = None;
    let mut error = match setup(ctx, sc, &mut live, &mut notes, &mut unsupported, until).await {
        Ok(()) => None,
        Err(Stop::Infra(e)) => Some(e.to_string()),
        Err(Stop::Student(s)) => {
            student = Some(s);
            None
        }
    };
    let mut capture = None;
    // An impairment the kernel cannot apply makes every measurement of the
    // scenario meaningless: its probes do not run, its checks say why.
    if error.is_none() && student.is_none() && unsupported.is_empty() {
        if let Some(dir) = ctx.capture_dir {
            ctx.step(sc, format!("capturing packets on {}", sc.capture));
            capture = Some(capture::start(ctx, sc, dir, &mut live).await);
        }
        match run_probes(ctx, sc, &live, until).await {
            Ok(r) => probes = r,
            Err(e) => error = Some(e.to_string()),
        }
        runs = program::run_all(ctx, sc, &live, until).await;
        contact::gather(ctx, sc, &live, &mut runs).await;
    }
    let capture = match capture {
        Some(started) => Some(capture::finish(started).await),
        None => None,
    };
    let mut checks: Vec<CheckResult> = match (&error, &student) {
        (Some(e), _) => sc.checks.iter().map(|c| not_evaluated(c, e)).collect(),
        (None, Some(s)) => sc.checks.iter().map(|c| s.verdict(c)).collect(),
        (None, None) if !unsupported.is_empty() => sc
            .checks
            .iter()
            .map(|c| unsupported_check(c, &unsupported))
            .collect(),
        (None, None) => sc
            .checks
            .iter()
            .map(|c| evaluate_with(c, &probes, &runs))
            .collect(),
    };
    if error.is_none() && student.is_none() {
        submission::after_checks(ctx, sc, &live, &mut checks, &mut notes).await;
    }
    let servers = submission::server_outputs(ctx, sc, &live, started.elapsed()).await;
    if let Some(s) = &student {
        notes.push(s.note.clone());
    }
    teardown(ctx, sc, live).await;
    ScenarioResult {
        name: sc.name.clone(),
        title: sc.title.clone(),
        description: sc.description.clone(),
        probes,
        runs,
        servers,
        checks,
        duration_ms: started.elapsed().as_millis() as u64,
        error,
        notes,
        capture,
    }
}

/// The hosts, then the faults. Hosts start in file order, each ready before
/// the next starts; idle hosts (nothing runs on them until a probe or run
/// execs into them) start alongside, which saves a container start each.
async fn setup(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &mut Live,
    notes: &mut Vec<String>,
    unsupported: &mut Vec<String>,
    until: Instant,
) -> Result<(), Stop> {
    let (idle, ordered): (Vec<&Host>, Vec<&Host>) = sc.hosts.iter().partition(|h| h.is_idle());
    let start = |host| start_host(ctx, sc, host, until);
    let in_order = async {
        let mut started = Vec::new();
        for host in ordered {
            let (host, result) = start(host).await;
            let failed = result.is_err();
            started.push((host, result));
            if failed {
                break;
            }
        }
        started
    };
    let (alongside, in_order) = tokio::join!(join_all(idle.into_iter().map(start)), in_order);
    let mut failure = None;
    // Every started container goes into `live` (teardown removes it) before
    // the first failure is reported.
    for (host, result) in in_order.into_iter().chain(alongside) {
        match result {
            Ok(c) => {
                if host.role.is_some() {
                    notes.extend(submission::bind_note(host, &c));
                }
                live.hosts.insert(host.name.clone(), c);
            }
            Err(e) => {
                failure.get_or_insert_with(|| submission::classify(host, e));
            }
        }
    }
    if let Some(stop) = failure {
        return Err(stop);
    }
    for absent in &sc.absent {
        notes.push(match absent.resolve {
            Resolve::None => format!("{} is not started: its name does not resolve", absent.host),
            Resolve::Address => format!(
                "{} is not started: probes go to an address of the lab's subnet that nobody holds",
                absent.host
            ),
        });
    }
    for fw in &sc.firewalls {
        ctx.step(sc, format!("applying firewall on {}", fw.host));
        let target = &live.hosts[&fw.host];
        let tools = ctx.images.tools().map_err(Stop::Infra)?;
        let sidecar = ctx
            .run
            .start_sidecar(target, &tools)
            .await
            .map_err(|e| Stop::Infra(e.into()))?;
        live.sidecars.push(sidecar.container.clone());
        sidecar
            .run_all(&firewall::commands(fw))
            .await
            .map_err(|e| Stop::Infra(e.into()))?;
        notes.push(firewall::describe(fw));
        live.firewalls.entry(fw.host.clone()).or_insert(sidecar);
    }
    // Counting goes in front of every firewall rule of the host.
    for (host, sidecar) in &live.firewalls {
        let sources = contact::sources(sc, live, host);
        if !sources.is_empty() {
            sidecar
                .run_all(&contact::accounting(&sources))
                .await
                .map_err(|e| Stop::Infra(e.into()))?;
        }
    }
    for imp in &sc.impairments {
        ctx.step(sc, format!("impairing the link of {}", imp.host));
        let target = &live.hosts[&imp.host];
        let sidecar = ctx
            .run
            .start_sidecar(target, &ctx.images.tools()?)
            .await
            .map_err(|e| Stop::Infra(e.into()))?;
        live.sidecars.push(sidecar.container.clone());
        match impair::apply(&sidecar, imp).await? {
            Applied::Done(note) => notes.push(note),
            Applied::Unsupported(why) => {
                notes.push(format!("unsupported: {why}"));
                unsupported.push(why);
            }
        }
    }
    for host in sc.hosts.iter().filter(|h| h.port_closed) {
        notes.push(format!(
            "{} is up without its program: nothing listens on its ports",
            host.name
        ));
    }
    Ok(())
}

async fn start_host<'h>(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    host: &'h Host,
    until: Instant,
) -> (&'h Host, Result<Container, RunError>) {
    ctx.step(sc, format!("starting {}", host.name));
    (host, hosts::start(ctx, sc, host, until).await)
}

async fn run_probes(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    until: Instant,
) -> Result<Vec<ProbeRun>, RunError> {
    let mut addresses: HashMap<String, String> = HashMap::new();
    let mut runs = Vec::new();
    for p in &sc.probes {
        let from_host = sc
            .host(&p.from)
            .expect("validated: probes run from started hosts");
        if from_host.image != Image::Echo {
            return Err(RunError::ProbeHost {
                probe: p.id.clone(),
                host: p.from.clone(),
            });
        }
        let server_host = match sc.absent_mode(&p.to) {
            Some(Resolve::Address) => match addresses.get(&p.to) {
                Some(a) => a.clone(),
                None => {
                    let net = ctx.network(&from_host.networks[0])?;
                    let a = ctx.engine.free_address(net).await?.to_string();
                    addresses.insert(p.to.clone(), a.clone());
                    a
                }
            },
            _ => p.to.clone(),
        };
        let run = match submission::server_gone(ctx, sc, live, &p.to).await {
            Some(why) => probe::not_run(p, why),
            None => {
                ctx.step(sc, format!("probe {} ({} → {})", p.id, p.from, server_host));
                probe::run(ctx, p, &live.hosts[&p.from], &server_host, until).await
            }
        };
        ctx.events.send(Event::ProbeFinished {
            lab: ctx.lab.to_string(),
            scenario: sc.name.clone(),
            probe: Box::new(run.clone()),
        });
        runs.push(run);
    }
    Ok(runs)
}

fn not_evaluated(check: &netlab_lab::Check, error: &str) -> CheckResult {
    netlab_lab::not_graded(
        check,
        CheckStatus::InfraError,
        format!("not measured: {error}"),
        String::new(),
    )
}

/// A check of a scenario whose impairment this machine cannot apply.
fn unsupported_check(check: &netlab_lab::Check, why: &[String]) -> CheckResult {
    netlab_lab::not_graded(
        check,
        CheckStatus::Unsupported,
        format!("not measured: {}", why.join("; ")),
        String::new(),
    )
}

/// Removes the scenario's containers, all at once but sidecars first (they
/// live in their target's namespace). With `--keep` they are killed instead,
/// which frees their DNS names for the next scenario but keeps them for
/// inspection.
async fn teardown(ctx: &Ctx<'_>, sc: &Scenario, live: Live) {
    ctx.step(sc, "removing containers");
    let hosts: Vec<Container> = live.hosts.into_values().collect();
    for group in [&live.sidecars, &hosts] {
        join_all(group.iter().map(|c| remove(ctx, sc, c))).await;
    }
}

async fn remove(ctx: &Ctx<'_>, sc: &Scenario, c: &Container) {
    let done = if ctx.keep {
        ctx.engine.kill(&c.id).await
    } else {
        ctx.engine.remove_container(&c.id).await
    };
    // A failure here is not the scenario's result; the run's label cleanup
    // at the end removes whatever is left.
    if let Err(e) = done {
        ctx.events.send(Event::Step {
            lab: ctx.lab.to_string(),
            scenario: sc.name.clone(),
            text: format!("could not remove {}: {e}", c.docker_name),
        });
    }
}
