//! Faults go in through a sidecar (Pumba's pattern): a `tools` container that
//! shares the target's network namespace and alone holds NET_ADMIN. The
//! target never gets extra capabilities.

use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig};

use crate::container::{Container, log_config};
use crate::docker::Engine;
use crate::error::{EngineError, Result};
use crate::exec::{ExecOutput, ExecRequest};
use crate::labels;
use crate::run::Run;

/// A NET_ADMIN container in a target's network namespace.
#[derive(Clone, Debug)]
pub struct Sidecar {
    pub container: Container,
    /// Docker name of the target.
    pub target: String,
    engine: Engine,
}

/// Timeout for one fault command (iptables and tc answer in milliseconds).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);

impl Run {
    /// Starts a sidecar for `target` from the tools image (`sleep infinity`).
    pub async fn start_sidecar(&self, target: &Container, tools_image: &str) -> Result<Sidecar> {
        let mut labels = self.labels();
        labels.insert(labels::ROLE.into(), "sidecar".into());
        let body = ContainerCreateBody {
            image: Some(tools_image.into()),
            cmd: Some(vec!["sleep".into(), "infinity".into()]),
            labels: Some(labels),
            host_config: Some(HostConfig {
                network_mode: Some(format!("container:{}", target.id)),
                cap_drop: Some(vec!["ALL".into()]),
                cap_add: Some(vec!["NET_ADMIN".into()]),
                security_opt: Some(vec!["no-new-privileges:true".into()]),
                log_config: Some(log_config("1m")),
                ..Default::default()
            }),
            ..Default::default()
        };
        let container = self
            .launch(&format!("{}-fx", target.name), body, &[])
            .await?;
        Ok(Sidecar {
            container,
            target: target.docker_name.clone(),
            engine: self.engine.clone(),
        })
    }
}

impl Sidecar {
    /// Runs one command (e.g. `iptables -A INPUT -p udp --dport 12000 -j DROP`)
    /// and fails with its stderr unless it exits 0.
    pub async fn run<S: AsRef<str>>(&self, argv: &[S]) -> Result<ExecOutput> {
        let out = self.exec(argv).await?;
        match out.exit_code {
            Some(0) => Ok(out),
            code => Err(self.failed(argv, code, &out)),
        }
    }

    /// Runs each command in order, stopping at the first failure.
    pub async fn run_all<S: AsRef<str>>(&self, commands: &[Vec<S>]) -> Result<()> {
        for argv in commands {
            self.run(argv).await?;
        }
        Ok(())
    }

    /// Whether the kernel offers `sch_netem` (delay/loss emulation). Adds a
    /// netem qdisc on eth0 and removes it again when that works.
    pub async fn netem_supported(&self) -> Result<bool> {
        let add = [
            "tc", "qdisc", "add", "dev", "eth0", "root", "netem", "delay", "1ms",
        ];
        let out = self.exec(&add).await?;
        if out.exit_code == Some(0) {
            self.run(&["tc", "qdisc", "del", "dev", "eth0", "root"])
                .await?;
            return Ok(true);
        }
        let err = self.failed(&add, out.exit_code, &out);
        if err.is_missing_qdisc() {
            return Ok(false);
        }
        Err(err)
    }

    async fn exec<S: AsRef<str>>(&self, argv: &[S]) -> Result<ExecOutput> {
        let req = ExecRequest::new(argv)
            .timeout(COMMAND_TIMEOUT)
            .output_cap(64 * 1024);
        self.engine.exec(&self.container.id, &req).await
    }

    fn failed<S: AsRef<str>>(
        &self,
        argv: &[S],
        code: Option<i64>,
        out: &ExecOutput,
    ) -> EngineError {
        let command: Vec<&str> = argv.iter().map(|s| s.as_ref()).collect();
        let stderr = if out.timed_out {
            format!("no answer within {COMMAND_TIMEOUT:?}")
        } else {
            out.stderr.text().trim().to_string()
        };
        EngineError::SidecarCommand {
            target: self.target.clone(),
            command: command.join(" "),
            code: code.unwrap_or(-1),
            stderr,
        }
    }
}
