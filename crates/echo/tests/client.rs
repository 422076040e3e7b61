//! The client against real sockets on loopback: the JSON contract field by
//! field, human output, every outcome it can meet here, exit codes.

mod common;

use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::{Server, client, client_with_stdin, fake};
use netlab_contract::{Outcome, ProbeRecord, Proto, SocketMode};
use netlab_echo::payload;
use serde_json::Value;

fn at(s: &str) -> DateTime<Utc> {
    assert!(s.ends_with('Z'), "UTC stamp: {s}");
    let frac = s.rsplit_once('.').expect("fractional seconds").1;
    assert_eq!(frac.len(), 7, "six digits of microseconds then Z: {s}");
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// A port on loopback where nothing listens (for UDP or TCP).
fn closed_port() -> SocketAddr {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn outcomes(probes: &[ProbeRecord]) -> Vec<Outcome> {
    probes.iter().map(|p| p.outcome).collect()
}

const PROBE_KEYS: &[&str] = &[
    "type",
    "seq",
    "proto",
    "outcome",
    "sent_at",
    "received_at",
    "rtt_us",
    "connect_us",
    "request_us",
    "wire_rtt_us",
    "wire_connect_us",
    "elapsed_us",
    "bytes",
    "errno",
    "error",
];
const SUMMARY_KEYS: &[&str] = &[
    "type",
    "server",
    "proto",
    "sent",
    "received",
    "loss_pct",
    "outcomes",
    "duplicates",
    "late",
    "mismatched",
    "rtt",
    "connect",
    "request",
    "wire",
    "socket",
];
const STATS_KEYS: &[&str] = &[
    "count", "min_us", "avg_us", "max_us", "mdev_us", "p50_us", "p90_us", "p99_us",
];

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

fn check_stats(v: &Value, count: u64) {
    assert_eq!(keys(v), sorted(STATS_KEYS));
    let f = |k: &str| v[k].as_f64().unwrap();
    assert_eq!(v["count"].as_u64(), Some(count));
    assert!(f("min_us") > 0.0);
    assert!(
        f("min_us") <= f("avg_us") && f("avg_us") <= f("max_us"),
        "{v}"
    );
    for p in ["p50_us", "p90_us", "p99_us"] {
        // HDR histogram: 3 significant digits.
        assert!(
            f(p) >= f("min_us") * 0.999 && f(p) <= f("max_us") * 1.001,
            "{p} in {v}"
        );
    }
    assert!(f("p50_us") <= f("p90_us") && f("p90_us") <= f("p99_us"));
    assert!(f("mdev_us") >= 0.0);
}

#[test]
fn udp_json_lines_field_by_field() {
    let server = Server::start();
    let run = client(&[
        "--proto",
        "udp",
        "--server",
        &server.udp().to_string(),
        "-c",
        "3",
        "-i",
        "0.05",
        "--json",
    ]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let raw: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(raw.len(), 4, "3 probes and a summary: {}", run.stdout);
    for (i, v) in raw[..3].iter().enumerate() {
        assert_eq!(keys(v), sorted(PROBE_KEYS), "probe {i}");
        assert_eq!(v["type"], "probe");
        assert_eq!(v["proto"], "udp");
        assert_eq!(v["outcome"], "ok");
        assert_eq!(v["seq"].as_u64(), Some(i as u64 + 1));
        assert!(
            v["connect_us"].is_null() && v["request_us"].is_null(),
            "UDP has no connect/request split"
        );
        assert!(v["errno"].is_null() && v["error"].is_null());
        assert_eq!(
            v["bytes"].as_u64(),
            Some(format!("seq={} hello netlab", i + 1).len() as u64)
        );
    }
    let mut prev_sent: Option<DateTime<Utc>> = None;
    for p in run.probes() {
        let (sent, recv) = (at(&p.sent_at), at(p.received_at.as_deref().unwrap()));
        let rtt = p.rtt_us.unwrap();
        assert!(rtt > 0.0 && rtt < 1_000_000.0, "rtt {rtt}");
        let span = (recv - sent).num_microseconds().unwrap() as f64;
        assert!(
            (span - rtt).abs() <= 1.0,
            "received - sent = rtt (stamps in whole µs): {span} vs {rtt}"
        );
        assert!(p.elapsed_us >= rtt);
        if let Some(prev) = prev_sent {
            let gap = (sent - prev).num_milliseconds();
            assert!((45..1000).contains(&gap), "interval 50 ms, got {gap} ms");
        }
        prev_sent = Some(sent);
    }
    let s = &raw[3];
    assert_eq!(keys(s), sorted(SUMMARY_KEYS));
    assert_eq!(s["type"], "summary");
    assert_eq!(s["server"], server.udp().to_string());
    assert_eq!(
        (s["sent"].as_u64(), s["received"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(s["loss_pct"].as_f64(), Some(0.0));
    assert_eq!(s["outcomes"], serde_json::json!({"ok": 3}));
    assert_eq!(
        (
            s["duplicates"].as_u64(),
            s["late"].as_u64(),
            s["mismatched"].as_u64()
        ),
        (Some(0), Some(0), Some(0))
    );
    check_stats(&s["rtt"], 3);
    check_stats(&s["wire"], 3);
    assert!(s["connect"].is_null() && s["request"].is_null());
    assert_eq!(s["socket"], "connected");
}

#[test]
fn tcp_per_probe_reports_connect_request_and_total() {
    let server = Server::start();
    let run = client(&[
        "--proto",
        "tcp",
        "--server",
        &server.tcp().to_string(),
        "-c",
        "4",
        "-i",
        "0.02",
        "--json",
    ]);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let probes = run.probes();
    assert_eq!(outcomes(&probes), vec![Outcome::Ok; 4]);
    for p in &probes {
        assert_eq!(p.proto, Proto::Tcp);
        let (c, r, t) = (
            p.connect_us.unwrap(),
            p.request_us.unwrap(),
            p.rtt_us.unwrap(),
        );
        assert!(c > 0.0 && r > 0.0);
        assert!(
            (c + r - t).abs() < 0.01,
            "rtt = connect + request: {c} + {r} != {t}"
        );
        let span = (at(p.received_at.as_deref().unwrap()) - at(&p.sent_at))
            .num_microseconds()
            .unwrap() as f64;
        assert!(
            (span - t).abs() <= 1.0,
            "sent_at is the connection request, received_at the reply: {span} vs {t}"
        );
    }
    let s = run.summary();
    assert_eq!((s.sent, s.received, s.loss_pct), (4, 4, 0.0));
    let raw: Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
    for k in ["rtt", "connect", "request"] {
        check_stats(&raw[k], 4);
    }
}

#[test]
fn tcp_persistent_connects_once() {
    let server = Server::start();
    let args = [
        "--proto",
        "tcp",
        "--server",
        &server.tcp().to_string(),
        "-c",
        "4",
        "-i",
        "0.02",
    ];
    let run = client(&[&args[..], &["--connection", "persistent", "--json"]].concat());
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    let probes = run.probes();
    assert!(probes[0].connect_us.is_some());
    for p in &probes[1..] {
        assert_eq!(p.outcome, Outcome::Ok);
        assert_eq!(p.connect_us, None, "probe {} reuses the connection", p.seq);
        assert_eq!(p.rtt_us, p.request_us);
    }
    let s = run.summary();
    assert_eq!(s.connect.unwrap().count, 1);
    assert_eq!(s.request.unwrap().count, 4);
}

#[test]
fn tcp_persistent_reconnects_when_the_server_closes() {
    let addr = fake::tcp(true, payload::expected_reply);
    let run = client(&[
        "--proto",
        "tcp",
        "--server",
        &addr.to_string(),
        "-c",
        "3",
        "-i",
        "0.1",
        "--connection",
        "persistent",
        "--json",
    ]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    for p in run.probes() {
        assert_eq!(p.outcome, Outcome::Ok);
        assert!(p.connect_us.is_some(), "probe {} had to reconnect", p.seq);
    }
}

#[test]
fn human_output_has_stamps_rtts_and_statistics() {
    let server = Server::start();
    let udp = client(&[
        "--proto",
        "udp",
        "--server",
        &server.udp().to_string(),
        "-c",
        "2",
        "-i",
        "0.02",
    ]);
    assert_eq!(udp.code, 0);
    let lines: Vec<&str> = udp.stdout.lines().collect();
    assert!(lines[0].starts_with("NETLAB-ECHO udp "), "{}", udp.stdout);
    for (i, l) in lines[1..3].iter().enumerate() {
        assert!(l.starts_with(&format!("seq={} ", i + 1)), "{l}");
        assert!(
            l.contains(" sent 2") && l.contains(" received 2") && l.contains(" UTC"),
            "{l}"
        );
        assert!(
            l.contains(" rtt ") && l.ends_with("reply \"HELLO NETLAB\""),
            "{l}"
        );
        assert!(l.contains(" ok "), "{l}");
    }
    assert!(
        udp.stdout.contains("2 sent, 2 received, 0.0% loss"),
        "{}",
        udp.stdout
    );
    assert!(
        udp.stdout.contains("rtt min/avg/max/mdev = ") && udp.stdout.contains("p50/p90/p99 = ")
    );

    let tcp = client(&[
        "--proto",
        "tcp",
        "--server",
        &server.tcp().to_string(),
        "-c",
        "2",
        "-i",
        "0.02",
    ]);
    assert_eq!(tcp.code, 0);
    let probe = tcp.stdout.lines().nth(1).unwrap();
    assert!(
        probe.contains(" connect ") && probe.contains(" + request ") && probe.contains(" = "),
        "{probe}"
    );
    for label in [
        "rtt (connect + request) min/avg/max/mdev",
        "connect min/avg/max/mdev",
        "request min/avg/max/mdev",
    ] {
        assert!(tcp.stdout.contains(label), "{label} in {}", tcp.stdout);
    }
}

#[test]
fn closed_port_is_refused_for_udp_and_tcp() {
    let port = closed_port().to_string();
    for proto in ["udp", "tcp"] {
        let started = Instant::now();
        let run = client(&[
            "--proto", proto, "--server", &port, "-c", "3", "-i", "0.02", "-W", "2s", "--json",
        ]);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{proto}: refusal is seen, not waited out"
        );
        assert_eq!(run.code, 1);
        for p in run.probes() {
            assert_eq!(p.outcome, Outcome::Refused, "{proto}: {p:?}");
            assert_eq!(p.errno, Some(libc::ECONNREFUSED));
            assert!(p.error.as_deref().unwrap().contains("refused"), "{p:?}");
            assert!(p.received_at.is_none() && p.rtt_us.is_none());
            assert!(p.elapsed_us < 1_000_000.0);
        }
        if proto == "udp" {
            let e = run.probes()[0].error.clone().unwrap();
            assert!(e.contains("ICMP port unreachable from 127.0.0.1"), "{e}");
        }
        let s = run.summary();
        assert_eq!((s.sent, s.received, s.loss_pct), (3, 0, 100.0));
        assert_eq!(s.outcomes.get(&Outcome::Refused), Some(&3));
        assert!(s.rtt.is_none());
    }
}

#[test]
fn closed_udp_port_unconnected_socket_times_out_where_connected_is_refused() {
    let port = closed_port().to_string();
    let run_with = |socket: &str| {
        client(&[
            "--proto", "udp", "--server", &port, "-c", "2", "-i", "0", "-W", "0.3", "--socket",
            socket, "--json",
        ])
    };
    let connected = run_with("connected");
    assert_eq!(
        outcomes(&connected.probes()),
        [Outcome::Refused, Outcome::Refused]
    );
    assert_eq!(connected.summary().socket, SocketMode::Connected);

    // The handout's client: sendto/recvfrom, no connect(), no IP_RECVERR.
    // Linux reports the ICMP port unreachable to no unconnected socket.
    let unconnected = run_with("unconnected");
    assert_eq!(unconnected.code, 1);
    for p in unconnected.probes() {
        assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
        assert_eq!(p.errno, None);
        assert!(
            (300_000.0..2_000_000.0).contains(&p.elapsed_us),
            "the whole --timeout, bounded: {p:?}"
        );
    }
    let s = unconnected.summary();
    assert_eq!(s.socket, SocketMode::Unconnected);
    assert_eq!(s.outcomes.get(&Outcome::Timeout), Some(&2));
}

#[test]
fn unconnected_socket_ignores_replies_from_other_addresses() {
    // A fake "server" that answers from another socket (another port): a
    // connected socket never sees such a reply, an unconnected one ignores
    // it; both end in a bounded timeout.
    let listener = UdpSocket::bind("127.0.0.1:0").unwrap();
    let impostor = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let answer = std::thread::spawn(move || {
        listener
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 128];
        let (n, from) = listener.recv_from(&mut buf).unwrap();
        let reply = payload::expected_reply(&buf[..n]);
        impostor.send_to(&reply, from).unwrap();
    });
    let run = client(&[
        "--proto",
        "udp",
        "--server",
        &target,
        "-c",
        "1",
        "-W",
        "0.3",
        "--socket",
        "unconnected",
        "--json",
    ]);
    answer.join().unwrap();
    let p = &run.probes()[0];
    assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
    let s = run.summary();
    assert_eq!((s.mismatched, s.late, s.duplicates), (0, 0, 0));
}

#[test]
fn busy_poll_spins_within_the_timeout() {
    let server = Server::start();
    let run = client(&[
        "--proto",
        "udp",
        "--server",
        &server.udp().to_string(),
        "-c",
        "3",
        "-i",
        "0",
        "--busy-poll",
        "1ms",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Spinning longer than the timeout: the probe still ends at the timeout.
    let port = closed_port().to_string();
    let started = Instant::now();
    let run = client(&[
        "--proto",
        "udp",
        "--socket",
        "unconnected",
        "--server",
        &port,
        "-c",
        "1",
        "-W",
        "0.2",
        "--busy-poll",
        "1s",
        "--json",
    ]);
    assert!(started.elapsed() < Duration::from_secs(1), "bounded by -W");
    let p = &run.probes()[0];
    assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
    assert!((200_000.0..600_000.0).contains(&p.elapsed_us), "{p:?}");
}

#[test]
fn tcp_connect_that_gets_no_answer_times_out_within_the_connect_timeout() {
    // A listener whose accept queue is full and never accepted: Linux drops
    // further SYNs, so a connect gets no answer at all.
    let listener =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    listener
        .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
        .unwrap();
    listener.listen(0).unwrap();
    let addr = listener.local_addr().unwrap().as_socket().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(s) => fillers.push(s),
            Err(_) => break,
        }
    }
    assert!(fillers.len() < 8, "the accept queue never filled up");
    let started = Instant::now();
    let run = client(&[
        "--proto",
        "tcp",
        "--server",
        &addr.to_string(),
        "-c",
        "1",
        "--connect-timeout",
        "1s",
        "--json",
    ]);
    let took = started.elapsed();
    assert_eq!(run.code, 1);
    let p = &run.probes()[0];
    assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
    assert!(
        p.elapsed_us >= 1_000_000.0,
        "waited the connect timeout: {p:?}"
    );
    assert!(
        took < Duration::from_secs(3),
        "timeout arrived within connect-timeout + 2 s, took {took:?}"
    );
    assert!(p.error.as_deref().unwrap().contains("connect"), "{p:?}");
    assert!(p.connect_us.is_none() && p.rtt_us.is_none());
}

#[test]
fn wrong_replies_are_mismatches_never_successes() {
    // Echoes without uppercasing.
    let udp = fake::udp(|req| vec![req.to_vec()]);
    let tcp = fake::tcp(false, |req| req.to_vec());
    for (proto, addr) in [("udp", udp), ("tcp", tcp)] {
        let run = client(&[
            "--proto",
            proto,
            "--server",
            &addr.to_string(),
            "-c",
            "2",
            "-i",
            "0.02",
            "--json",
        ]);
        assert_eq!(run.code, 1, "{proto}");
        for p in run.probes() {
            assert_eq!(p.outcome, Outcome::Mismatch, "{proto}: {p:?}");
            assert!(
                p.error.as_deref().unwrap().contains("not the uppercase"),
                "{p:?}"
            );
            assert!(p.received_at.is_some(), "a reply did arrive");
        }
        let s = run.summary();
        assert_eq!((s.received, s.mismatched), (0, 2), "{proto}");
        assert!(s.rtt.is_none(), "mismatches are not in the RTT statistics");
    }
    // A reply with the right sequence number but a wrong body, over UDP.
    let udp = fake::udp(|req| vec![[&payload::expected_reply(req)[..], b"!"].concat()]);
    let run = client(&[
        "--proto",
        "udp",
        "--server",
        &udp.to_string(),
        "-c",
        "1",
        "--json",
    ]);
    assert_eq!(run.probes()[0].outcome, Outcome::Mismatch);
}

#[test]
fn late_duplicate_and_stray_replies_are_counted_not_matched() {
    // seq 1: answered after the probe timed out (late); seq 2: answered
    // twice (duplicate); seq 3: a reply for an unknown seq first (stray).
    let addr = fake::udp(|req| {
        let up = payload::expected_reply(req);
        match payload::parse_seq(req) {
            Some(1) => {
                std::thread::sleep(Duration::from_millis(500));
                vec![up]
            }
            Some(2) => vec![up.clone(), up],
            Some(3) => vec![b"SEQ=99 BOGUS".to_vec(), up],
            _ => vec![up],
        }
    });
    let run = client(&[
        "--proto",
        "udp",
        "--server",
        &addr.to_string(),
        "-c",
        "4",
        "-i",
        "0.4",
        "-W",
        "0.25",
        "--json",
    ]);
    assert_eq!(
        outcomes(&run.probes()),
        [Outcome::Timeout, Outcome::Ok, Outcome::Ok, Outcome::Ok]
    );
    let s = run.summary();
    assert_eq!((s.late, s.duplicates, s.mismatched), (1, 1, 1), "{s:?}");
    assert_eq!((s.sent, s.received, s.loss_pct), (4, 3, 25.0));
    assert_eq!(run.code, 1);
    let t = &run.probes()[0];
    assert_eq!((t.errno, t.received_at.as_ref()), (None, None));
    assert!(
        t.elapsed_us >= 250_000.0 && t.elapsed_us < 1_000_000.0,
        "{t:?}"
    );
}

#[test]
fn size_pads_with_lowercase_letters_and_stdin_sends_each_line() {
    let server = Server::start();
    for (proto, addr) in [("udp", server.udp()), ("tcp", server.tcp())] {
        let run = client(&[
            "--proto",
            proto,
            "--server",
            &addr.to_string(),
            "-c",
            "2",
            "-i",
            "0",
            "--size",
            "60000",
            "--json",
        ]);
        assert_eq!(run.code, 0, "{proto}: {}", run.stderr);
        assert!(run.probes().iter().all(|p| p.bytes == 60_000));
    }
    let run = client_with_stdin(
        &[
            "--proto",
            "udp",
            "--server",
            &server.udp().to_string(),
            "--stdin",
            "-i",
            "0",
        ],
        b"hello\nsecond line\r\n\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let replies: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("seq="))
        .collect();
    assert_eq!(replies.len(), 3, "{}", run.stdout);
    assert!(replies[0].ends_with("reply \"HELLO\""), "{}", replies[0]);
    assert!(
        replies[1].ends_with("reply \"SECOND LINE\""),
        "{}",
        replies[1]
    );
    assert!(replies[2].ends_with("reply \"\""), "{}", replies[2]);
}

#[test]
fn warmup_probes_are_not_reported() {
    let server = Server::start();
    let run = client(&[
        "--proto",
        "tcp",
        "--server",
        &server.tcp().to_string(),
        "-c",
        "2",
        "--warmup",
        "3",
        "-i",
        "0",
        "--json",
    ]);
    assert_eq!(run.code, 0);
    let seqs: Vec<u64> = run.probes().iter().map(|p| p.seq).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(run.summary().sent, 2);
}

#[test]
fn bad_arguments_exit_2_and_send_nothing() {
    let target = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let cases: &[&[&str]] = &[
        &["--proto", "udp", "--server", "127.0.0.1"],
        &["--proto", "udp", "--server", "127.0.0.1:0"],
        &["--proto", "sctp", "--server", &addr],
        &["--proto", "udp", "--server", &addr, "--count", "0"],
        &["--proto", "udp", "--server", &addr, "--size", "3"],
        &["--proto", "udp", "--server", &addr, "--size", "70000"],
        &[
            "--proto",
            "udp",
            "--server",
            &addr,
            "--connection",
            "persistent",
        ],
        &["--proto", "udp", "--server", &addr, "--interval", "soon"],
        &[
            "--proto",
            "tcp",
            "--server",
            &addr,
            "--socket",
            "unconnected",
        ],
        &["--proto", "tcp", "--server", &addr, "--socket", "connected"],
        &["--proto", "udp", "--server", &addr, "--socket", "bound"],
        &["--proto", "udp", "--server", &addr, "--busy-poll", "2s"],
        &[
            "--proto",
            "udp",
            "--server",
            &addr,
            "--message",
            "x",
            "--stdin",
        ],
        &["--proto", "udp"],
    ];
    for args in cases {
        let run = client(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.trim().is_empty(), "{args:?}: says why");
        assert!(run.stdout.is_empty(), "{args:?}: prints no results");
    }
    target
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 100];
    assert!(
        target.recv(&mut buf).is_err(),
        "a datagram was sent despite bad arguments"
    );
}
