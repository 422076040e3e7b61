//! `netlab-echo resolve`: a name looked up again and again until it
//! resolves or time is up. netlab waits with it, inside a client host, for
//! the overlay's DNS of a swarm to learn a host started on another node.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::client::resolve::Resolver;

/// One look-up's own bound: Docker's DNS forwards a name it does not know
/// (and an internal network has nowhere to forward it), so a miss is slow.
const ATTEMPT: Duration = Duration::from_secs(1);
/// Between misses.
const PAUSE: Duration = Duration::from_millis(200);

/// The address `name` resolves to, once it does; the last failure when it
/// has not within `within`.
pub fn until_resolved(name: &str, within: Duration) -> Result<IpAddr, String> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut resolver = Resolver::new(name, 0, ATTEMPT.min(left.max(PAUSE)));
        match resolver.resolve() {
            Ok(addr) => return Ok(addr.ip()),
            Err(e) if Instant::now() + PAUSE >= deadline => {
                return Err(format!("{} (for {within:?})", e.error));
            }
            Err(_) => std::thread::sleep(PAUSE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_resolves_at_once_and_an_empty_name_is_given_up() {
        assert_eq!(
            until_resolved("127.0.0.1", Duration::from_secs(1)),
            Ok(IpAddr::from([127, 0, 0, 1]))
        );
        // getaddrinfo refuses an empty name without asking any DNS server.
        let e = until_resolved("", Duration::from_millis(500)).unwrap_err();
        assert!(e.contains("cannot resolve ``"), "{e}");
    }
}
