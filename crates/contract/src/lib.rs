//! The JSON-lines contracts of `netlab-echo`: `netlab-echo client --json`
//! prints one `probe` object per probe, then one `summary` ([`Line`]);
//! `netlab-echo server --log-requests` prints what it received
//! ([`ServerLine`]). netlab parses these types back, so field names and
//! meanings are stable; see docs/echo.md. Also the defaults both sides of
//! the contract share (a lab's probe and the client's own flags).
//!
//! Plain data on serde alone, so whatever reads results compiles no
//! runtime; feature `schema` derives the JSON Schema of the types a lab file
//! names ([`Proto`], [`Outcome`], [`SocketMode`]).
//!
//! [`os_errors`] is a small table of the errors each operating system's
//! socket API shows in the lab's failure cases (cited, not measured).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub mod os_errors;
pub use os_errors::{Case, OS_ERRORS, OsError, OsErrorCase, OsErrorTable, Shown};

/// Port of `netlab-echo server` and of probes when none is given.
pub const DEFAULT_PORT: u16 = 12000;
/// How long a probe waits for its reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// TCP: how long `connect()` may take before the probe is a `timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Transport protocol of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Udp,
    Tcp,
}

impl Proto {
    /// `udp` or `tcp`, as on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Proto::Udp => "udp",
            Proto::Tcp => "tcp",
        }
    }
}

// Ordered from success to the kinds of failure. The `///` texts are what
// editors show for a lab file's `is:` (feature `schema`); `//` adds detail.
/// How a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// A correct reply arrived in time.
    // The reply is the uppercase of the request.
    Ok,
    /// Nothing arrived in time (firewall DROP, lost packets).
    // Before the probe's timeout, or the TCP connect timeout.
    Timeout,
    /// ECONNREFUSED: TCP RST, or ICMP port unreachable on a connected UDP socket.
    Refused,
    /// EHOSTUNREACH: ARP failed, no route, ICMP host unreachable.
    // ENETUNREACH too.
    Unreachable,
    /// An established TCP connection was reset.
    // ECONNRESET, or EPIPE on a send.
    Reset,
    /// The name did not resolve.
    Dns,
    /// A reply arrived but was not the uppercase of the request.
    Mismatch,
}

impl Outcome {
    /// The outcome's name, as in the JSON (`ok`, `refused`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Timeout => "timeout",
            Outcome::Refused => "refused",
            Outcome::Unreachable => "unreachable",
            Outcome::Reset => "reset",
            Outcome::Dns => "dns",
            Outcome::Mismatch => "mismatch",
        }
    }
}

/// One line of `--json` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    Probe(ProbeRecord),
    Summary(Summary),
}

/// One probe: a request sent and its reply (or the error that ended it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Sequence number, from 1; warm-up probes are not reported.
    pub seq: u64,
    pub proto: Proto,
    pub outcome: Outcome,
    /// Wall-clock time (UTC, RFC 3339 with microseconds) when the request was
    /// sent; for TCP, when the connection request (SYN) was issued.
    pub sent_at: String,
    /// Wall-clock time (UTC, RFC 3339 with microseconds) when the reply arrived.
    pub received_at: Option<String>,
    /// Round-trip time in microseconds, from the monotonic clock. For TCP this
    /// is connect + request (the handout's "from the connection request").
    pub rtt_us: Option<f64>,
    /// TCP only: time `connect()` took (the three-way handshake), µs.
    pub connect_us: Option<f64>,
    /// TCP only: request sent -> full reply received on the open connection, µs.
    pub request_us: Option<f64>,
    /// Round trip from the kernel's software time stamps (`SO_TIMESTAMPING`),
    /// µs: the request leaving the host (its transmit stamp) to the reply
    /// arriving (its receive stamp). TCP: the request's last byte sent to
    /// the reply's first byte received, comparable to `request_us` (the
    /// handshake has no stamps, see `wire_connect_us`). Null when the kernel
    /// gave no stamp, never filled in from the application's clock. Absent
    /// in output of older clients (reads as null).
    #[serde(default)]
    pub wire_rtt_us: Option<f64>,
    /// TCP: the handshake (SYN sent -> SYN-ACK received) from kernel stamps.
    /// Always null: the socket API stamps data, not the handshake.
    #[serde(default)]
    pub wire_connect_us: Option<f64>,
    /// Time from the start of the probe until its outcome was known, µs.
    pub elapsed_us: f64,
    /// Bytes of the request.
    pub bytes: usize,
    /// OS error number behind a failure (e.g. 111 for ECONNREFUSED).
    pub errno: Option<i32>,
    /// Human-readable description of the failure.
    pub error: Option<String>,
}

