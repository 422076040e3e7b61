//! Connecting to the Docker engine: DOCKER_HOST or the local socket, API
//! version negotiation (this machine's daemon speaks 1.41), and a ping.

use std::time::Duration;

use bollard::Docker;

use crate::error::{EngineError, Result};

/// Per-request timeout for ordinary API calls (until the response headers arrive).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Timeout for calls whose answer only starts after long work (image import, build).
pub(crate) const LONG_TIMEOUT: Duration = Duration::from_secs(900);
/// How long connect() waits for the daemon to answer the version and ping calls.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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
        let host = std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
        let unavailable = |reason: String| EngineError::Unavailable {
            host: host.clone(),
            reason,
        };
        let docker = Docker::connect_with_defaults()
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
