//! `netlab-echo server --log-requests`: what the server received, as JSON
//! lines on stdout after the ready line, checked against real clients on
//! loopback (our own sockets and the real `netlab-echo client`).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{BIN, Server, client};
use netlab_contract::{CloseReason, EXCERPT_BYTES, OpenRecord, Proto, RequestRecord, ServerLine};

const WAIT: Duration = Duration::from_secs(5);

fn logging_server(proto: &str) -> Server {
    Server::start_with(&["--proto", proto, "--bind", "127.0.0.1:0", "--log-requests"])
}

/// The next log line; every line must parse as the contract.
fn next_line(server: &Server) -> ServerLine {
    let line = server
        .stdout_line(WAIT)
        .expect("a request log line within 5 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not a ServerLine ({e}): {line}"))
}

fn next_request(server: &Server) -> RequestRecord {
    match next_line(server) {
        ServerLine::Request(r) => r,
        other => panic!("expected a request line, got {other:?}"),
    }
}

fn stamp(s: &str) -> DateTime<Utc> {
    let frac = s.rsplit_once('.').expect("fractional seconds").1;
    assert_eq!(frac.len(), 7, "six digits of microseconds then Z: {s}");
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn a_udp_request_is_logged_with_its_peer_time_and_reply() {
    let server = logging_server("udp");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    let before = Utc::now();
    sock.send_to(b"hello netlab\n", server.udp()).unwrap();
    let mut buf = [0u8; 64];
    let n = sock.recv(&mut buf).unwrap();
    let after = Utc::now();
    assert_eq!(&buf[..n], b"HELLO NETLAB\n");
    let r = next_request(&server);
    assert_eq!(
        r,
        RequestRecord {
            proto: Proto::Udp,
            conn: None,
            peer: sock.local_addr().unwrap(),
            at: r.at.clone(),
            bytes: 13,
            request: "hello netlab\n".into(),
            reply: "HELLO NETLAB\n".into(),
            truncated: false,
            dwell_us: r.dwell_us,
        }
    );
    let at = stamp(&r.at);
    assert!(
        before <= at && at <= after,
        "{at} not within {before}..{after}"
    );
    // The server's turnaround from kernel stamps lies within our round trip.
    let span = (after - before).num_microseconds().unwrap() as f64;
    let dwell = r.dwell_us.expect("dwell_us from kernel stamps on loopback");
    assert!(
        (0.0..=span).contains(&dwell),
        "dwell {dwell} µs, round trip {span} µs"
    );

    // A datagram larger than the excerpt: full size, cut text.
    let big: Vec<u8> = (0..60_000).map(|i| b'a' + (i % 26) as u8).collect();
    sock.send_to(&big, server.udp()).unwrap();
    let mut reply = vec![0u8; 65_536];
    assert_eq!(sock.recv(&mut reply).unwrap(), 60_000);
    let r = next_request(&server);
    assert_eq!((r.bytes, r.truncated), (60_000, true));
    assert_eq!(r.request.as_bytes(), &big[..EXCERPT_BYTES]);
    assert_eq!(r.reply, r.request.to_uppercase());
    // And an empty one.
    sock.send_to(b"", server.udp()).unwrap();
    assert_eq!(sock.recv(&mut reply).unwrap(), 0);
    let r = next_request(&server);
    assert_eq!((r.bytes, r.request.as_str(), r.truncated), (0, "", false));
}

#[test]
fn tcp_chunks_are_logged_per_connection_between_open_and_close() {
    let server = logging_server("tcp");
    let mut s = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let me = s.local_addr().unwrap();
    let ServerLine::Open(OpenRecord { conn, peer, .. }) = next_line(&server) else {
        panic!("first line of a connection is `open`")
    };
    assert_eq!(peer, me);
    let mut reply = [0u8; 5];
    for (msg, want) in [(b"abc\xff\n", "ABC\u{fffd}\n"), (b"xyz!\n", "XYZ!\n")] {
        s.write_all(msg).unwrap();
        s.read_exact(&mut reply).unwrap();
        let r = next_request(&server);
        assert_eq!(
            (r.proto, r.conn, r.peer, r.bytes),
            (Proto::Tcp, Some(conn), me, 5)
        );
        assert_eq!(r.reply, want);
        stamp(&r.at);
        let dwell = r.dwell_us.expect("dwell_us from kernel stamps on loopback");
        assert!((0.0..1_000_000.0).contains(&dwell), "{dwell}");
    }
    drop(s);
    match next_line(&server) {
        ServerLine::Close(c) => {
            assert_eq!(
                (c.conn, c.peer, c.reason, c.bytes),
                (conn, me, CloseReason::Eof, 10)
            );
            assert_eq!(c.error, None);
        }
        other => panic!("expected close, got {other:?}"),
    }
    // A second connection gets the next number.
    let _s2 = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    let ServerLine::Open(o) = next_line(&server) else {
        panic!("open")
    };
    assert_eq!(o.conn, conn + 1);
}

#[test]
fn the_netlab_echo_clients_probes_show_up_in_the_log() {
    let server = logging_server("both");
    for proto in ["udp", "tcp"] {
        let run = client(&[
            "--proto",
            proto,
            "--server",
            &server.udp().to_string(),
            "-c",
            "2",
            "-i",
            "0.05",
            "--json",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let mut requests = Vec::new();
        while requests.len() < 2 {
            if let ServerLine::Request(r) = next_line(&server) {
                requests.push(r);
            }
        }
        for ((seq, r), p) in (1..).zip(&requests).zip(run.probes()) {
            assert_eq!(r.proto.name(), proto);
            assert_eq!(r.request, format!("seq={seq} hello netlab"));
            assert_eq!(r.reply, format!("SEQ={seq} HELLO NETLAB"));
            assert!(r.peer.ip().is_loopback());
            // One clock for both ends: the server's turnaround lies within
            // the client's kernel round trip, which lies within its own.
            let (dwell, wire, rtt) = (
                r.dwell_us.unwrap(),
                p.wire_rtt_us.unwrap(),
                p.rtt_us.unwrap(),
            );
            assert!(
                0.0 <= dwell && dwell <= wire && wire <= rtt,
                "{proto}: dwell {dwell} <= wire {wire} <= rtt {rtt}"
            );
        }
        if proto == "tcp" {
            // Per-probe connections: each probe on a connection of its own.
            assert_ne!(requests[0].conn, requests[1].conn);
        }
    }
}

#[test]
fn without_the_flag_nothing_but_the_ready_line_is_printed() {
    let server = Server::start();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    sock.send_to(b"quiet", server.udp()).unwrap();
    sock.recv(&mut [0u8; 8]).unwrap();
    assert_eq!(server.stdout_line(Duration::from_millis(300)), None);
}

#[test]
fn a_closed_stdout_stops_the_log_not_the_server() {
    let mut child = Command::new(BIN)
        .args([
            "server",
            "--proto",
            "udp",
            "--bind",
            "127.0.0.1:0",
            "--log-requests",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap(); // the reader, and with it the pipe, is dropped here
    let addr = line.trim().rsplit_once("udp ").unwrap().1.to_string();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    for _ in 0..3 {
        sock.send_to(b"anyone?", &addr).unwrap();
        let mut buf = [0u8; 8];
        let n = sock.recv(&mut buf).expect("served with stdout closed");
        assert_eq!(&buf[..n], b"ANYONE?");
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(
        err.matches("request logging stops").count(),
        1,
        "said once: {err}"
    );
}
