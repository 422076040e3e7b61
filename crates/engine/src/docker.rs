//! Connecting to the Docker engine: DOCKER_HOST or the local socket, API
//! version negotiation (this machine's daemon speaks 1.41), and a ping.

use bollard::Docker;

use crate::error::{EngineError, Result};
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

/// A connection to one Docker engine. Cheap to clone (shares the HTTP client).
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) docker: Docker,
    host: String,
    server_version: String,
}

impl Engine {
    /// Connects through `DOCKER_HOST` (unix://, tcp://, ssh://) or the local socket,
    /// negotiates the API version down to the daemon's, and pings it.
    pub async fn connect() -> Result<Engine> {
        Engine::connect_to(engine_host(std::env::var("DOCKER_HOST").ok().as_deref())).await
    }

    /// Connects to the engine at `host` (`unix://…`, `tcp://…`, `ssh://…`),
    /// negotiates the API version and pings it.
    pub async fn connect_to(host: &str) -> Result<Engine> {
        let host = host.to_owned();
        let unavailable = |reason: String| EngineError::Unavailable {
            host: host.clone(),
            reason,
        };
        // Not `connect_with_defaults`: it reads DOCKER_HOST again and takes
        // an empty value for an unsupported URI.
        let docker = Docker::connect_with_host(&host)
            .map_err(|e| unavailable(e.to_string()))?
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
            host,
            server_version: version.version.unwrap_or_else(|| "unknown".into()),
        })
    }

    /// The bollard client, for callers that need an API netlab does not wrap.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Where the engine was reached (e.g. `unix:///var/run/docker.sock`).
    pub fn host(&self) -> &str {
        &self.host
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
        self.host.starts_with("unix://")
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