/// Ping-style statistics of one series of durations, in microseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub count: u64,
    pub min_us: f64,
    pub avg_us: f64,
    pub max_us: f64,
    /// Population standard deviation, as ping's mdev.
    pub mdev_us: f64,
    pub p50_us: f64,
    pub p90_us: f64,
    pub p99_us: f64,
}

/// The last line: totals over all probes of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub proto: Proto,
    /// The server as given on the command line (`HOST:PORT`).
    pub server: String,
    pub sent: u64,
    /// Probes that got a correct reply.
    pub received: u64,
    /// 100 * (sent - received) / sent.
    pub loss_pct: f64,
    /// How many probes ended with each outcome.
    pub outcomes: BTreeMap<Outcome, u64>,
    /// Replies that arrived for a probe already answered.
    pub duplicates: u64,
    /// Replies that arrived after their probe had timed out.
    pub late: u64,
    /// Replies that were not the uppercase of their request.
    pub mismatched: u64,
    /// RTT of the successful probes (TCP: connect + request).
    pub rtt: Option<Stats>,
    /// TCP only: handshake time of successful connects.
    pub connect: Option<Stats>,
    /// TCP only: request RTT on the open connection.
    pub request: Option<Stats>,
    /// `wire_rtt_us` of the successful probes that have one (its `count`
    /// says how many did), or null. Absent in older output.
    #[serde(default)]
    pub wire: Option<Stats>,
    /// UDP: the client's socket (`connected` for TCP, and in older output).
    #[serde(default)]
    pub socket: SocketMode,
}

/// How the UDP client uses its socket (`--socket`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SocketMode {
    /// `connect()` to the server and `IP_RECVERR`: ICMP errors (port
    /// unreachable, host unreachable) reach the client.
    #[default]
    Connected,
    /// `sendto`/`recvfrom` on an unconnected socket, as the handout's
    /// Python client does: Linux reports no ICMP error to it, so a closed
    /// port is a `timeout`.
    Unconnected,
}

impl SocketMode {
    /// `connected` or `unconnected`, as on the command line and in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            SocketMode::Connected => "connected",
            SocketMode::Unconnected => "unconnected",
        }
    }
}

/// One line of `netlab-echo server --log-requests` on stdout (after the
/// plain-text ready line): what the server really received and answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerLine {
    /// A UDP datagram or one TCP read chunk, and the reply sent for it.
    Request(RequestRecord),
    /// A TCP connection accepted.
    Open(OpenRecord),
    /// A TCP connection ended.
    Close(CloseRecord),
}

/// Payload bytes kept in `request` and `reply` of a [`RequestRecord`].
pub const EXCERPT_BYTES: usize = 256;

/// One request as the server received it. A TCP request is one read
/// chunk: the stream's bytes in the order they came, split where the
/// kernel happened to split them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub proto: Proto,
    /// TCP only: the connection (numbered from 1 per server), so the chunks
    /// of one connection can be grouped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<u64>,
    /// The client's address and port as the server saw them.
    pub peer: SocketAddr,
    /// Wall-clock receive time, UTC, RFC 3339 with microseconds.
    pub at: String,
    /// Full size of the datagram or chunk.
    pub bytes: usize,
    /// The first [`EXCERPT_BYTES`] bytes (at most) of the payload, as lossy
    /// UTF-8 (invalid bytes become U+FFFD).
    pub request: String,
    /// The same excerpt of the reply that was sent.
    pub reply: String,
    /// `request` and `reply` are cut (the payload is longer than
    /// [`EXCERPT_BYTES`]).
    pub truncated: bool,
    /// The server's turnaround from kernel software time stamps, µs: the
    /// request's receive stamp to its reply's transmit stamp (TCP: the
    /// chunk's last segment received to the reply's last byte sent). Null
    /// when a stamp is missing; absent in older logs.
    #[serde(default)]
    pub dwell_us: Option<f64>,
}

impl RequestRecord {
    /// `request` and `reply` are the payloads, whole or at least their
    /// first `EXCERPT_BYTES + 1` bytes (the byte after the cut shows whether
    /// a character is split); `bytes` is the full size.
    pub fn new(
        proto: Proto,
        conn: Option<u64>,
        peer: SocketAddr,
        at: String,
        bytes: usize,
        request: &[u8],
        reply: &[u8],
    ) -> Self {
        let (request, truncated) = excerpt(request, bytes);
        let (reply, _) = excerpt(reply, bytes);
        Self {
            proto,
            conn,
            peer,
            at,
            bytes,
            request,
            reply,
            truncated,
            dwell_us: None,
        }
    }
}

