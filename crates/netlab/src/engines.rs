//! Which Docker engines a command uses: `--engine URL` (repeatable), an
//! engines file (`--engines FILE`), or, with neither, the engine of
//! DOCKER_HOST / the local socket, exactly as before there were pools.
//!
//! An engines file:
//! ```yaml
//! engines:
//!   - url: unix:///var/run/docker.sock
//!   - url: tcp://lab-pc-12:2376
//!     tls: /etc/netlab/tls/lab-pc-12   # ca.pem, cert.pem, key.pem
//!     jobs: 4                          # default: the engine's CPU count
//!     name: pc12                       # default: the URL
//!   - url: ssh://grader@lab-pc-13
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::Args;
use futures_util::future::join_all;
use netlab_engine::{Engine, EngineAddr};
use serde::Deserialize;

use crate::exit::Failure;

/// The flags that pick engines; every command that talks to Docker has them.
#[derive(Debug, Clone, Default, Args)]
pub struct EngineArgs {
    /// A Docker engine to use: unix:///path, tcp://host:port (TLS with
    /// DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, or an engines file), ssh://user@host.
    /// `netlab grade` takes it more than once: a pool, each student graded
    /// on one engine. Default: DOCKER_HOST, or the local socket.
    #[arg(long = "engine", value_name = "URL")]
    pub urls: Vec<String>,

    /// A YAML file listing engines (url, and optionally tls, jobs, name); see
    /// the README's "Grading on several engines".
    #[arg(long = "engines", value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// One engine as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineEntry {
    pub name: String,
    pub addr: EngineAddr,
    /// Students at a time on it; `None`: its CPU count (or `--jobs`).
    pub jobs: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnginesFile {
    engines: Vec<FileEngine>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEngine {
    url: String,
    #[serde(default)]
    tls: Option<PathBuf>,
    #[serde(default)]
    jobs: Option<usize>,
    #[serde(default)]
    name: Option<String>,
}

impl EngineArgs {
    /// The engines asked for, in order: `--engine`s, then the file's. Empty
    /// when neither was given.
    pub fn entries(&self) -> Result<Vec<EngineEntry>, Failure> {
        let mut entries: Vec<EngineEntry> = self
            .urls
            .iter()
            .map(|url| {
                let env = EngineAddr::from_env();
                // DOCKER_TLS_VERIFY applies to a tcp:// URL given here too.
                let tls = env.tls.filter(|_| url.starts_with("tcp://"));
                EngineEntry {
                    name: url.clone(),
                    addr: EngineAddr {
                        url: url.clone(),
                        tls,
                    },
                    jobs: None,
                }
            })
            .collect();
        if let Some(path) = &self.file {
            entries.extend(read_file(path).map_err(Failure::Usage)?);
        }
        for (i, e) in entries.iter().enumerate() {
            if entries[..i].iter().any(|o| o.name == e.name) {
                return Err(Failure::Usage(anyhow!(
                    "engine `{}` is listed twice; each engine once (give one a `name` in the engines file if they differ)",
                    e.name
                )));
            }
            if e.jobs == Some(0) {
                return Err(Failure::Usage(anyhow!(
                    "engine `{}`: jobs must be at least 1",
                    e.name
                )));
            }
        }
        Ok(entries)
    }

    /// The one engine of a command that uses one (`run`, `images`).
    pub async fn one(&self) -> Result<Engine, Failure> {
        let mut entries = self.entries()?;
        match entries.len() {
            0 => connect(&EngineAddr::from_env()).await,
            1 => connect(&entries.remove(0).addr).await,
            n => Err(Failure::Usage(anyhow!(
                "this command runs on one engine, and {n} were given; only `netlab grade` spreads work over several"
            ))),
        }
    }

    /// Every engine asked for (the default engine when none was), connected
    /// at once. One that does not answer stops the command (exit 3) before
    /// anything starts.
    pub async fn all(&self) -> Result<Vec<(EngineEntry, Engine)>, Failure> {
        let mut entries = self.entries()?;
        if entries.is_empty() {
            let addr = EngineAddr::from_env();
            entries.push(EngineEntry {
                name: addr.url.clone(),
                addr,
                jobs: None,
            });
        }
        let connected = join_all(entries.iter().map(|e| connect(&e.addr))).await;
        let mut engines = Vec::new();
        for (entry, engine) in entries.into_iter().zip(connected) {
            engines.push((entry, engine?));
        }
        Ok(engines)
    }
}

pub async fn connect(addr: &EngineAddr) -> Result<Engine, Failure> {
    Engine::connect_to(addr)
        .await
        .map_err(|e| Failure::Infra(anyhow!(e)))
}

fn read_file(path: &Path) -> anyhow::Result<Vec<EngineEntry>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the engines file {}", path.display()))?;
    parse(&text).with_context(|| format!("{}: not an engines file", path.display()))
}

fn parse(text: &str) -> anyhow::Result<Vec<EngineEntry>> {
    let file: EnginesFile = serde_saphyr::from_str(text).map_err(|e| {
        anyhow!("{e}; expected `engines:` with a list of entries, each with `url` and optionally `tls`, `jobs`, `name`")
    })?;
    if file.engines.is_empty() {
        return Err(anyhow!("`engines` is empty; list at least one engine"));
    }
    Ok(file
        .engines
        .into_iter()
        .map(|e| EngineEntry {
            name: e.name.unwrap_or_else(|| e.url.clone()),
            addr: EngineAddr {
                url: e.url,
                tls: e.tls,
            },
            jobs: e.jobs,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engines_file_lists_url_tls_jobs_and_name() {
        let entries = parse(
            "engines:\n  - url: unix:///var/run/docker.sock\n  - url: tcp://pc12:2376\n    tls: /etc/netlab/tls\n    jobs: 4\n    name: pc12\n",
        )
        .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].name, "unix:///var/run/docker.sock");
        assert_eq!(entries[0].jobs, None);
        assert_eq!(entries[1].name, "pc12");
        assert_eq!(entries[1].jobs, Some(4));
        assert_eq!(
            entries[1].addr.tls.as_deref(),
            Some(Path::new("/etc/netlab/tls"))
        );
    }

    #[test]
    fn mistakes_in_an_engines_file_are_named() {
        let unknown = parse("engines:\n  - url: tcp://a:2375\n    cpus: 2\n").unwrap_err();
        assert!(format!("{unknown:#}").contains("cpus"), "{unknown:#}");
        assert!(parse("engines: []\n").is_err());
        assert!(parse("- url: x\n").is_err());
    }

    #[test]
    fn an_engine_listed_twice_is_refused() {
        let args = EngineArgs {
            urls: vec!["tcp://a:2375".into(), "tcp://a:2375".into()],
            file: None,
        };
        assert!(args.entries().is_err());
    }
}
