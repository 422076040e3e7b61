//! One scenario: fresh containers for its hosts, its faults (and link
//! impairments), an optional packet capture around its probes, its grades;
//! then its containers go (or stay, stopped, with `--keep`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;

use netlab_engine::Container;
use netlab_lab::results::{CheckResult, CheckStatus, ProbeRun, ScenarioResult};
use netlab_lab::{Host, Image, Resolve, Scenario, evaluate_with};

use crate::context::{Ctx, Live};
use crate::impair::{self, Applied};
use crate::standby::Standby;
use crate::submission::{self, Stop};
use crate::{RunError, capture, contact, firewall, hosts, names, probe, program};

/// One run of one scenario: what it has started so far, and what it noted.
pub(crate) struct ScenarioRun<'c, 'a> {
    ctx: &'c Ctx<'a>,
    sc: &'c Scenario,
    started: Instant,
    /// The scenario's deadline: every wait stops here.
    until: Instant,
    live: Live,
    notes: Vec<String>,
    /// Impairments this machine cannot apply.
    unsupported: Vec<String>,
}

impl<'c, 'a> ScenarioRun<'c, 'a> {
    pub(crate) fn new(ctx: &'c Ctx<'a>, sc: &'c Scenario) -> Self {
        let started = Instant::now();
        // Validation bounds deadlines; a far one must still not overflow.
        let until = started
            .checked_add(sc.deadline)
            .unwrap_or(started + Duration::from_secs(24 * 3600));
        ScenarioRun {
            ctx,
            sc,
            started,
            until,
            live: Live::default(),
            notes: Vec::new(),
            unsupported: Vec::new(),
        }
    }

