//! The measuring client: sends probes one at a time, matches replies by the
//! sequence number in the payload, and reports each probe and a summary to a
//! [`Sink`] (human text or JSON lines).
//!
//! Every wait is bounded: name resolution by `--dns-timeout`, TCP connect by
//! `--connect-timeout`, each reply by `--timeout`, a kernel transmit stamp
//! by [`crate::kstamp::TX_WAIT`].
//!
//! Each probe has two round trips: `rtt_us` from the monotonic clock around
//! the system calls, and `wire_rtt_us` from the kernel's time stamps of the
//! packets ([`crate::kstamp`]); the second leaves out the system calls,
//! wake-ups and scheduling of the client.

mod config;
pub(crate) mod resolve;
mod tcp;
mod udp;

use std::io::{self, BufRead};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub use config::{Config, Input, UsageError};

use crate::clock::{self, Stamp};
use crate::outcome::Failure;
use crate::payload::{self, Body};
use crate::stats::{self, Strays};
use netlab_contract::{Outcome, ProbeRecord, Proto, Summary};

/// Where probe records and the summary go.
pub trait Sink {
    /// Called once before the first probe.
    fn start(&mut self, config: &Config) -> io::Result<()>;
    /// One reported probe; `reply` is the reply's bytes if one arrived.
    fn probe(&mut self, record: &ProbeRecord, reply: Option<&[u8]>) -> io::Result<()>;
    fn summary(&mut self, summary: &Summary) -> io::Result<()>;
}

/// `--json`: one [`netlab_contract::Line`] per line, flushed as it is written.
pub struct JsonSink<W: io::Write>(pub W);

impl<W: io::Write> Sink for JsonSink<W> {
    fn start(&mut self, _: &Config) -> io::Result<()> {
        Ok(())
    }
    fn probe(&mut self, record: &ProbeRecord, _: Option<&[u8]>) -> io::Result<()> {
        self.line(&netlab_contract::Line::Probe(record.clone()))
    }
    fn summary(&mut self, summary: &Summary) -> io::Result<()> {
        self.line(&netlab_contract::Line::Summary(summary.clone()))
    }
}

impl<W: io::Write> JsonSink<W> {
    fn line(&mut self, line: &netlab_contract::Line) -> io::Result<()> {
        serde_json::to_writer(&mut self.0, line)?;
        self.0.write_all(b"\n")?;
        self.0.flush()
    }
}

