//! SIGINT (Ctrl-C) and SIGTERM, listened for from the start of a command, so
//! a signal during an image build, between labs or in the middle of one is
//! never lost and always ends in cleanup and exit status 130.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::exit::Failure;

#[derive(Debug, Clone)]
pub struct Interrupt(watch::Receiver<bool>);

impl Interrupt {
    /// Starts listening. From here on the signals no longer kill netlab;
    /// the command decides when to stop.
    pub fn install() -> Interrupt {
        let (tx, rx) = watch::channel(false);
        let term = signal(SignalKind::terminate());
        tokio::spawn(async move {
            match term {
                Ok(mut term) => tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                },
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
            let _ = tx.send(true);
        });
        Interrupt(rx)
    }

    /// Resolves once a signal has arrived (at once if one already did).
    pub async fn wait(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|got| *got).await;
    }

    /// Runs `work` unless a signal comes first.
    pub async fn race<T>(&self, work: impl Future<Output = T>) -> Result<T, Failure> {
        tokio::select! {
            done = work => Ok(done),
            _ = self.wait() => Err(Failure::Interrupted),
        }
    }

    pub fn happened(&self) -> bool {
        *self.0.borrow()
    }
}
