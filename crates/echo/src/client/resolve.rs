//! Name resolution with a deadline. `getaddrinfo` cannot be cancelled, so it
//! runs on its own thread; if it overruns, the thread is abandoned (it ends
//! with the process) and the probe's outcome is `dns`.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::time::Duration;

use crate::outcome::Failure;
use netlab_contract::Outcome;

pub struct Resolver {
    host: String,
    port: u16,
    timeout: Duration,
    /// The first successful answer is kept for the rest of the run.
    cached: Option<SocketAddr>,
}

impl Resolver {
    pub fn new(host: &str, port: u16, timeout: Duration) -> Self {
        let cached = host
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, port));
        Self {
            host: host.to_string(),
            port,
            timeout,
            cached,
        }
    }

    /// Resolves (or returns the cached address); a failure is a `dns` outcome.
    pub fn resolve(&mut self) -> Result<SocketAddr, Failure> {
        if let Some(addr) = self.cached {
            return Ok(addr);
        }
        let (tx, rx) = mpsc::channel();
        let target = (self.host.clone(), self.port);
        std::thread::Builder::new()
            .name("resolve".into())
            .spawn(move || {
                let _ = tx.send(target.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
            })
            .map_err(|e| {
                Failure::new(
                    Outcome::Dns,
                    e.raw_os_error(),
                    format!("cannot start resolver thread: {e}"),
                )
            })?;
        let fail = |why: String| {
            Failure::new(
                Outcome::Dns,
                None,
                format!("cannot resolve `{}`: {why}", self.host),
            )
        };
        let addrs = match rx.recv_timeout(self.timeout) {
            Ok(Ok(addrs)) => addrs,
            Ok(Err(e)) => return Err(fail(e.to_string())),
            Err(_) => return Err(fail(format!("no answer within {:?}", self.timeout))),
        };
        // Servers listen on 0.0.0.0 by default: prefer an IPv4 address.
        let addr = addrs
            .iter()
            .find(|a| a.is_ipv4())
            .or(addrs.first())
            .copied()
            .ok_or_else(|| fail("the name has no addresses".into()))?;
        self.cached = Some(addr);
        Ok(addr)
    }
}
