//! Default terminal output of the client: one line per probe with wall-clock
//! send/receive stamps and RTTs, then ping-style statistics.

use std::io::{self, Write};

use crate::client::{Config, Input, Sink, preview};
use crate::payload::{self, Body};
use netlab_contract::{Outcome, ProbeRecord, Proto, SocketMode, Stats, Summary};

pub struct HumanSink<W: Write> {
    out: W,
    /// Show the reply text (the user sent a message, not padding).
    show_reply: bool,
}

impl<W: Write> HumanSink<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            show_reply: true,
        }
    }
}

/// A time stamp from the record (RFC 3339) in the human form.
fn stamp(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| crate::clock::human(&t.to_utc()))
        .unwrap_or_else(|_| rfc3339.to_string())
}

fn us(v: f64) -> String {
    format!("{v:.1} µs")
}

impl<W: Write> Sink for HumanSink<W> {
    fn start(&mut self, c: &Config) -> io::Result<()> {
        self.show_reply = !matches!(c.input, Input::Repeat(Body::Size(_)));
        let what = match &c.input {
            Input::Stdin => "one probe per line of standard input".to_string(),
            _ => format!("{} probes", c.count),
        };
        let conn = match (c.proto, c.connection) {
            (Proto::Tcp, crate::cli::Connection::Persistent) => ", persistent connection",
            (Proto::Tcp, crate::cli::Connection::PerProbe) => ", new connection per probe",
            (_, _) if c.socket == SocketMode::Unconnected => ", unconnected socket",
            _ => "",
        };
        let spin = match c.busy_poll.is_zero() {
            true => String::new(),
            false => format!(", busy-poll {}", humantime::format_duration(c.busy_poll)),
        };
        writeln!(
            self.out,
            "NETLAB-ECHO {} {}: {what}, interval {}, timeout {}{conn}{spin}",
            c.proto.name(),
            c.server,
            humantime::format_duration(c.interval),
            humantime::format_duration(c.timeout)
        )?;
        self.out.flush()
    }

    fn probe(&mut self, r: &ProbeRecord, reply: Option<&[u8]>) -> io::Result<()> {
        let mut line = format!(
            "seq={} {} bytes  sent {}",
            r.seq,
            r.bytes,
            stamp(&r.sent_at)
        );
        if let Some(at) = &r.received_at {
            line += &format!("  received {}", stamp(at));
        }
        match (r.connect_us, r.request_us, r.rtt_us) {
            (Some(c), Some(q), Some(t)) => {
                line += &format!("  connect {} + request {} = {}", us(c), us(q), us(t))
            }
            (None, Some(q), Some(_)) if r.proto == Proto::Tcp => {
                line += &format!("  request {} (kept connection)", us(q))
            }
            (_, _, Some(t)) => line += &format!("  rtt {}", us(t)),
            _ => {}
        }
        if r.rtt_us.is_some() {
            let label = match r.proto {
                Proto::Tcp => "wire (request)",
                Proto::Udp => "wire",
            };
            let wire = r.wire_rtt_us.map_or_else(|| "not available".into(), us);
            line += &format!("  {label} {wire}");
        }
        match r.outcome {
            Outcome::Ok => line += "  ok",
            o => {
                line += &format!("  {} after {}", o.name(), us(r.elapsed_us));
                if let Some(e) = &r.error {
                    line += &format!(" ({e})");
                }
            }
        }
        if let (true, Some(reply), Outcome::Ok) = (self.show_reply, reply, r.outcome) {
            line += &format!("  reply \"{}\"", preview(payload::body_of(reply)));
        }
        writeln!(self.out, "{line}")?;
        self.out.flush()
    }

    fn summary(&mut self, s: &Summary) -> io::Result<()> {
        writeln!(
            self.out,
            "--- {} {} statistics ---",
            s.server,
            s.proto.name()
        )?;
        let outcomes: Vec<String> = s
            .outcomes
            .iter()
            .map(|(o, n)| format!("{} {n}", o.name()))
            .collect();
        writeln!(
            self.out,
            "{} sent, {} received, {:.1}% loss; outcomes: {}; duplicates {}, late {}, mismatched {}",
            s.sent,
            s.received,
            s.loss_pct,
            if outcomes.is_empty() {
                "none".into()
            } else {
                outcomes.join(", ")
            },
            s.duplicates,
            s.late,
            s.mismatched
        )?;
        let rtt_label = if s.proto == Proto::Tcp {
            "rtt (connect + request)"
        } else {
            "rtt"
        };
        let wire_label = match s.proto {
            Proto::Tcp => "wire (request, kernel stamps)",
            Proto::Udp => "wire (kernel stamps)",
        };
        for (label, stats) in [
            (rtt_label, &s.rtt),
            ("connect", &s.connect),
            ("request", &s.request),
            (wire_label, &s.wire),
        ] {
            if let Some(st) = stats {
                writeln!(self.out, "{}", stats_line(label, st))?;
            }
        }
        let stamped = s.wire.as_ref().map_or(0, |w| w.count);
        if s.received > 0 && stamped < s.received {
            writeln!(
                self.out,
                "{wire_label}: not available for {} of {} replies (no usable kernel time stamps)",
                s.received - stamped,
                s.received
            )?;
        }
        if s.proto == Proto::Tcp && s.connect.is_some() {
            writeln!(
                self.out,
                "wire connect: not available (the kernel does not time-stamp the handshake for the socket)"
            )?;
        }
        self.out.flush()
    }
}

fn stats_line(label: &str, s: &Stats) -> String {
    format!(
        "{label} min/avg/max/mdev = {:.1}/{:.1}/{:.1}/{:.1} µs, p50/p90/p99 = {:.1}/{:.1}/{:.1} µs",
        s.min_us, s.avg_us, s.max_us, s.mdev_us, s.p50_us, s.p90_us, s.p99_us
    )
}
