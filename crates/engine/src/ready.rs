//! Readiness without sleeping: a text in the container's log stream, or a
//! bound socket seen in /proc/<pid>/net of the container's namespace.

use std::time::{Duration, Instant};

use bollard::query_parameters::LogsOptionsBuilder;
use futures_util::StreamExt;

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{EngineError, Result};

/// Transport of a port to wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl std::fmt::Display for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

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
    /// namespace (TCP: listening; UDP: bound). Reads /proc on this host, so it
    /// needs a local engine.
    pub async fn wait_for_port(
        &self,
        c: &Container,
        port: u16,
        proto: Proto,
        timeout: Duration,
    ) -> Result<()> {
        let probe_err = |reason: String| EngineError::PortProbe {
            name: c.docker_name.clone(),
            reason,
        };
        if !self.is_local() {
            return Err(probe_err(format!(
                "the engine at {} is not on this host, so its containers' /proc is not readable; wait for a log line instead",
                self.host()
            )));
        }
        let started = Instant::now();
        loop {
            match bound(c.pid, port, proto) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                // /proc/<pid> vanished (or pid 0): the container's first process
                // ended, so the container is ending; Docker may not have
                // recorded the exit yet, which `exited_early` waits for.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound || c.pid == 0 => {
                    return Err(self.exited_early(c).await);
                }
                Err(e) => {
                    return Err(probe_err(format!(
                        "/proc/{}/net is not readable: {e}",
                        c.pid
                    )));
                }
            }
            if started.elapsed() >= timeout {
                return Err(self
                    .not_ready(c, format!("{proto} port {port} to be bound"), timeout)
                    .await);
            }
            tokio::time::sleep(POLL).await;
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

/// True when /proc/<pid>/net/{proto,proto6} lists a socket on `port` in the right state.
fn bound(pid: u32, port: u16, proto: Proto) -> std::io::Result<bool> {
    // TCP_LISTEN = 0A; a bound UDP socket shows as 07 (TCP_CLOSE).
    let (files, state) = match proto {
        Proto::Tcp => (["tcp", "tcp6"], "0A"),
        Proto::Udp => (["udp", "udp6"], "07"),
    };
    if pid == 0 {
        return Err(std::io::ErrorKind::NotFound.into());
    }
    for f in files {
        let table = match std::fs::read_to_string(format!("/proc/{pid}/net/{f}")) {
            Ok(t) => t,
            // tcp6/udp6 are absent when IPv6 is disabled.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && f.ends_with('6') => continue,
            Err(e) => return Err(e),
        };
        if table_has(&table, port, state) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Parses a /proc/net/{tcp,udp} table: `sl local_address rem_address st ...`.
fn table_has(table: &str, port: u16, state: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let mut cols = line.split_whitespace().skip(1);
        let local = cols.next().unwrap_or("");
        let st = cols.nth(1).unwrap_or("");
        let p = local
            .rsplit(':')
            .next()
            .and_then(|h| u16::from_str_radix(h, 16).ok());
        p == Some(port) && st == state
    })
}

#[cfg(test)]
mod tests {
    use super::table_has;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:2EE0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
";

    #[test]
    fn finds_listening_port_only() {
        assert!(table_has(TCP, 12000, "0A"));
        assert!(
            !table_has(TCP, 8080, "0A"),
            "8080 is an established socket, not a listener"
        );
        assert!(!table_has(TCP, 12001, "0A"));
    }
}
