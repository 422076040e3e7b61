//! Command line of `netlab-echo` (clap derive). Parsing only; the checks that
//! need more than one flag live in [`crate::client::Config::from_args`].

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use netlab_contract::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_PORT, DEFAULT_TIMEOUT, Proto, SocketMode};

use crate::server::DEFAULT_IDLE_TIMEOUT;
pub use crate::server::ServerProto;

// Flags whose default is a shared constant are `humantime::Duration`: clap
// shows a default through `Display`, which `std::time::Duration` lacks.

#[derive(Debug, Parser)]
#[command(
    name = "netlab-echo",
    version,
    about = "Uppercase echo server and RTT-measuring client of the socket-programming lab"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the uppercase echo over UDP and/or TCP until SIGINT/SIGTERM.
    Server(ServerArgs),
    /// Send probes to a server, measure RTTs and name every failure.
    Client(ClientArgs),
    /// Do nothing until SIGINT/SIGTERM, then exit 0 (keeps a scratch
    /// container alive for `docker exec netlab-echo client ...`).
    Idle,
    /// Resolve a name until it resolves (exit 0, the address on stdout) or
    /// `--within` has passed (exit 1): on a swarm's overlay a new host's
    /// name reaches the other nodes' DNS a moment after it starts.
    Resolve(ResolveArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ResolveArgs {
    /// The name to resolve.
    pub name: String,
    /// Give up after this long.
    #[arg(long, default_value = "10s", value_parser = parse_positive_human)]
    pub within: humantime::Duration,
}

#[derive(Debug, Clone, Args)]
pub struct ServerArgs {
    /// Which protocols to serve.
    #[arg(long, value_enum, default_value = "both")]
    pub proto: ServerProto,
    /// Address and port to listen on (UDP and TCP use the same port).
    #[arg(long, default_value_t = SocketAddr::from((Ipv4Addr::UNSPECIFIED, DEFAULT_PORT)))]
    pub bind: SocketAddr,
    /// TCP: close a connection on which nothing moves for this long (no
    /// bytes from the client, or replies it does not read).
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT.into(), value_parser = parse_positive_human)]
    pub idle_timeout: humantime::Duration,
    /// TCP: connections open at most; a new client is still served, by
    /// closing the connection idle the longest. Default: the open-file
    /// limit (raised to the hard limit at start) minus 32, at most 10000.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: Option<u64>,
    /// Print one JSON line per request on stdout (after the ready line):
    /// each UDP datagram and TCP read chunk with peer, receive time, size,
    /// request and reply (first 256 bytes) and the server's turnaround from
    /// kernel time stamps (dwell_us); TCP accepts and closes too.
    #[arg(long)]
    pub log_requests: bool,
}

/// TCP connection handling of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Connection {
    /// Connect, send, receive, close for every probe (the handout's client).
    PerProbe,
    /// One connection for all probes; reconnects when it breaks.
    Persistent,
}

