//! Waiting for SIGINT or SIGTERM. `netlab-echo idle` does only that: a
//! scratch image has no shell or `sleep`, and this keeps such a container
//! running so probes can be started in it with `docker exec`. As PID 1 a
//! process gets no default signal handling, hence the explicit handlers.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Installed handlers. Install them before announcing readiness, so a
/// signal sent right after the announcement is never lost.
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    /// Must be called inside a tokio runtime.
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Returns the name of the first signal that arrives.
    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}
