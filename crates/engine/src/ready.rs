//! Readiness without sleeping: a text in the container's log stream, or a
//! bound socket seen in the /proc/net of the container's namespace.

use std::time::{Duration, Instant};

use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{EngineError, Result};
use crate::sockets::{Proto, Tables};

const LAST_LINES: usize = 20;
const POLL: Duration = Duration::from_millis(20);

impl Engine {
    /// Waits until `needle` appears in the container's stdout or stderr.
    /// Fails with [`EngineError::ExitedEarly`] if the container ends first.
    pub async fn wait_for_log(&self, c: &Container, needle: &str, timeout: Duration) -> Result<()> {
        let opts = LogsOptionsBuilder::default()
            .follow(true)
            .stdout(true)
            .stderr(true)
            .build();
        let mut stream = self.docker.logs(&c.id, Some(opts));
        // Keep a window as long as the needle so a match split across chunks is found.
        let mut window = String::new();
        let found = async {
            while let Some(chunk) = stream.next().await {
                let Ok(chunk) = chunk else { break };
                window.push_str(&chunk.to_string());
                if window.contains(needle) {
                    return true;
                }
                let keep = window.len().saturating_sub(needle.len());
                let cut = (keep..=window.len())
                    .find(|i| window.is_char_boundary(*i))
                    .unwrap_or(0);
                window.drain(..cut);
            }
            false
        };
        match tokio::time::timeout(timeout, found).await {
            Ok(true) => Ok(()),
            // The follow stream ends when the container stops.
            Ok(false) => Err(self.exited_early(c).await),
            Err(_) => Err(self
                .not_ready(c, format!("the text {needle:?} in its output"), timeout)
                .await),
        }
    }

    /// Waits until a socket is bound to `port` in the container's network
    /// namespace (TCP: listening; UDP: bound), read from its /proc/net
    /// (`sockets.rs`: directly on this host, by exec on a remote engine).
    pub async fn wait_for_port(
        &self,
        c: &Container,
        port: u16,
        proto: Proto,
        timeout: Duration,
    ) -> Result<()> {
        // An exec per poll costs more than a file read: poll a remote engine less often.
        let poll = if self.is_local() { POLL } else { 5 * POLL };
        let started = Instant::now();
        loop {
            match self.socket_tables(c, proto).await? {
                Tables::Read(sockets) if sockets.iter().any(|s| s.port == port) => return Ok(()),
                Tables::Read(_) => {}
                // The container's first process ended, so the container is
                // ending; Docker may not have recorded the exit yet, which
                // `exited_early` waits for.
                Tables::Gone => return Err(self.exited_early(c).await),
            }
            if started.elapsed() >= timeout {
                return Err(self
                    .not_ready(c, format!("{proto} port {port} to be bound"), timeout)
                    .await);
            }
            tokio::time::sleep(poll).await;
        }
    }

    async fn exited_early(&self, c: &Container) -> EngineError {
        // Logs end a moment before the exit code is recorded: poll briefly (bounded).
        let mut code = -1;
        for _ in 0..100 {
            if let Ok(Some(c)) = self.exit_code(&c.id).await {
                code = c;
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        EngineError::ExitedEarly {
            name: c.docker_name.clone(),
            code,
            last_lines: self.last_lines(&c.id, LAST_LINES).await,
        }
    }

    async fn not_ready(&self, c: &Container, what: String, after: Duration) -> EngineError {
        if let Ok(Some(_)) = self.exit_code(&c.id).await {
            return self.exited_early(c).await;
        }
        EngineError::NotReady {
            name: c.docker_name.clone(),
            what,
            after,
            last_lines: self.last_lines(&c.id, LAST_LINES).await,
        }
    }
}