/// The first [`EXCERPT_BYTES`] of a payload of `total` bytes, as lossy
/// UTF-8, and whether it was cut. A cut never splits a UTF-8 character
/// (it moves back to the character's start), so a long valid text stays
/// valid text.
pub fn excerpt(bytes: &[u8], total: usize) -> (String, bool) {
    let have = bytes.len().min(total);
    if total <= EXCERPT_BYTES {
        return (String::from_utf8_lossy(&bytes[..have]).into_owned(), false);
    }
    let mut cut = EXCERPT_BYTES.min(have);
    // A continuation byte right after the cut: back up to its lead byte
    // (UTF-8 characters are at most 4 bytes).
    while cut > EXCERPT_BYTES - 3 && bytes.get(cut).is_some_and(|b| b & 0xC0 == 0x80) {
        cut -= 1;
    }
    if bytes.get(cut).is_some_and(|b| b & 0xC0 == 0x80) {
        cut = EXCERPT_BYTES.min(have); // not UTF-8 there anyway
    }
    (String::from_utf8_lossy(&bytes[..cut]).into_owned(), true)
}

/// A TCP connection the server accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenRecord {
    pub proto: Proto,
    pub conn: u64,
    pub peer: SocketAddr,
    /// Wall-clock accept time, UTC, RFC 3339 with microseconds.
    pub at: String,
}

/// Why the server's side of a TCP connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The client closed (or shut down its sending side); every reply was sent.
    Eof,
    /// Nothing from the client for `--idle-timeout`.
    Idle,
    /// The client did not read its replies for `--idle-timeout`.
    Stalled,
    /// Closed, being the connection idle the longest, to make room for a
    /// new one (`--max-connections` or out of descriptors).
    Evicted,
    /// A socket error, e.g. a reset.
    Error,
}

