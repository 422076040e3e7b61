//! Kernel time stamps on real sockets: the client's `wire_rtt_us` and the
//! server's `dwell_us`, over loopback and between two network namespaces
//! joined by a veth pair that each test creates (10.x addresses inside
//! them only) and removes on drop, even when the test fails. Needs root
//! and iproute2: without them the tests fail, they never skip.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{BIN, Run, Server, client, finish};
use netlab_contract::{Outcome, ProbeRecord, Proto, RequestRecord, ServerLine, SocketMode};

/// Two namespaces joined by a veth pair: `a` holds `.1`, `b` holds `.2`.
struct Pair {
    a: String,
    b: String,
    /// The /30's first three octets, e.g. `10.77.12`.
    net: String,
}

impl Pair {
    fn new() -> Self {
        // SAFETY: geteuid has no preconditions and cannot fail.
        assert!(
            unsafe { libc::geteuid() } == 0,
            "these tests create network namespaces and need root (run the suite as root)"
        );
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let n = N.fetch_add(1, Ordering::Relaxed);
        let tag = format!("{:x}{:x}{n}", std::process::id(), nanos);
        let (a, b) = (format!("netlab-t-{tag}-a"), format!("netlab-t-{tag}-b"));
        let net = format!(
            "10.{}.{}",
            64 + nanos % 128,
            (n * 4 + nanos / 128 % 60) % 250
        );
        run(Command::new("ip").args(["netns", "add", &a]));
        // From here on, Drop removes whatever was made.
        let pair = Self { a, b, net };
        run(Command::new("ip").args(["netns", "add", &pair.b]));
        run(Command::new("ip").args([
            "-n", &pair.a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
            "netns", &pair.b,
        ]));
        for (ns, dev, host) in [(&pair.a, "veth0", 1), (&pair.b, "veth1", 2)] {
            let addr = format!("{}.{host}/30", pair.net);
            run(Command::new("ip").args(["-n", ns, "addr", "add", &addr, "dev", dev]));
            run(Command::new("ip").args(["-n", ns, "link", "set", dev, "up"]));
            run(Command::new("ip").args(["-n", ns, "link", "set", "lo", "up"]));
        }
        pair
    }

