use std::time::Duration;

use super::{Connection, Proto};

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
    /// Clients started at once, each sending `count` probes.
    pub clients: u32,
}

impl Probe {
    /// `HOST:PORT` as the lab names it.
    pub fn target(&self) -> String {
        format!("{}:{}", self.to, self.port)
    }

    /// A generous upper bound on how long the client can take when every
    /// probe runs into its timeouts; useful to size exec timeouts.
    pub fn worst_case(&self) -> Duration {
        let per = match self.proto {
            Proto::Udp => self.timeout,
            Proto::Tcp => self.connect_timeout + self.timeout,
        };
        (per.max(self.interval)) * (self.count + self.warmup)
    }
}