/// A run failed for a reason that is not a probe outcome.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot write the results to standard output: {0}")]
    Output(#[source] io::Error),
    #[error("cannot read probe lines from standard input (--stdin): {0}")]
    Stdin(#[source] io::Error),
}

/// What one probe came to, before it becomes a [`ProbeRecord`].
#[derive(Debug)]
pub(crate) struct Exchange {
    /// When the request (TCP: the connection request) was issued.
    pub start: Stamp,
    /// Until the outcome was known.
    pub elapsed: Duration,
    /// TCP: handshake time, if this probe opened a connection.
    pub connect: Option<Duration>,
    /// Request sent -> whole reply received.
    pub request: Option<Duration>,
    /// Kernel round trip of the request (µs), when both stamps came.
    pub wire: Option<f64>,
    pub reply: Option<Vec<u8>>,
    /// `None` means the probe succeeded.
    pub failure: Option<Failure>,
}

impl Exchange {
    pub fn failed(start: Stamp, failure: Failure) -> Self {
        Self {
            start,
            elapsed: start.mono.elapsed(),
            connect: None,
            request: None,
            wire: None,
            reply: None,
            failure: Some(failure),
        }
    }
}

/// One way of carrying probes (UDP or TCP).
pub(crate) trait Transport {
    fn probe(
        &mut self,
        addr: SocketAddr,
        seq: u64,
        request: &[u8],
        strays: &mut Strays,
    ) -> Exchange;
}

/// The failure of a reply that is not the uppercase of its request.
pub(crate) fn mismatch(request: &[u8], reply: &[u8]) -> Failure {
    Failure::new(
        Outcome::Mismatch,
        None,
        format!(
            "reply is not the uppercase of the request: expected {} bytes \"{}\", got {} bytes \"{}\"",
            request.len(),
            preview(&payload::expected_reply(request)),
            reply.len(),
            preview(reply)
        ),
    )
}

/// Up to 48 bytes, escaped so that any byte prints.
pub fn preview(bytes: &[u8]) -> String {
    let cut = bytes.len().min(48);
    let more = if bytes.len() > cut { "..." } else { "" };
    format!("{}{more}", bytes[..cut].escape_ascii())
}

/// Runs all probes of `config`, reporting to `sink`; returns the summary.
pub fn run(config: &Config, sink: &mut dyn Sink) -> Result<Summary, ClientError> {
    sink.start(config).map_err(ClientError::Output)?;
    // Before the first probe, for the whole run: stamps on every reply.
    let _stamping = crate::kstamp::KeepOn::new();
    let mut resolver = resolve::Resolver::new(&config.host, config.port, config.dns_timeout);
    let mut transport: Box<dyn Transport> = match config.proto {
        Proto::Udp => Box::new(udp::Udp::new(
            config.timeout,
            config.busy_poll,
            config.socket,
        )),
        Proto::Tcp => Box::new(tcp::Tcp::new(
            config.connection,
            config.connect_timeout,
            config.timeout,
            config.busy_poll,
        )),
    };
    let mut strays = Strays::default();
    let mut pace = Pacer::new(config.interval);

    let warmup_body = config.input.first_body();
    for _ in 0..config.warmup {
        pace.wait();
        if let Ok(addr) = resolver.resolve() {
            let request = payload::request(0, &warmup_body);
            transport.probe(addr, 0, &request, &mut Strays::default());
        }
    }

    let mut records = Vec::new();
    let mut bodies = config.input.bodies(config.count);
    let mut seq = 0;
    while let Some(body) = bodies.next().transpose().map_err(ClientError::Stdin)? {
        seq += 1;
        pace.wait();
        let request = payload::request(seq, &body);
        // A failed resolution is this probe's outcome, sent when it started.
        let start = Stamp::now();
        let exchange = match resolver.resolve() {
            Ok(addr) => transport.probe(addr, seq, &request, &mut strays),
            Err(failure) => Exchange::failed(start, failure),
        };
        let record = to_record(config.proto, seq, request.len(), &exchange);
        sink.probe(&record, exchange.reply.as_deref())
            .map_err(ClientError::Output)?;
        records.push(record);
    }
    let summary = stats::summarize(
        config.proto,
        config.socket,
        &config.server,
        &records,
        strays,
    );
    sink.summary(&summary).map_err(ClientError::Output)?;
    Ok(summary)
}

fn to_record(proto: Proto, seq: u64, bytes: usize, ex: &Exchange) -> ProbeRecord {
    let rtt = ex
        .reply
        .as_ref()
        .and(ex.request)
        .map(|request| ex.connect.unwrap_or_default() + request);
    ProbeRecord {
        seq,
        proto,
        outcome: ex.failure.as_ref().map_or(Outcome::Ok, |f| f.outcome),
        sent_at: clock::rfc3339(&ex.start.wall),
        received_at: rtt.map(|rtt| clock::rfc3339(&ex.start.wall_after(rtt))),
        rtt_us: rtt.map(clock::micros),
        connect_us: ex.connect.map(clock::micros),
        request_us: ex
            .request
            .filter(|_| proto == Proto::Tcp)
            .map(clock::micros),
        // Like rtt_us: only with a reply.
        wire_rtt_us: ex.reply.as_ref().and(ex.wire),
        // The handshake is not stamped by the kernel (docs/echo.md).
        wire_connect_us: None,
        elapsed_us: clock::micros(ex.elapsed),
        bytes,
        errno: ex.failure.as_ref().and_then(|f| f.errno),
        error: ex.failure.as_ref().map(|f| f.error.clone()),
    }
}

/// Starts probes on a fixed schedule (probe k at start + k * interval, as
/// ping does); a probe that overran its slot delays only the next one.
struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    fn new(interval: Duration) -> Self {
        Self {
            interval,
            next: None,
        }
    }

    fn wait(&mut self) {
        let now = Instant::now();
        let at = self.next.map_or(now, |next| next.max(now));
        std::thread::sleep(at - now);
        self.next = Some(at + self.interval);
    }
}

impl Input {
    fn first_body(&self) -> Body {
        match self {
            Input::Repeat(body) => body.clone(),
            Input::Stdin => Body::Bytes(b"warmup".to_vec()),
        }
    }

    fn bodies(&self, count: u64) -> Box<dyn Iterator<Item = io::Result<Body>>> {
        match self {
            Input::Repeat(body) => {
                let body = body.clone();
                Box::new((0..count).map(move |_| Ok(body.clone())))
            }
            Input::Stdin => Box::new(io::stdin().lock().split(b'\n').map(|line| {
                line.map(|mut l| {
                    if l.last() == Some(&b'\r') {
                        l.pop();
                    }
                    Body::Bytes(l)
                })
            })),
        }
    }
}
