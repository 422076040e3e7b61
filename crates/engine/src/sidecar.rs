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
/// What `run_all`'s script prints before the index of a command that failed.
const FAILED: &str = "netlab-sidecar-failed: ";

/// `word` as one shell word.
fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

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

    /// Runs each command in order, stopping at the first failure. Several
    /// commands go in one exec (a `sh` script): each exec costs the engine a
    /// runtime start, far more than an iptables call.
    pub async fn run_all<S: AsRef<str>>(&self, commands: &[Vec<S>]) -> Result<()> {
        if let [argv] = commands {
            return self.run(argv).await.map(drop);
        }
        if commands.is_empty() {
            return Ok(());
        }
        let script: Vec<String> = commands
            .iter()
            .enumerate()
            .map(|(i, argv)| {
                let words: Vec<String> = argv.iter().map(|w| quote(w.as_ref())).collect();
                format!(
                    "{} || {{ c=$?; echo {FAILED}{i} >&2; exit $c; }}",
                    words.join(" ")
                )
            })
            .collect();
        let out = self.exec(&["sh", "-c", &script.join("\n")]).await?;
        if out.exit_code == Some(0) {
            return Ok(());
        }
        // The failed command, named by the script's last word on stderr.
        let text = out.stderr.text();
        let failed = text
            .lines()
            .filter_map(|l| l.strip_prefix(FAILED)?.trim().parse::<usize>().ok())
            .next_back()
            .and_then(|i| commands.get(i));
        let stderr: Vec<&str> = text.lines().filter(|l| !l.starts_with(FAILED)).collect();
        let command = match failed {
            Some(argv) => argv
                .iter()
                .map(|w| w.as_ref())
                .collect::<Vec<_>>()
                .join(" "),
            None => format!("sh -c {script:?}"),
        };
        Err(EngineError::SidecarCommand {
            target: self.target.clone(),
            command,
            code: out.exit_code.unwrap_or(-1),
            stderr: if out.timed_out {
                format!("no answer within {COMMAND_TIMEOUT:?}")
            } else {
                stderr.join("\n").trim().to_string()
            },
        })
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

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quoted_words_stay_one_word() {
        assert_eq!(quote("-j"), "'-j'");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
