//! Probes of one scenario: references, ranges, TCP-only keys, defaults.

use std::collections::HashSet;
use std::time::Duration;

use super::fault::Faults;
use super::host::Hosts;
use super::{Cx, INTERVAL, PROBE_TIMEOUT};
use crate::model::ProbeSpec;
use crate::resolved::{DEFAULT_PORT, Payload, Probe, Proto, SocketMode};
use crate::span::{At, Pos};
use netlab_contract::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};

pub const DEFAULT_COUNT: u32 = 10;
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(100);
pub const DEFAULT_MESSAGE: &str = "hello from netlab";
/// Largest UDP payload over IPv4.
const MAX_SIZE: i64 = 65507;
/// Keeps a typo (`count: 100000`) from turning into an hour-long run.
const MAX_COUNT: i64 = 10_000;
/// Clients of one probe set started at once.
const MAX_CLIENTS: i64 = 32;

pub(crate) fn probes(
    cx: &mut Cx,
    raw: &[At<ProbeSpec>],
    hosts: &Hosts,
    faults: &Faults,
) -> Vec<Probe> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in raw {
        cx.name(&p.value.id, "probe id");
        cx.unique(&mut seen, &p.value.id, "probe id");
        out.push(probe(cx, &p.value, hosts, faults));
    }
    out
}

fn probe(cx: &mut Cx, p: &ProbeSpec, hosts: &Hosts, faults: &Faults) -> Probe {
    let proto = p.proto.value;
    if hosts.check_ref(cx, &p.from, "from") && faults.is_absent(&p.from.value) {
        cx.err(
            p.from.pos,
            format!(
                "probe runs on `{}`, which is absent in this scenario",
                p.from.value
            ),
            "a host that is started in this scenario",
        );
    }
    let (to, port) = target(cx, &p.to);
    let to_at = At::new(to.clone(), p.to.pos);
    if hosts.check_ref(cx, &to_at, "to") && to == p.from.value {
        cx.err(
            p.to.pos,
            format!("probe from `{to}` to itself"),
            "a different host in `to` than in `from`",
        );
    }
    if proto == Proto::Udp {
        tcp_only(
            cx,
            p.connect_timeout.as_ref().map(|v| v.pos),
            "connect_timeout",
        );
        tcp_only(cx, p.connection.as_ref().map(|v| v.pos), "connection");
    } else if let Some(socket) = &p.socket {
        cx.err(
            socket.pos,
            "`socket` applies to UDP probes only (a TCP socket is always connected)",
            "no `socket` with `proto: tcp`",
        );
    }
    let payload = match (&p.message, &p.size) {
        (Some(_), Some(size)) => {
            cx.err(size.pos, "both `message` and `size`", "one of them");
            Payload::Size(cx.int(size, "size", 1, MAX_SIZE) as usize)
        }
        (None, Some(size)) => Payload::Size(cx.int(size, "size", 1, MAX_SIZE) as usize),
        (Some(m), None) => {
            if m.value.is_empty() {
                cx.err(m.pos, "empty `message`", "some text to send");
            }
            Payload::Message(m.value.clone())
        }
        (None, None) => Payload::Message(DEFAULT_MESSAGE.to_owned()),
    };
    let case = super::case::case(faults, &to, proto, port);
    Probe {
        id: p.id.value.clone(),
        from: p.from.value.clone(),
        to,
        port,
        proto,
        count: p
            .count
            .as_ref()
            .map_or(DEFAULT_COUNT, |c| cx.int(c, "count", 1, MAX_COUNT) as u32),
        interval: p
            .interval
            .as_ref()
            .map_or(DEFAULT_INTERVAL, |d| cx.duration(d, "interval", INTERVAL)),
        timeout: p.timeout.as_ref().map_or(DEFAULT_TIMEOUT, |d| {
            cx.duration(d, "timeout", PROBE_TIMEOUT)
        }),
        connect_timeout: p
            .connect_timeout
            .as_ref()
            .map_or(DEFAULT_CONNECT_TIMEOUT, |d| {
                cx.duration(d, "connect_timeout", PROBE_TIMEOUT)
            }),
        payload,
        warmup: p
            .warmup
            .as_ref()
            .map_or(0, |w| cx.int(w, "warmup", 0, MAX_COUNT) as u32),
        connection: p.connection.as_ref().map(|c| c.value).unwrap_or_default(),
        socket: match proto {
            Proto::Udp => p.socket.as_ref().map(|s| s.value).unwrap_or_default(),
            Proto::Tcp => SocketMode::Connected,
        },
        clients: p
            .clients
            .as_ref()
            .map_or(1, |c| cx.int(c, "clients", 1, MAX_CLIENTS) as u32),
        case,
    }
}

fn tcp_only(cx: &mut Cx, pos: Option<Pos>, key: &str) {
    if let Some(pos) = pos {
        cx.err(
            pos,
            format!("`{key}` applies to TCP probes only"),
            format!("no `{key}` with `proto: udp`"),
        );
    }
}

/// `HOST` or `HOST:PORT`.
fn target(cx: &mut Cx, to: &At<String>) -> (String, u16) {
    let Some((host, port)) = to.value.rsplit_once(':') else {
        return (to.value.clone(), DEFAULT_PORT);
    };
    match port.parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => (host.to_owned(), n as u16),
        Ok(n) => {
            cx.err(to.pos, format!("port {n} is out of range"), "1 to 65535");
            (host.to_owned(), DEFAULT_PORT)
        }
        Err(_) => {
            cx.err(
                to.pos,
                format!("`{}` is not a target", to.value),
                "`HOST` or `HOST:PORT`",
            );
            (host.to_owned(), DEFAULT_PORT)
        }
    }
}
