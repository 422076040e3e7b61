//! Checked client settings: everything that can be wrong with the command
//! line is found here, before anything is sent (exit code 2).

use std::time::Duration;

use crate::cli::{ClientArgs, Connection};
use crate::payload::{self, Body};
use netlab_contract::{Proto, SocketMode};

/// Largest UDP payload over IPv4 (65,535 - 20 IP - 8 UDP).
pub const MAX_UDP_PAYLOAD: usize = 65_507;
/// Longest `--busy-poll`: the spin costs a CPU core for as long.
pub const MAX_BUSY_POLL: Duration = Duration::from_secs(1);
/// Message used when neither --message, --size nor --stdin is given.
pub const DEFAULT_MESSAGE: &str = "hello netlab";

/// What the probes carry after their `seq=N ` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The same body for every probe.
    Repeat(Body),
    /// One probe per line of standard input.
    Stdin,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub proto: Proto,
    /// `--server` as given (reported in the summary).
    pub server: String,
    pub host: String,
    pub port: u16,
    pub count: u64,
    pub interval: Duration,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub dns_timeout: Duration,
    pub warmup: u64,
    pub input: Input,
    pub connection: Connection,
    /// UDP only (TCP sockets are always connected).
    pub socket: SocketMode,
    /// Spin on non-blocking receives this long before blocking.
    pub busy_poll: Duration,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UsageError {
    #[error(
        "--server `{0}` is not HOST:PORT (e.g. 127.0.0.1:12000, echo-server:12000 or [::1]:12000)"
    )]
    Server(String),
    #[error("--connection applies to TCP only; drop it or use --proto tcp")]
    ConnectionWithUdp,
    #[error(
        "--socket applies to UDP only (a TCP socket is always connected); drop it or use --proto udp"
    )]
    SocketWithTcp,
    #[error("--busy-poll {0} is too long: at most 1s (the spin keeps a CPU core busy)")]
    BusyPollTooLong(String),
    #[error(
        "--size {size} is too small: a request needs at least {min} bytes for its header `seq=N `"
    )]
    SizeTooSmall { size: usize, min: usize },
    #[error(
        "a UDP request of {size} bytes does not fit in one datagram (at most {MAX_UDP_PAYLOAD}); lower --size or --message"
    )]
    TooBigForUdp { size: usize },
}

impl Config {
    pub fn from_args(args: &ClientArgs) -> Result<Self, UsageError> {
        let (host, port) =
            split_host_port(&args.server).ok_or_else(|| UsageError::Server(args.server.clone()))?;
        if args.proto == Proto::Udp && args.connection.is_some() {
            return Err(UsageError::ConnectionWithUdp);
        }
        if args.proto == Proto::Tcp && args.socket.is_some() {
            return Err(UsageError::SocketWithTcp);
        }
        if args.busy_poll > MAX_BUSY_POLL {
            let given = humantime::format_duration(args.busy_poll).to_string();
            return Err(UsageError::BusyPollTooLong(given));
        }
        let input = match (&args.message, args.size, args.stdin) {
            (_, _, true) => Input::Stdin,
            (_, Some(size), _) => {
                let min = payload::header_len(args.count.max(1));
                if size < min {
                    return Err(UsageError::SizeTooSmall { size, min });
                }
                Input::Repeat(Body::Size(size))
            }
            (message, None, false) => Input::Repeat(Body::Bytes(
                message
                    .as_deref()
                    .unwrap_or(DEFAULT_MESSAGE)
                    .as_bytes()
                    .to_vec(),
            )),
        };
        if let (Proto::Udp, Input::Repeat(body)) = (args.proto, &input) {
            let size = payload::request(args.count, body).len();
            if size > MAX_UDP_PAYLOAD {
                return Err(UsageError::TooBigForUdp { size });
            }
        }
        Ok(Self {
            proto: args.proto,
            server: args.server.clone(),
            host,
            port,
            count: args.count,
            interval: args.interval,
            timeout: *args.timeout,
            connect_timeout: *args.connect_timeout,
            dns_timeout: args.dns_timeout,
            warmup: args.warmup,
            input,
            connection: args.connection.unwrap_or(Connection::PerProbe),
            socket: args.socket.unwrap_or_default(),
            busy_poll: args.busy_poll,
        })
    }
}

/// `host:port`, `1.2.3.4:port` or `[v6]:port`; the port must not be 0.
fn split_host_port(s: &str) -> Option<(String, u16)> {
    let (host, port) = s.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']')?,
        None if host.contains(':') => return None,
        None => host,
    };
    (!host.is_empty()).then(|| (host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_forms() {
        assert_eq!(split_host_port("echo:12000"), Some(("echo".into(), 12000)));
        assert_eq!(
            split_host_port("127.0.0.1:1"),
            Some(("127.0.0.1".into(), 1))
        );
        assert_eq!(split_host_port("[::1]:80"), Some(("::1".into(), 80)));
        for bad in [
            "echo",
            "echo:",
            ":80",
            "echo:0",
            "echo:70000",
            "::1:80",
            "[::1:80",
        ] {
            assert_eq!(split_host_port(bad), None, "{bad}");
        }
    }
}
