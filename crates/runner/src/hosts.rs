//! Starting a scenario's hosts: the container spec of a lab host, and
//! waiting until it is ready (its log line or its port, never a sleep).

use std::time::{Duration, Instant};

use netlab_engine::{
    Container, ContainerSpec, EngineError, NetAttach, Proto as EngineProto, labels,
};
use netlab_lab::{Host, Proto, Readiness, Scenario};

use crate::RunError;
use crate::scenario::Ctx;

/// Starts `host` for `scenario` and waits until it is ready, within `until`.
pub(crate) async fn start(
    ctx: &Ctx<'_>,
    scenario: &Scenario,
    host: &Host,
    until: Instant,
) -> Result<Container, RunError> {
    let spec = spec(ctx, scenario, host)?;
    let container = ctx.run.start_container(&spec).await?;
    let left = |t: Duration| t.min(until.saturating_duration_since(Instant::now()));
    match &host.ready {
        Readiness::Running => {}
        Readiness::Log { text, timeout } => {
            ctx.engine
                .wait_for_log(&container, text, left(*timeout))
                .await?
        }
        Readiness::Port {
            port,
            proto,
            timeout,
        } => {
            let proto = match proto {
                Proto::Udp => EngineProto::Udp,
                Proto::Tcp => EngineProto::Tcp,
            };
            ctx.engine
                .wait_for_port(&container, *port, proto, left(*timeout))
                .await?
        }
    }
    Ok(container)
}

/// The container for a lab host. Its Docker name carries the scenario (so
/// `--keep` can leave every scenario's containers side by side); its DNS
/// names are the host name and the host's aliases.
fn spec(ctx: &Ctx<'_>, scenario: &Scenario, host: &Host) -> Result<ContainerSpec, RunError> {
    let mut spec = ContainerSpec::new(
        &format!("{}-{}", scenario.name, host.name),
        &ctx.images.tag(&host.image)?,
    )
    .cmd(&host.command)
    .fast_dns_failure();
    spec.env = host
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for name in &host.networks {
        let network = ctx.network(name)?;
        let mut aliases = vec![host.name.clone()];
        aliases.extend(host.aliases.iter().cloned());
        spec.networks.push(NetAttach {
            network: network.docker_name.clone(),
            aliases,
            ipv4: None,
        });
    }
    spec.labels
        .push((labels::SCENARIO.into(), scenario.name.clone()));
    if host.role.is_some() {
        let Some(sub) = ctx.submission else {
            return Err(RunError::NoSubmission {
                host: host.name.clone(),
            });
        };
        spec = crate::sandbox::confine(spec, &sub.dir, &sub.limits);
    }
    Ok(spec)
}

impl Ctx<'_> {
    pub(crate) fn network(&self, name: &str) -> Result<&netlab_engine::NetworkInfo, RunError> {
        self.networks
            .iter()
            .find(|n| n.name == name)
            .ok_or_else(|| {
                RunError::Engine(EngineError::Unexpected {
                    action: format!("looking up network `{name}`"),
                    detail: "the lab's network was not created".into(),
                })
            })
    }
}
