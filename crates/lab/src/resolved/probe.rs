use std::time::Duration;

use super::{Case, Connection, Proto, SocketMode};

/// What each request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    Message(String),
    /// Request size in bytes.
    Size(usize),
}

/// A client run with every default applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub id: String,
    /// Host the client runs in.
    pub from: String,
    /// Target host (a host of the lab; may be absent in this scenario).
    pub to: String,
    pub port: u16,
    pub proto: Proto,
    pub count: u32,
    pub interval: Duration,
    pub timeout: Duration,
    /// TCP only (carried for UDP too, unused there).
    pub connect_timeout: Duration,
    pub payload: Payload,
    pub warmup: u32,
    /// TCP only.
    pub connection: Connection,
    /// UDP: how the client uses its socket (TCP: always `Connected`).
    pub socket: SocketMode,
    /// Clients started at once, each sending `count` probes.
    pub clients: u32,
    /// The Task 4 case the scenario puts the target in (a fault on the `to`
    /// host), if any: what the report cites other systems' errors for.
    pub case: Option<Case>,
}

impl Probe {
    /// `HOST:PORT` as the lab names it.
    pub fn target(&self) -> String {
        format!("{}:{}", self.to, self.port)
    }

    /// A generous upper bound on how long the client can take when every
    /// probe runs into its timeouts; useful to size exec timeouts. Saturates
    /// at `Duration::MAX` rather than overflow (validation keeps real labs far
    /// below), so callers adding to it should saturate too.
    pub fn worst_case(&self) -> Duration {
        let per = match self.proto {
            Proto::Udp => self.timeout,
            Proto::Tcp => self.connect_timeout.saturating_add(self.timeout),
        };
        per.max(self.interval)
            .saturating_mul(self.count.saturating_add(self.warmup))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probe(proto: Proto, d: Duration, count: u32, warmup: u32) -> Probe {
        Probe {
            id: "p".into(),
            from: "client".into(),
            to: "server".into(),
            port: 12000,
            proto,
            count,
            interval: d,
            timeout: d,
            connect_timeout: d,
            payload: Payload::Message("hi".into()),
            warmup,
            connection: Connection::default(),
            socket: SocketMode::default(),
            clients: 1,
            case: None,
        }
    }

    #[test]
    fn worst_case_adds_up_the_timeouts() {
        let p = probe(Proto::Tcp, Duration::from_secs(1), 10, 2);
        assert_eq!(p.worst_case(), Duration::from_secs(24));
        let p = probe(Proto::Udp, Duration::from_secs(1), 10, 2);
        assert_eq!(p.worst_case(), Duration::from_secs(12));
    }

    #[test]
    fn worst_case_saturates_instead_of_overflowing() {
        // Validation bounds every duration; a Lab built by hand need not be.
        let huge = Duration::from_secs(u64::MAX);
        for proto in [Proto::Udp, Proto::Tcp] {
            assert_eq!(probe(proto, huge, 10, 0).worst_case(), Duration::MAX);
            let p = probe(proto, Duration::from_secs(1), u32::MAX, u32::MAX);
            assert!(p.worst_case() >= Duration::from_secs(u64::from(u32::MAX)));
        }
    }
}
