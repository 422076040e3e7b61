//! Creating, starting, inspecting, waiting for and removing containers.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, HostConfigLogConfig,
    NetworkConnectRequest, NetworkSettings, NetworkingConfig, ResourcesUlimits,
};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, InspectContainerOptions, KillContainerOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, StartContainerOptions, WaitContainerOptions,
};
use futures_util::StreamExt;

use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result, is_not_found, is_removal_in_progress};
use crate::exec::Captured;
use crate::run::Run;
use crate::spec::{ContainerSpec, NetAttach};

/// A started container.
#[derive(Clone, Debug)]
pub struct Container {
    pub id: String,
    /// Logical name (`server`).
    pub name: String,
    /// Docker's name (`netlab-<run>-server`).
    pub docker_name: String,
    /// Host PID of the container's first process (0 if it already ended).
    pub pid: u32,
    /// IPv4 address per Docker network name.
    pub ips: Vec<(String, Ipv4Addr)>,
}

impl Container {
    /// The address on the given Docker network.
    pub fn ip_on(&self, network: &str) -> Option<Ipv4Addr> {
        self.ips.iter().find(|(n, _)| n == network).map(|(_, a)| *a)
    }

    /// The first address (single-network labs).
    pub fn ip(&self) -> Option<Ipv4Addr> {
        self.ips.first().map(|(_, a)| *a)
    }
}

/// How a container ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitStatus {
    /// Exit code; `None` when it was killed at the deadline.
    pub code: Option<i64>,
    /// The deadline passed: it was killed and removed.
    pub timed_out: bool,
    /// The kernel's OOM killer ended it.
    pub oom_killed: bool,
}

/// A container's output so far.
#[derive(Clone, Debug, Default)]
pub struct Logs {
    pub stdout: Captured,
    pub stderr: Captured,
}

impl Run {
    /// Creates and starts a container from `spec`, labelled with this run.
    pub async fn start_container(&self, spec: &ContainerSpec) -> Result<Container> {
        let body = self.create_body(spec);
        self.launch(&spec.name, body, spec.networks.get(1..).unwrap_or_default())
            .await
    }

    fn create_body(&self, spec: &ContainerSpec) -> ContainerCreateBody {
        let mut labels = self.labels();
        labels.extend(spec.labels.iter().cloned());
        let first = spec.networks.first();
        let host_config = HostConfig {
            network_mode: Some(first.map_or("none".to_string(), |n| n.network.clone())),
            cap_drop: Some(vec!["ALL".into()]),
            security_opt: Some(vec!["no-new-privileges:true".into()]),
            dns_options: (!spec.dns_options.is_empty()).then(|| spec.dns_options.clone()),
            readonly_rootfs: Some(spec.read_only_rootfs),
            tmpfs: (!spec.tmpfs.is_empty()).then(|| spec.tmpfs.iter().cloned().collect()),
            binds: (!spec.binds.is_empty()).then(|| {
                spec.binds
                    .iter()
                    .map(|b| {
                        let mode = if b.read_only { "ro" } else { "rw" };
                        format!("{}:{}:{mode}", b.host, b.container)
                    })
                    .collect()
            }),
            memory: spec.limits.memory_bytes,
            memory_swap: spec.limits.memory_bytes,
            nano_cpus: spec.limits.nano_cpus,
            pids_limit: spec.limits.pids_limit,
            ulimits: spec.limits.nofile.map(|n| {
                vec![ResourcesUlimits {
                    name: Some("nofile".into()),
                    soft: Some(n),
                    hard: Some(n),
                }]
            }),
            log_config: Some(log_config(&spec.log_max_size)),
            ..Default::default()
        };
        ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: (!spec.cmd.is_empty()).then(|| spec.cmd.clone()),
            entrypoint: spec.entrypoint.clone(),
            env: Some(spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            user: spec.user.clone(),
            working_dir: spec.working_dir.clone(),
            labels: Some(labels),
            host_config: Some(host_config),
            networking_config: first.map(|n| NetworkingConfig {
                endpoints_config: Some(HashMap::from([(
                    n.network.clone(),
                    endpoint(&spec.name, n),
                )])),
            }),
            ..Default::default()
        }
    }

    /// Creates (with labels already in `body`), connects extra networks, starts, inspects.
    pub(crate) async fn launch(
        &self,
        name: &str,
        body: ContainerCreateBody,
        extra_networks: &[NetAttach],
    ) -> Result<Container> {
        let docker = &self.engine.docker;
        let docker_name = self.object_name(name);
        let opts = CreateContainerOptionsBuilder::default()
            .name(&docker_name)
            .build();
        let id = docker
            .create_container(Some(opts), body)
            .await
            .ctx(|| format!("creating container {docker_name}"))?
            .id;
        // API 1.41 accepts one network at create time; the others join before start.
        for n in extra_networks {
            let req = NetworkConnectRequest {
                container: id.clone(),
                endpoint_config: Some(endpoint(name, n)),
            };
            docker
                .connect_network(&n.network, req)
                .await
                .ctx(|| format!("connecting {docker_name} to network {}", n.network))?;
        }
        docker
            .start_container(&id, None::<StartContainerOptions>)
            .await
            .ctx(|| format!("starting container {docker_name}"))?;
        let info = docker
            .inspect_container(&id, None::<InspectContainerOptions>)
            .await
            .ctx(|| format!("inspecting container {docker_name}"))?;
        let pid = info.state.as_ref().and_then(|s| s.pid).unwrap_or(0);
        let ips = addresses(info.network_settings);
        Ok(Container {
            id,
            name: name.to_string(),
            docker_name,
            pid: u32::try_from(pid).unwrap_or(0),
            ips,
        })
    }
}