    /// Sets up, measures, grades and tears down: whatever fails, a result.
    pub(crate) async fn run(mut self) -> ScenarioResult {
        let (ctx, sc) = (self.ctx, self.sc);
        let mut probes = Vec::new();
        let mut runs = Vec::new();
        let mut student = None;
        let mut error = match self.setup().await {
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
        if error.is_none() && student.is_none() && self.unsupported.is_empty() {
            if let Some(dir) = ctx.capture_dir {
                ctx.step(sc, format!("capturing packets on {}", sc.capture));
                capture = Some(capture::start(ctx, sc, dir, &mut self.live).await);
            }
            match self.run_probes().await {
                Ok(r) => probes = r,
                Err(e) => error = Some(e.to_string()),
            }
            let cap = ctx.output_cap();
            runs = program::run_all(ctx.layout, &sc.runs, &self.live.hosts, cap, self.until).await;
            contact::gather(ctx, sc, &self.live, &mut runs).await;
        }
        let capture = match capture {
            Some(started) => Some(capture::finish(started).await),
            None => None,
        };
        let mut checks: Vec<CheckResult> = match (&error, &student) {
            (Some(e), _) => sc.checks.iter().map(|c| not_evaluated(c, e)).collect(),
            (None, Some(s)) => sc.checks.iter().map(|c| s.verdict(c)).collect(),
            (None, None) if !self.unsupported.is_empty() => sc
                .checks
                .iter()
                .map(|c| unsupported_check(c, &self.unsupported))
                .collect(),
            (None, None) => sc
                .checks
                .iter()
                .map(|c| evaluate_with(c, &probes, &runs))
                .collect(),
        };
        if error.is_none() && student.is_none() {
            submission::after_checks(ctx, sc, &self.live, &mut checks, &mut self.notes).await;
        }
        let servers = submission::server_outputs(ctx, sc, &self.live, self.started.elapsed()).await;
        if let Some(s) = &student {
            self.notes.push(s.note.clone());
        }
        let (started, notes) = (self.started, std::mem::take(&mut self.notes));
        // A probe cut off may leave its process in the host it ran from.
        let clean = error.is_none()
            && probes
                .iter()
                .all(|p| p.infra_error.is_none() && !p.deadline_hit);
        self.teardown(clean).await;
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

    /// The hosts, then the faults.
    async fn setup(&mut self) -> Result<(), Stop> {
        self.start_hosts().await?;
        let waited = names::learned(self.ctx, self.sc, &self.live, self.until).await?;
        self.notes.extend(waited);
        for absent in &self.sc.absent {
            self.notes.push(match absent.resolve {
                Resolve::None => format!("{} is not started: its name does not resolve", absent.host),
                Resolve::Address => format!(
                    "{} is not started: probes go to an address of the lab's subnet that nobody holds",
                    absent.host
                ),
            });
        }
        self.apply_firewalls().await?;
        self.count_contacts().await?;
        self.impair().await?;
        for host in self.sc.hosts.iter().filter(|h| h.port_closed) {
            self.notes.push(format!(
                "{} is up without its program: nothing listens on its ports",
                host.name
            ));
        }
        Ok(())
    }

    /// Hosts start in file order, each ready before the next starts; idle
    /// hosts (nothing runs on them until a probe or run execs into them)
    /// start alongside, which saves a container start each.
    async fn start_hosts(&mut self) -> Result<(), Stop> {
        let (ctx, sc, until) = (self.ctx, self.sc, self.until);
        let (idle, ordered): (Vec<&Host>, Vec<&Host>) = sc.hosts.iter().partition(|h| h.is_idle());
        let start = |host: &'c Host| async move {
            ctx.step(sc, format!("starting {}", host.name));
            let started = async {
                let spec = hosts::spec(sc, host, ctx.images, ctx.networks, ctx.sandbox)?;
                let standby = ctx
                    .standby
                    .and_then(|s| Some((s, Standby::key(sc, host, &spec)?)));
                match standby {
                    Some((standby, key)) => {
                        let b = standby.borrow(ctx.engine, key, &spec).await?;
                        Ok((b.container.clone(), Some(b)))
                    }
                    None => hosts::start(
                        ctx.engine_of(&host.name),
                        ctx.run_of(&host.name),
                        &spec,
                        &host.ready,
                        until,
                    )
                    .await
                    .map(|c| (c, None)),
                }
            };
            (host, started.await)
        };
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
                Ok((c, borrowed)) => {
                    self.live.borrowed.extend(borrowed);
                    if host.role.is_some() {
                        self.notes.extend(
                            submission::bind_note(ctx.engine_of(&host.name), host, &c).await,
                        );
                    }
                    self.live.hosts.insert(host.name.clone(), c);
                }
                Err(e) => {
                    failure.get_or_insert_with(|| submission::classify(host, e));
                }
            }
        }
        failure.map_or(Ok(()), Err)
    }

    async fn apply_firewalls(&mut self) -> Result<(), Stop> {
        let (ctx, sc) = (self.ctx, self.sc);
        for fw in &sc.firewalls {
            ctx.step(sc, format!("applying firewall on {}", fw.host));
            let target = &self.live.hosts[&fw.host];
            let tools = ctx.images.tools()?;
            let sidecar = ctx
                .run_of(&fw.host)
                .start_sidecar(target, &tools)
                .await
                .map_err(RunError::from)?;
            self.live
                .sidecars
                .push((fw.host.clone(), sidecar.container.clone()));
            sidecar
                .run_all(&firewall::commands(fw))
                .await
                .map_err(RunError::from)?;
            self.notes.push(firewall::describe(fw));
            self.live
                .firewalls
                .entry(fw.host.clone())
                .or_insert(sidecar);
        }
        Ok(())
    }

    /// Counting goes in front of every firewall rule of the host.
    async fn count_contacts(&self) -> Result<(), Stop> {
        for (host, sidecar) in &self.live.firewalls {
            let sources = contact::sources(self.sc, &self.live, host);
            if !sources.is_empty() {
                sidecar
                    .run_all(&contact::accounting(&sources))
                    .await
                    .map_err(RunError::from)?;
            }
        }
        Ok(())
    }

    async fn impair(&mut self) -> Result<(), Stop> {
        let (ctx, sc) = (self.ctx, self.sc);
        for imp in &sc.impairments {
            ctx.step(sc, format!("impairing the link of {}", imp.host));
            let target = &self.live.hosts[&imp.host];
            let sidecar = ctx
                .run_of(&imp.host)
                .start_sidecar(target, &ctx.images.tools()?)
                .await
                .map_err(RunError::from)?;
            self.live
                .sidecars
                .push((imp.host.clone(), sidecar.container.clone()));
            match impair::apply(&sidecar, imp).await? {
                Applied::Done(note) => self.notes.push(note),
                Applied::Unsupported(why) => {
                    self.notes.push(format!("unsupported: {why}"));
                    self.unsupported.push(why);
                }
            }
        }
        Ok(())
    }

    async fn run_probes(&self) -> Result<Vec<ProbeRun>, RunError> {
        let (ctx, sc) = (self.ctx, self.sc);
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
            let run = match submission::server_gone(ctx, sc, &self.live, &p.to).await {
                Some(why) => probe::not_run(p, why),
                None => {
                    ctx.step(sc, format!("probe {} ({} → {})", p.id, p.from, server_host));
                    let from = &self.live.hosts[&p.from];
                    let mut run =
                        probe::run(ctx.engine_of(&p.from), p, from, &server_host, self.until).await;
                    run.nodes = crossed(ctx, sc, p);
                    run
                }
            };
            runs.push(run);
        }
        Ok(runs)
    }

    /// Removes the scenario's containers, all at once but sidecars first
    /// (they live in their target's namespace). With `--keep` they are
    /// killed instead, which frees their DNS names for the next scenario but
    /// keeps them for inspection.
    /// Borrowed standby hosts go back on standby after a `clean` scenario.
    async fn teardown(mut self, clean: bool) {
        self.ctx.step(self.sc, "removing containers");
        let borrowed = std::mem::take(&mut self.live.borrowed);
        let hosts: Vec<(String, Container)> = self
            .live
            .hosts
            .iter()
            .filter(|(_, c)| !borrowed.iter().any(|b| b.container.id == c.id))
            .map(|(h, c)| (h.clone(), c.clone()))
            .collect();
        for group in [&self.live.sidecars, &hosts] {
            join_all(group.iter().map(|(host, c)| self.remove(host, c))).await;
        }
        if let Some(standby) = self.ctx.standby {
            let engine = self.ctx.engine;
            join_all(
                borrowed
                    .into_iter()
                    .map(|b| standby.give_back(engine, b, clean)),
            )
            .await;
        }
    }

    /// Removes (or kills) `c`, a container on `host`'s engine.
    async fn remove(&self, host: &str, c: &Container) {
        let ctx = self.ctx;
        let engine = ctx.engine_of(host);
        let done = if ctx.keep {
            engine.kill(&c.id).await
        } else {
            engine.remove_container(&c.id).await
        };
        // A failure here is not the scenario's result; the run's label cleanup
        // at the end removes whatever is left.
        if let Err(e) = done {
            ctx.step(self.sc, format!("could not remove {}: {e}", c.docker_name));
        }
    }
}

/// The swarm nodes a probe went between: its client's, and its target's
/// when that is another (none on one engine; no target's when it is absent).
fn crossed(ctx: &Ctx<'_>, sc: &Scenario, p: &netlab_lab::Probe) -> Vec<String> {
    let Some(from) = ctx.layout.node(&p.from) else {
        return Vec::new();
    };
    let target = sc
        .hosts
        .iter()
        .find(|h| h.name == p.to || h.aliases.contains(&p.to));
    let mut nodes = vec![from.to_owned()];
    nodes.extend(
        target
            .and_then(|h| ctx.layout.node(&h.name))
            .filter(|to| *to != from)
            .map(str::to_owned),
    );
    nodes
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