#[derive(Debug, Clone, Args)]
pub struct ClientArgs {
    /// Transport protocol.
    #[arg(long, value_parser = parse_proto)]
    pub proto: Proto,
    /// Server as HOST:PORT (a name, an IPv4 address or [IPv6]).
    #[arg(long)]
    pub server: String,
    /// Number of probes (ignored with --stdin).
    #[arg(short = 'c', long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub count: u64,
    /// Time between the starts of two probes (e.g. 1s, 200ms, 0.5).
    #[arg(short = 'i', long, default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,
    /// How long to wait for each reply.
    #[arg(short = 'W', long, default_value_t = DEFAULT_TIMEOUT.into(), value_parser = parse_positive_human)]
    pub timeout: humantime::Duration,
    /// TCP: how long a connect may take before the probe is a timeout.
    #[arg(long, default_value_t = DEFAULT_CONNECT_TIMEOUT.into(), value_parser = parse_positive_human)]
    pub connect_timeout: humantime::Duration,
    /// How long resolving the server name may take.
    #[arg(long, default_value = "3s", value_parser = parse_positive_duration)]
    pub dns_timeout: Duration,
    /// Text to send after the sequence header (default "hello netlab").
    #[arg(long, conflicts_with_all = ["size", "stdin"])]
    pub message: Option<String>,
    /// Pad every request to exactly this many bytes with lowercase letters.
    #[arg(long, conflicts_with = "stdin")]
    pub size: Option<usize>,
    /// Probes sent first and not reported (they carry seq=0).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub warmup: u64,
    /// Send each line of standard input as one probe, until end of input.
    #[arg(long)]
    pub stdin: bool,
    /// TCP: a new connection per probe, or one persistent connection.
    #[arg(long, value_enum)]
    pub connection: Option<Connection>,
    /// UDP: `connected` (connect() and IP_RECVERR: ICMP errors name the
    /// failure) or `unconnected` (sendto/recvfrom, as the handout's Python
    /// client: a closed port is a timeout on Linux). Default: connected.
    #[arg(long, value_parser = parse_socket, value_name = "connected|unconnected")]
    pub socket: Option<SocketMode>,
    /// Spin on a non-blocking receive for this long after each request
    /// before blocking (e.g. 50us, 1ms; at most 1s and never longer than
    /// --timeout): replies that come within it skip the wake-up, so the
    /// application's RTT comes closer to the kernel's. Costs a full CPU
    /// core while it spins. Default 0 (off).
    #[arg(long, default_value = "0", value_parser = parse_duration)]
    pub busy_poll: Duration,
    /// Print only JSON lines (one per probe, then a summary) on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_proto(s: &str) -> Result<Proto, String> {
    match s.to_ascii_lowercase().as_str() {
        "udp" => Ok(Proto::Udp),
        "tcp" => Ok(Proto::Tcp),
        _ => Err(format!("`{s}` is not a protocol; use udp or tcp")),
    }
}

fn parse_socket(s: &str) -> Result<SocketMode, String> {
    match s.to_ascii_lowercase().as_str() {
        "connected" => Ok(SocketMode::Connected),
        "unconnected" => Ok(SocketMode::Unconnected),
        _ => Err(format!(
            "`{s}` is not a socket mode; use connected or unconnected"
        )),
    }
}

/// `1s`, `250ms`, `1m 5s` (humantime) or a bare number of seconds (`0.2`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if let Ok(secs) = s.trim().parse::<f64>() {
        return Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("`{s}` is not a duration in seconds (must be >= 0)"));
    }
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration ({e}); write e.g. 1s, 200ms or 0.5"))
}

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match parse_duration(s)? {
        d if d.is_zero() => Err(format!("`{s}` must be longer than zero")),
        d => Ok(d),
    }
}

fn parse_positive_human(s: &str) -> Result<humantime::Duration, String> {
    parse_positive_duration(s).map(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0.2"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_duration("150ms"), Ok(Duration::from_millis(150)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("-1").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_positive_duration("0").is_err());
    }

    #[test]
    fn defaults_are_the_shared_constants() {
        let cli = Cli::parse_from(["netlab-echo", "client", "--proto", "tcp", "--server", "s:1"]);
        let Command::Client(c) = cli.command else {
            panic!("a client")
        };
        assert_eq!(*c.timeout, DEFAULT_TIMEOUT);
        assert_eq!(*c.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        let Command::Server(s) = Cli::parse_from(["netlab-echo", "server"]).command else {
            panic!("a server")
        };
        assert_eq!(s.bind.port(), DEFAULT_PORT);
        assert_eq!(*s.idle_timeout, DEFAULT_IDLE_TIMEOUT);
        let help = Cli::command()
            .find_subcommand_mut("client")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            help.contains("[default: 1s]") && help.contains("[default: 3s]"),
            "{help}"
        );
    }
}
