//! Connecting to a Docker engine: DOCKER_HOST or the local socket, or an
//! address given on the command line (`unix://`, `tcp://` with or without
//! TLS, `ssh://`); API version negotiation (this machine's daemon speaks
//! 1.41), and a ping.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;

use crate::error::{DockerContext, EngineError, Result};
use crate::timeouts::{CONNECT_TIMEOUT, LONG_TIMEOUT, REQUEST_TIMEOUT};

/// The local engine's socket.
const LOCAL_SOCKET: &str = "unix:///var/run/docker.sock";

/// Where to reach the engine, given the value of DOCKER_HOST: the value
/// itself, or the local socket when it is unset or empty (an empty
/// `DOCKER_HOST=` means the default to the docker CLI too).
fn engine_host(docker_host: Option<&str>) -> &str {
    docker_host
        .filter(|h| !h.is_empty())
        .unwrap_or(LOCAL_SOCKET)
}

/// Where an engine is and how to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineAddr {
    /// `unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`.
    pub url: String,
    /// A folder with `ca.pem`, `cert.pem` and `key.pem` (as `DOCKER_CERT_PATH`):
    /// TLS to a `tcp://` engine.
    pub tls: Option<PathBuf>,
}

impl EngineAddr {
    pub fn new(url: &str) -> Self {
        EngineAddr {
            url: url.to_owned(),
            tls: None,
        }
    }

    /// The engine the docker CLI would use: `DOCKER_HOST` (with
    /// `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`) or the local socket.
    pub fn from_env() -> Self {
        let url = engine_host(std::env::var("DOCKER_HOST").ok().as_deref()).to_owned();
        let tls = std::env::var_os("DOCKER_TLS_VERIFY")
            .filter(|v| !v.is_empty() && url.starts_with("tcp://"))
            .map(|_| {
                std::env::var_os("DOCKER_CERT_PATH")
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from)
                    .unwrap_or_else(home_docker_dir)
            });
        EngineAddr { url, tls }
    }
}

/// `~/.docker`, where the docker CLI keeps its TLS files by default.
fn home_docker_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default()
        .join(".docker")
}

/// A client for `addr`, without any I/O yet.
fn client(addr: &EngineAddr) -> std::result::Result<Docker, String> {
    match &addr.tls {
        Some(dir) => {
            if !addr.url.starts_with("tcp://") && !addr.url.starts_with("https://") {
                return Err(format!(
                    "TLS files ({}) go with a tcp:// engine, not {}",
                    dir.display(),
                    addr.url
                ));
            }
            for f in ["ca.pem", "cert.pem", "key.pem"] {
                if !dir.join(f).is_file() {
                    return Err(format!(
                        "{} is missing: a TLS folder holds ca.pem, cert.pem and key.pem",
                        dir.join(f).display()
                    ));
                }
            }
            Docker::connect_with_ssl(
                &addr.url,
                &dir.join("key.pem"),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                REQUEST_TIMEOUT.as_secs(),
                bollard::API_DEFAULT_VERSION,
            )
            .map_err(|e| e.to_string())
        }
        // Not `connect_with_defaults`: it reads DOCKER_HOST again and takes
        // an empty value for an unsupported URI.
        None => Docker::connect_with_host(&addr.url).map_err(|e| e.to_string()),
    }
}

/// A connection to one Docker engine. Cheap to clone (shares the HTTP client).
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) docker: Docker,
    addr: EngineAddr,
    server_version: String,
}

impl Engine {
    /// Connects through `DOCKER_HOST` (unix://, tcp://, ssh://) or the local socket,
    /// negotiates the API version down to the daemon's, and pings it.
    pub async fn connect() -> Result<Engine> {
        Engine::connect_to(&EngineAddr::from_env()).await
    }

    /// Connects to the engine at `addr`, negotiates the API version and pings it.
    pub async fn connect_to(addr: &EngineAddr) -> Result<Engine> {
        let unavailable = |reason: String| EngineError::Unavailable {
            host: addr.url.clone(),
            reason,
        };
        let docker = client(addr)
            .map_err(unavailable)?
            .with_timeout(REQUEST_TIMEOUT);
        let handshake = async {
            let docker = docker.negotiate_version().await?;
            docker.ping().await?;
            let version = docker.version().await?;
            Ok::<_, bollard::errors::Error>((docker, version))
        };
        let (docker, version) = tokio::time::timeout(CONNECT_TIMEOUT, handshake)
            .await
            .map_err(|_| unavailable(format!("no answer within {CONNECT_TIMEOUT:?}")))?
            .map_err(|e| unavailable(e.to_string()))?;
        Ok(Engine {
            docker,
            addr: addr.clone(),
            server_version: version.version.unwrap_or_else(|| "unknown".into()),
        })
    }

    /// The bollard client, for callers that need an API netlab does not wrap.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Where the engine was reached (e.g. `unix:///var/run/docker.sock`).
    pub fn host(&self) -> &str {
        &self.addr.url
    }

    /// Where the engine was reached, with its TLS files.
    pub fn addr(&self) -> &EngineAddr {
        &self.addr
    }

    /// Whether the daemon answers a ping within `within`: an engine that
    /// does not is taken out of a grading pool.
    pub async fn answers(&self, within: Duration) -> bool {
        matches!(
            tokio::time::timeout(within, self.docker.ping()).await,
            Ok(Ok(_))
        )
    }

    /// The daemon's CPU count (`docker info`), which sets how many students
    /// it grades at a time unless `--jobs` says.
    pub async fn cpus(&self) -> Result<usize> {
        let info = self
            .docker
            .info()
            .await
            .ctx(|| "reading the engine's info".into())?;
        Ok(info
            .ncpu
            .map_or(1, |n| usize::try_from(n).unwrap_or(1).max(1)))
    }

    /// The daemon's version and the negotiated API version, e.g. `20.10.24 (API 1.41)`.
    pub fn version(&self) -> String {
        let v = self.docker.client_version();
        format!(
            "{} (API {}.{})",
            self.server_version, v.major_version, v.minor_version
        )
    }

    /// True when the engine runs on this host, so /proc/<pid> of its containers is ours to read.
    pub fn is_local(&self) -> bool {
        self.addr.url.starts_with("unix://")
    }

    /// A client with a long request timeout, for calls that answer only after long work.
    pub(crate) fn patient(&self) -> Docker {
        self.docker.clone().with_timeout(LONG_TIMEOUT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_docker_host_means_the_local_socket() {
        assert_eq!(engine_host(None), "unix:///var/run/docker.sock");
        assert_eq!(engine_host(Some("")), "unix:///var/run/docker.sock");
        assert_eq!(
            engine_host(Some("tcp://10.0.0.1:2375")),
            "tcp://10.0.0.1:2375"
        );
        assert_eq!(
            engine_host(Some("unix:///run/d.sock")),
            "unix:///run/d.sock"
        );
    }

    #[test]
    fn an_empty_docker_host_gives_a_client() {
        // Building the client does no I/O; `connect_with_defaults` failed
        // here with "unsupported URI" for DOCKER_HOST="".
        Docker::connect_with_host(engine_host(Some(""))).unwrap();
        assert!(Docker::connect_with_host(engine_host(Some("bogus://x"))).is_err());
    }
}