/// A TCP connection that ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloseRecord {
    pub proto: Proto,
    pub conn: u64,
    pub peer: SocketAddr,
    /// Wall-clock time the server closed it, UTC, RFC 3339 with microseconds.
    pub at: String,
    pub reason: CloseReason,
    /// Bytes received on the connection in all.
    pub bytes: u64,
    /// The socket error, for reason `error`.
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn udp_record() -> RequestRecord {
        RequestRecord::new(
            Proto::Udp,
            None,
            "172.18.0.3:40211".parse().unwrap(),
            "2026-12-03T09:12:03.123456Z".into(),
            13,
            b"hello netlab\n",
            b"HELLO NETLAB\n",
        )
    }

    #[test]
    fn request_line_has_the_documented_shape() {
        let line = ServerLine::Request(udp_record());
        let text = serde_json::to_string(&line).unwrap();
        assert_eq!(
            text,
            r#"{"type":"request","proto":"udp","peer":"172.18.0.3:40211","at":"2026-12-03T09:12:03.123456Z","bytes":13,"request":"hello netlab\n","reply":"HELLO NETLAB\n","truncated":false,"dwell_us":null}"#
        );
        assert_eq!(serde_json::from_str::<ServerLine>(&text).unwrap(), line);
    }

    #[test]
    fn tcp_lines_carry_the_connection_and_round_trip() {
        let peer: SocketAddr = "[::1]:5000".parse().unwrap();
        let at = "2026-12-03T09:12:03.123456Z".to_string();
        let lines = [
            ServerLine::Open(OpenRecord {
                proto: Proto::Tcp,
                conn: 7,
                peer,
                at: at.clone(),
            }),
            ServerLine::Request(RequestRecord::new(
                Proto::Tcp,
                Some(7),
                peer,
                at.clone(),
                2,
                b"hi",
                b"HI",
            )),
            ServerLine::Close(CloseRecord {
                proto: Proto::Tcp,
                conn: 7,
                peer,
                at,
                reason: CloseReason::Eof,
                bytes: 2,
                error: None,
            }),
        ];
        let values: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::to_value(l).unwrap())
            .collect();
        assert_eq!(values[0]["type"], "open");
        assert_eq!(values[1]["type"], "request");
        assert_eq!(values[1]["conn"], 7);
        assert_eq!(values[1]["peer"], "[::1]:5000");
        assert_eq!(
            values[2],
            json!({"type": "close", "proto": "tcp", "conn": 7, "peer": "[::1]:5000",
                   "at": "2026-12-03T09:12:03.123456Z", "reason": "eof", "bytes": 2, "error": null})
        );
        for (line, value) in lines.iter().zip(values) {
            assert_eq!(&serde_json::from_value::<ServerLine>(value).unwrap(), line);
        }
    }

    #[test]
    fn udp_request_has_no_conn_field() {
        let value = serde_json::to_value(ServerLine::Request(udp_record())).unwrap();
        let keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want = vec![
            "type",
            "proto",
            "peer",
            "at",
            "bytes",
            "request",
            "reply",
            "truncated",
            "dwell_us",
        ];
        want.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, want);
    }

    /// Output of netlab-echo before kernel time stamps and `--socket`:
    /// every new field is optional and reads as null / the default.
    #[test]
    fn json_of_older_clients_and_servers_still_loads() {
        let probe = r#"{"type":"probe","seq":1,"proto":"udp","outcome":"ok","sent_at":"2026-12-03T09:12:03.123456Z","received_at":"2026-12-03T09:12:03.123789Z","rtt_us":333.0,"connect_us":null,"request_us":null,"elapsed_us":334.5,"bytes":17,"errno":null,"error":null}"#;
        let Line::Probe(p) = serde_json::from_str::<Line>(probe).unwrap() else {
            panic!("a probe line")
        };
        assert_eq!(
            (p.rtt_us, p.wire_rtt_us, p.wire_connect_us),
            (Some(333.0), None, None)
        );
        let stats = r#"{"count":1,"min_us":333.0,"avg_us":333.0,"max_us":333.0,"mdev_us":0.0,"p50_us":333.0,"p90_us":333.0,"p99_us":333.0}"#;
        let summary = format!(
            r#"{{"type":"summary","proto":"udp","server":"server:12000","sent":1,"received":1,"loss_pct":0.0,"outcomes":{{"ok":1}},"duplicates":0,"late":0,"mismatched":0,"rtt":{stats},"connect":null,"request":null}}"#
        );
        let Line::Summary(s) = serde_json::from_str::<Line>(&summary).unwrap() else {
            panic!("a summary line")
        };
        assert_eq!(s.rtt.as_ref().map(|r| r.count), Some(1));
        assert_eq!((s.wire, s.socket), (None, SocketMode::Connected));
        let request = r#"{"type":"request","proto":"udp","peer":"172.18.0.3:40211","at":"2026-12-03T09:12:03.123456Z","bytes":13,"request":"hello netlab\n","reply":"HELLO NETLAB\n","truncated":false}"#;
        let ServerLine::Request(r) = serde_json::from_str::<ServerLine>(request).unwrap() else {
            panic!("a request line")
        };
        assert_eq!(r.dwell_us, None);
        assert_eq!(r, udp_record());
    }

    #[test]
    fn new_fields_round_trip() {
        let mut s: Summary = serde_json::from_value(json!({
            "proto": "udp", "server": "s:1", "sent": 0, "received": 0, "loss_pct": 0.0,
            "outcomes": {}, "duplicates": 0, "late": 0, "mismatched": 0,
            "rtt": null, "connect": null, "request": null, "wire": null, "socket": "unconnected"
        }))
        .unwrap();
        assert_eq!(s.socket, SocketMode::Unconnected);
        s.socket = SocketMode::Connected;
        let v = serde_json::to_value(Line::Summary(s.clone())).unwrap();
        assert_eq!(v["socket"], "connected");
        assert!(v["wire"].is_null(), "present, null: {v}");
        assert_eq!(serde_json::from_value::<Line>(v).unwrap(), Line::Summary(s));
        assert!(serde_json::from_value::<SocketMode>(json!("bound")).is_err());
        assert_eq!(SocketMode::Unconnected.name(), "unconnected");
    }

    #[test]
    fn excerpts_are_capped_and_never_split_a_character() {
        let short = excerpt(b"abc\xff", 4);
        assert_eq!(short, ("abc\u{fffd}".to_string(), false));
        let long = vec![b'a'; 1000];
        let (text, cut) = excerpt(&long, 1000);
        assert_eq!((text.len(), cut), (EXCERPT_BYTES, true));
        assert!(
            !excerpt(&long[..EXCERPT_BYTES], EXCERPT_BYTES).1,
            "exactly the cap"
        );
        // 255 ASCII bytes then a 3-byte character across the cap.
        let mut text = "a".repeat(EXCERPT_BYTES - 1);
        text.push_str("€€");
        let (got, cut) = excerpt(text.as_bytes(), text.len());
        assert!(cut);
        assert_eq!(
            got,
            "a".repeat(EXCERPT_BYTES - 1),
            "the split € is left out whole"
        );
        // Only a prefix passed in: the full size decides `truncated`.
        let (got, cut) = excerpt(&long[..EXCERPT_BYTES + 1], 70_000);
        assert_eq!((got.len(), cut), (EXCERPT_BYTES, true));
        let record = RequestRecord::new(
            Proto::Udp,
            None,
            "127.0.0.1:1".parse().unwrap(),
            String::new(),
            1000,
            &long,
            &long.to_ascii_uppercase(),
        );
        assert_eq!(record.bytes, 1000);
        assert_eq!(record.reply, "A".repeat(EXCERPT_BYTES));
        assert!(record.truncated);
    }
}
