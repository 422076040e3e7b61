//! `netlab-echo idle`: wait for SIGINT or SIGTERM, then return. A scratch
//! image has no shell or `sleep`; this keeps such a container running so
//! probes can be started in it with `docker exec`. As PID 1 a process gets
//! no default signal handling, hence the explicit handlers.

use tokio::signal::unix::{SignalKind, signal};

/// Returns the name of the signal that ended the wait.
pub async fn wait_for_signal() -> std::io::Result<&'static str> {
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    })
}