/// The IPv4 address on each network, from an inspection.
pub(crate) fn addresses(settings: Option<NetworkSettings>) -> Vec<(String, Ipv4Addr)> {
    settings
        .and_then(|n| n.networks)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(net, ep)| Some((net, ep.ip_address?.parse().ok()?)))
        .collect()
}

fn endpoint(name: &str, n: &NetAttach) -> EndpointSettings {
    let mut aliases = vec![name.to_string()];
    aliases.extend(n.aliases.iter().cloned());
    EndpointSettings {
        aliases: Some(aliases),
        ipam_config: n.ipv4.map(|a| EndpointIpamConfig {
            ipv4_address: Some(a.to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub(crate) fn log_config(max_size: &str) -> HostConfigLogConfig {
    HostConfigLogConfig {
        typ: Some("json-file".into()),
        config: Some(HashMap::from([
            ("max-size".to_string(), max_size.to_string()),
            ("max-file".to_string(), "1".to_string()),
        ])),
    }
}

impl Engine {
    /// Exit code if the container has ended, `None` while it runs.
    pub async fn exit_code(&self, id: &str) -> Result<Option<i64>> {
        let info = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .ctx(|| format!("inspecting container {id}"))?;
        let state = info.state.unwrap_or_default();
        Ok(match state.running {
            Some(true) => None,
            _ => Some(state.exit_code.unwrap_or(-1)),
        })
    }

    /// Waits until the container ends. At the deadline it is killed and
    /// force-removed, and the status says `timed_out`.
    pub async fn wait_exit(&self, id: &str, deadline: Duration) -> Result<ExitStatus> {
        let patient = self.patient();
        let mut wait = patient.wait_container(id, None::<WaitContainerOptions>);
        match tokio::time::timeout(deadline, wait.next()).await {
            Ok(
                Some(Ok(_)) | Some(Err(bollard::errors::Error::DockerContainerWaitError { .. })),
            ) => {
                let info = self
                    .docker
                    .inspect_container(id, None::<InspectContainerOptions>)
                    .await
                    .ctx(|| format!("inspecting container {id}"))?;
                let state = info.state.unwrap_or_default();
                Ok(ExitStatus {
                    code: Some(state.exit_code.unwrap_or(-1)),
                    timed_out: false,
                    oom_killed: state.oom_killed.unwrap_or(false),
                })
            }
            Ok(Some(Err(e))) => Err(e).ctx(|| format!("waiting for container {id}")),
            Ok(None) => Err(EngineError::Unexpected {
                action: format!("waiting for container {id}"),
                detail: "the wait stream ended without a status".into(),
            }),
            Err(_) => {
                self.kill(id).await?;
                self.remove_container(id).await?;
                Ok(ExitStatus {
                    code: None,
                    timed_out: true,
                    oom_killed: false,
                })
            }
        }
    }

    /// SIGKILL; a container that already ended is fine.
    pub async fn kill(&self, id: &str) -> Result<()> {
        let opts = KillContainerOptionsBuilder::default()
            .signal("KILL")
            .build();
        match self.docker.kill_container(id, Some(opts)).await {
            Ok(()) => Ok(()),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404 | 409,
                ..
            }) => Ok(()),
            Err(e) => Err(e).ctx(|| format!("killing container {id}")),
        }
    }

    /// Force-removes a container; one already gone is fine. When another
    /// removal of it is in progress (e.g. one whose request Ctrl-C abandoned:
    /// Docker carries on), waits for that one, so the container is gone when
    /// this returns and its network can be removed next.
    pub async fn remove_container(&self, id: &str) -> Result<()> {
        const IN_PROGRESS_WAIT: Duration = Duration::from_secs(30);
        let start = std::time::Instant::now();
        loop {
            let opts = RemoveContainerOptionsBuilder::default().force(true).build();
            match self.docker.remove_container(id, Some(opts)).await {
                Ok(()) => return Ok(()),
                Err(e) if is_not_found(&e) => return Ok(()),
                Err(e) if is_removal_in_progress(&e) && start.elapsed() < IN_PROGRESS_WAIT => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e).ctx(|| format!("removing container {id}")),
            }
        }
    }

    /// The container's stdout and stderr so far, each capped at `cap` bytes
    /// (first and last part kept).
    pub async fn logs(&self, id: &str, cap: usize) -> Result<Logs> {
        let opts = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut logs = Logs {
            stdout: Captured::new(cap),
            stderr: Captured::new(cap),
        };
        while let Some(item) = stream.next().await {
            match item.ctx(|| format!("reading logs of container {id}"))? {
                bollard::container::LogOutput::StdErr { message } => logs.stderr.push(&message),
                other => logs.stdout.push(other.as_ref()),
            }
        }
        Ok(logs)
    }

    /// The last `n` lines of stdout and stderr together, for error messages.
    pub async fn last_lines(&self, id: &str, n: usize) -> String {
        let opts = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let chunks: Vec<_> = self.docker.logs(id, Some(opts)).collect().await;
        let text: String = chunks
            .into_iter()
            .filter_map(|c| c.ok())
            .map(|c| c.to_string())
            .collect();
        if text.trim().is_empty() {
            "(no output)".into()
        } else {
            text.trim_end().to_string()
        }
    }
}