    fn cmd(ns: &str, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns, program]);
        c
    }

    /// `netlab-echo server --log-requests` in `a` on its veth address.
    fn server(&self) -> Server {
        Server::start_cmd(Self::cmd(&self.a, BIN).args([
            "server",
            "--bind",
            &format!("{}.1:0", self.net),
            "--log-requests",
        ]))
    }

    /// `netlab-echo client ARGS --json` in `b`.
    fn client(&self, args: &[&str]) -> Run {
        finish(
            Self::cmd(&self.b, BIN)
                .arg("client")
                .args(args)
                .arg("--json")
                .output()
                .expect("run the client in the namespace"),
        )
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        // Deleting a namespace deletes its end of the veth, and so the pair.
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{cmd:?}: {e} (these tests need iproute2's `ip`; see scripts/deps)")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed (these tests need root): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every probe ok, with a kernel round trip no longer than the app's.
fn check_wire(what: &str, run: &Run, count: usize) -> Vec<ProbeRecord> {
    assert_eq!(run.code, 0, "{what}: {}\n{}", run.stdout, run.stderr);
    let probes = run.probes();
    assert_eq!(probes.len(), count, "{what}");
    for p in &probes {
        assert_eq!(p.outcome, Outcome::Ok, "{what}: {p:?}");
        let rtt = p.rtt_us.unwrap();
        let wire = p
            .wire_rtt_us
            .unwrap_or_else(|| panic!("{what}: no wire_rtt_us: {p:?}"));
        assert!(wire > 0.0 && wire <= rtt, "{what}: wire {wire} rtt {rtt}");
        assert_eq!(p.wire_connect_us, None, "the handshake has no stamps");
        if p.proto == Proto::Tcp {
            // The request's wire time, within the request's app time.
            assert!(wire <= p.request_us.unwrap(), "{what}: {p:?}");
        }
    }
    let s = run.summary();
    let w = s.wire.expect("the wire series in the summary");
    assert_eq!(w.count, count as u64, "{what}");
    assert!(w.min_us <= w.p50_us && w.p50_us <= w.p90_us && w.p90_us <= w.p99_us);
    assert!(w.p50_us <= s.rtt.unwrap().p50_us * 1.001, "{what}");
    probes
}

/// The server's request lines for the probes, in order, each with a
/// dwell within the client's kernel round trip of that probe.
fn check_dwell(what: &str, server: &Server, probes: &[ProbeRecord]) {
    let mut requests: Vec<RequestRecord> = Vec::new();
    while requests.len() < probes.len() {
        let line = server
            .stdout_line(Duration::from_secs(5))
            .unwrap_or_else(|| panic!("{what}: a request log line within 5 s"));
        if let ServerLine::Request(r) = serde_json::from_str(&line).unwrap() {
            requests.push(r);
        }
    }
    for (r, p) in requests.iter().zip(probes) {
        assert_eq!(r.request, format!("seq={} hello netlab", p.seq), "{what}");
        let dwell = r
            .dwell_us
            .unwrap_or_else(|| panic!("{what}: no dwell_us: {r:?}"));
        let wire = p.wire_rtt_us.unwrap();
        assert!(
            (0.0..=wire).contains(&dwell),
            "{what}: dwell {dwell} within wire {wire}"
        );
    }
}

const COUNT: usize = 10;

/// The probe runs every test makes against `target`.
fn runs(target: &str) -> Vec<(String, Vec<String>)> {
    let base = |proto: &str| -> Vec<String> {
        [
            "--proto", proto, "--server", target, "-c", "10", "-i", "0.01",
        ]
        .map(String::from)
        .to_vec()
    };
    let with = |proto: &str, more: &[&str]| {
        let mut v = base(proto);
        v.extend(more.iter().map(|s| s.to_string()));
        v
    };
    vec![
        ("udp connected".into(), base("udp")),
        (
            "udp unconnected".into(),
            with("udp", &["--socket", "unconnected"]),
        ),
        (
            "udp busy-poll".into(),
            with("udp", &["--busy-poll", "200us"]),
        ),
        ("tcp per-probe".into(), base("tcp")),
        (
            "tcp persistent".into(),
            with("tcp", &["--connection", "persistent"]),
        ),
        (
            "tcp busy-poll".into(),
            with(
                "tcp",
                &["--connection", "persistent", "--busy-poll", "200us"],
            ),
        ),
    ]
}

#[test]
fn between_two_namespaces_every_probe_has_a_wire_rtt_within_its_rtt() {
    let pair = Pair::new();
    let server = pair.server();
    let target = server.udp().to_string();
    for (what, args) in runs(&target) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = pair.client(&args);
        let probes = check_wire(&format!("veth {what}"), &run, COUNT);
        check_dwell(&format!("veth {what}"), &server, &probes);
        let socket = match what.as_str() {
            "udp unconnected" => SocketMode::Unconnected,
            _ => SocketMode::Connected,
        };
        assert_eq!(run.summary().socket, socket);
    }
}

#[test]
fn over_loopback_every_probe_has_a_wire_rtt_within_its_rtt() {
    let server = Server::start_with(&["--bind", "127.0.0.1:0", "--log-requests"]);
    let target = server.udp().to_string();
    for (what, args) in runs(&target) {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        args.push("--json");
        let run = client(&args);
        let probes = check_wire(&format!("loopback {what}"), &run, COUNT);
        check_dwell(&format!("loopback {what}"), &server, &probes);
    }
}

#[test]
fn over_ipv6_loopback_too() {
    let server = Server::start_with(&["--bind", "[::1]:0"]);
    let target = server.udp().to_string();
    for proto in ["udp", "tcp"] {
        let run = client(&[
            "--proto", proto, "--server", &target, "-c", "5", "-i", "0.01", "--json",
        ]);
        check_wire(&format!("::1 {proto}"), &run, 5);
    }
}

#[test]
fn a_request_spanning_segments_has_no_negative_wire_rtt() {
    // 200 kB: the server answers the first chunks while the rest is still
    // being sent, so "last request byte out -> first reply byte in" can be
    // negative; such a figure is null, never negative or made up.
    let server = Server::start();
    let run = client(&[
        "--proto",
        "tcp",
        "--connection",
        "persistent",
        "--server",
        &server.tcp().to_string(),
        "-c",
        "5",
        "-i",
        "0.01",
        "--size",
        "200000",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for p in run.probes() {
        if let Some(wire) = p.wire_rtt_us {
            assert!(wire >= 0.0 && wire <= p.request_us.unwrap(), "{p:?}");
        }
    }
}
