//! One scenario: fresh containers for its hosts, its faults (and link
//! impairments), an optional packet capture around its probes, its grades;
//! then its containers go (or stay, stopped, with `--keep`).

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use netlab_engine::{Container, Engine, NetworkInfo, Run};
use netlab_lab::results::{CheckResult, CheckStatus, ProbeRun, ScenarioResult};
use netlab_lab::{Image, Resolve, Scenario, evaluate};

use crate::events::{Event, Events};
use crate::impair::{self, Applied};
use crate::{ImageSet, RunError, capture, firewall, hosts, probe};

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
}

impl Ctx<'_> {
    fn step(&self, scenario: &Scenario, text: impl Into<String>) {
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
}

pub(crate) async fn run(ctx: &Ctx<'_>, sc: &Scenario) -> ScenarioResult {
    let started = Instant::now();
    let until = started + sc.deadline;
    let mut live = Live::default();
    let mut notes = Vec::new();
    let mut unsupported = Vec::new();
    let mut probes = Vec::new();
    let mut error = match setup(ctx, sc, &mut live, &mut notes, &mut unsupported, until).await {
        Ok(()) => None,
        Err(e) => Some(e.to_string()),
    };
    let mut capture = None;
    // An impairment the kernel cannot apply makes every measurement of the
    // scenario meaningless: its probes do not run, its checks say why.
    if error.is_none() && unsupported.is_empty() {
        if let Some(dir) = ctx.capture_dir {
            ctx.step(sc, format!("capturing packets on {}", sc.capture));
            capture = Some(capture::start(ctx, sc, dir, &mut live).await);
        }
        match run_probes(ctx, sc, &live, until).await {
            Ok(runs) => probes = runs,
            Err(e) => error = Some(e.to_string()),
        }
    }
    let capture = match capture {
        Some(started) => Some(capture::finish(started).await),
        None => None,
    };
    let checks = match (&error, unsupported.is_empty()) {
        (Some(e), _) => sc.checks.iter().map(|c| not_evaluated(c, e)).collect(),
        (None, false) => sc
            .checks
            .iter()
            .map(|c| unsupported_check(c, &unsupported))
            .collect(),
        (None, true) => sc.checks.iter().map(|c| evaluate(c, &probes)).collect(),
    };
    teardown(ctx, sc, live).await;
    ScenarioResult {
        name: sc.name.clone(),
        title: sc.title.clone(),
        description: sc.description.clone(),
        probes,
        checks,
        duration_ms: started.elapsed().as_millis() as u64,
        error,
        notes,
        capture,
    }
}

/// Hosts in order, each ready before the next starts; then the faults.
async fn setup(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &mut Live,
    notes: &mut Vec<String>,
    unsupported: &mut Vec<String>,
    until: Instant,
) -> Result<(), RunError> {
    for host in &sc.hosts {
        ctx.step(sc, format!("starting {}", host.name));
        let c = hosts::start(ctx, sc, host, until).await?;
        live.hosts.insert(host.name.clone(), c);
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
        let sidecar = ctx.run.start_sidecar(target, &ctx.images.tools()?).await?;
        live.sidecars.push(sidecar.container.clone());
        sidecar.run_all(&firewall::commands(fw)).await?;
        notes.push(firewall::describe(fw));
    }
    for imp in &sc.impairments {
        ctx.step(sc, format!("impairing the link of {}", imp.host));
        let target = &live.hosts[&imp.host];
        let sidecar = ctx.run.start_sidecar(target, &ctx.images.tools()?).await?;
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
        ctx.step(sc, format!("probe {} ({} → {})", p.id, p.from, server_host));
        let run = probe::run(ctx, p, &live.hosts[&p.from], &server_host, until).await;
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
    CheckResult {
        name: check.name.clone(),
        kind: check.kind.key().to_string(),
        status: CheckStatus::Error,
        points: check.points,
        earned: 0.0,
        measured: format!("not measured: {error}"),
        expected: String::new(),
        explanation: check.explain.clone(),
        probes: check.kind.probes().into_iter().map(str::to_owned).collect(),
    }
}

/// A check of a scenario whose impairment this machine cannot apply.
fn unsupported_check(check: &netlab_lab::Check, why: &[String]) -> CheckResult {
    CheckResult {
        status: CheckStatus::Unsupported,
        measured: format!("not measured: {}", why.join("; ")),
        ..not_evaluated(check, "")
    }
}

/// Removes the scenario's containers (sidecars first: they live in their
/// target's namespace). With `--keep` they are killed instead, which frees
/// their DNS names for the next scenario but keeps them for inspection.
async fn teardown(ctx: &Ctx<'_>, sc: &Scenario, live: Live) {
    ctx.step(sc, "removing containers");
    let all = live.sidecars.iter().chain(live.hosts.values());
    for c in all {
        let done = if ctx.keep {
            ctx.engine.kill(&c.id).await
        } else {
            ctx.engine.remove_container(&c.id).await
        };
        // A failure here is not the scenario's result; the run's label
        // cleanup at the end removes whatever is left.
        if let Err(e) = done {
            ctx.events.send(Event::Step {
                lab: ctx.lab.to_string(),
                scenario: sc.name.clone(),
                text: format!("could not remove {}: {e}", c.docker_name),
            });
        }
    }
}
