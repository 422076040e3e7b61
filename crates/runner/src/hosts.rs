//! Starting a scenario's hosts: the container spec of a lab host, and
//! waiting until it is ready (its log line or its port, never a sleep).

use std::time::{Duration, Instant};

use netlab_engine::{Container, ContainerSpec, Engine, NetAttach, NetworkInfo, Run, labels};
use netlab_lab::{Host, Readiness, Scenario};

use crate::context::network;
use crate::sandbox::{self, Sandbox};
use crate::{ImageSet, RunError};

/// Starts `spec` in `run` and waits until it is ready as `ready` says, within `until`.
pub(crate) async fn start(
    engine: &Engine,
    run: &Run,
    spec: &ContainerSpec,
    ready: &Readiness,
    until: Instant,
) -> Result<Container, RunError> {
    let container = run.start_container(spec).await?;
    let left = |t: Duration| t.min(until.saturating_duration_since(Instant::now()));
    match ready {
        Readiness::Running => {}
        Readiness::Log { text, timeout } => {
            engine
                .wait_for_log(&container, text, left(*timeout))
                .await?
        }
        Readiness::Port {
            port,
            proto,
            timeout,
        } => {
            engine
                .wait_for_port(&container, *port, engine_proto(*proto), left(*timeout))
                .await?
        }
    }
    Ok(container)
}

/// The lab's name for a transport, in the engine's words.
pub(crate) fn engine_proto(proto: netlab_lab::Proto) -> netlab_engine::Proto {
    match proto {
        netlab_lab::Proto::Udp => netlab_engine::Proto::Udp,
        netlab_lab::Proto::Tcp => netlab_engine::Proto::Tcp,
    }
}

/// The container for a lab host. Its Docker name carries the scenario (so
/// `--keep` can leave every scenario's containers side by side); its DNS
/// names are the host name and the host's aliases. A role host runs in the
/// submission's sandbox.
pub(crate) fn spec(
    scenario: &Scenario,
    host: &Host,
    images: &ImageSet,
    networks: &[NetworkInfo],
    sandbox: Option<&Sandbox>,
) -> Result<ContainerSpec, RunError> {
    let mut spec = ContainerSpec::new(
        &format!("{}-{}", scenario.name, host.name),
        &images.tag(&host.image)?,
    )
    .cmd(&host.command)
    .fast_dns_failure();
    spec.env = host
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for name in &host.networks {
        let network = network(networks, name)?;
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
        let Some(sandbox) = sandbox else {
            return Err(RunError::NoSubmission {
                host: host.name.clone(),
            });
        };
        spec = sandbox::confine(spec, sandbox);
    }
    Ok(spec)
}
