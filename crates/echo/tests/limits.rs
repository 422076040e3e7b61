//! The TCP server at its limits, real sockets on loopback: more clients than
//! it may hold (by its connection cap or by a low open-file limit that it
//! cannot raise), idle connections, and the memory idle connections cost.
//! Every loop is bounded in count and time.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{BIN, Server, limit_nofile, raise_nofile};

/// Idle connections held against the server.
const HOLD: usize = 2_000;

/// Opens up to `n` TCP connections that never send, spending at most
/// `budget`; a connect the server's full queue leaves hanging gives up
/// after 300 ms. Returns the connections that opened.
fn hold_idle(addr: SocketAddr, n: usize, budget: Duration) -> Vec<TcpStream> {
    let have = raise_nofile(n as u64 + 200);
    assert!(
        have >= n as u64 + 100,
        "this test needs {} descriptors, the hard limit allows {have}",
        n + 100
    );
    let start = Instant::now();
    let mut held = Vec::with_capacity(n);
    while held.len() < n && start.elapsed() < budget {
        if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            held.push(s);
        }
    }
    eprintln!(
        "opened {} of {n} idle connections in {:?}",
        held.len(),
        start.elapsed()
    );
    held
}

/// A well-behaved client: connect, send, whole reply. Everything must
/// happen within `limit`.
fn served_within(addr: SocketAddr, limit: Duration) -> Result<Duration, String> {
    let start = Instant::now();
    let mut s = TcpStream::connect_timeout(&addr, limit).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(
        limit
            .saturating_sub(start.elapsed())
            .max(Duration::from_millis(1)),
    ))
    .unwrap();
    s.write_all(b"hello netlab\n")
        .map_err(|e| format!("send: {e}"))?;
    let mut reply = [0u8; 13];
    s.read_exact(&mut reply)
        .map_err(|e| format!("reply: {e}"))?;
    assert_eq!(&reply, b"HELLO NETLAB\n");
    let took = start.elapsed();
    match took <= limit {
        true => Ok(took),
        false => Err(format!("served after {took:?}")),
    }
}

/// Asserts a handful of stderr lines about descriptors, the limit or
/// connections closed for room: the start-up lines and the first event,
/// then at most one a second (the old server printed about 45 a second).
fn assert_few_limit_lines(server: &Server, started: Instant) {
    let words = [
        "open files",
        "descriptor",
        "limit",
        "max-connections",
        "idle the longest",
    ];
    let lines: Vec<String> = server
        .stderr_lines()
        .into_iter()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            words.iter().any(|w| l.contains(w))
        })
        .collect();
    let allowed = 3 + started.elapsed().as_secs_f64().ceil() as usize;
    assert!(
        lines.len() <= allowed,
        "{} stderr lines about the limit in {:?} (at most {allowed}): {lines:#?}",
        lines.len(),
        started.elapsed()
    );
}

fn low_limit_server(nofile: u64, extra: &[&str]) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["server", "--proto", "tcp", "--bind", "127.0.0.1:0"])
        .args(extra);
    Server::start_cmd_captured(limit_nofile(&mut cmd, nofile))
}

#[test]
fn a_new_client_is_served_when_idle_connections_exhaust_the_descriptors() {
    // Soft and hard limit 256: raising the limit cannot help, so the server
    // must make room (default --max-connections from the limit).
    let started = Instant::now();
    let mut server = low_limit_server(256, &[]);
    let held = hold_idle(server.tcp(), HOLD, Duration::from_secs(8));
    let took = served_within(server.tcp(), Duration::from_secs(2))
        .unwrap_or_else(|e| panic!("a well-behaved client was not served: {e}"));
    eprintln!("served in {took:?} with {} connections held", held.len());
    // Long enough for a flood at the old 20 ms pause to show.
    std::thread::sleep(Duration::from_secs(1));
    assert!(server.alive());
    assert_few_limit_lines(&server, started);
    assert!(
        held.len() == HOLD,
        "the server must keep accepting: only {} of {HOLD} connects succeeded",
        held.len()
    );
}

#[test]
fn a_cap_above_the_descriptor_limit_still_serves_and_does_not_flood_the_log() {
    // The cap is set far above what 256 descriptors allow: accept meets
    // EMFILE, which must neither lock new clients out nor flood stderr.
    let started = Instant::now();
    let mut server = low_limit_server(256, &["--max-connections", "5000"]);
    let held = hold_idle(server.tcp(), HOLD, Duration::from_secs(8));
    let took = served_within(server.tcp(), Duration::from_secs(2))
        .unwrap_or_else(|e| panic!("a well-behaved client was not served: {e}"));
    eprintln!("served in {took:?} with {} connections held", held.len());
    std::thread::sleep(Duration::from_secs(1));
    assert!(server.alive());
    assert_few_limit_lines(&server, started);
}

#[test]
fn an_explicit_cap_closes_the_connection_idle_the_longest() {
    let server = Server::start_cmd_captured(Command::new(BIN).args([
        "server",
        "--proto",
        "tcp",
        "--bind",
        "127.0.0.1:0",
        "--max-connections",
        "3",
    ]));
    let wait = Some(Duration::from_secs(5));
    let mut oldest = TcpStream::connect(server.tcp()).unwrap();
    oldest.set_read_timeout(wait).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut active = TcpStream::connect(server.tcp()).unwrap();
    active.set_read_timeout(wait).unwrap();
    let _third = TcpStream::connect(server.tcp()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // `active` talks, so `oldest` is the one idle the longest.
    active.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    active.read_exact(&mut buf).unwrap();
    // A fourth client is served, and `oldest` is closed to make room.
    served_within(server.tcp(), Duration::from_secs(2)).unwrap();
    assert_eq!(
        oldest.read(&mut buf).expect("EOF, not an error"),
        0,
        "the connection idle the longest is closed"
    );
    active.write_all(b"pong").unwrap();
    active.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"PONG", "the active connection is kept");
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let server = Server::start_cmd_captured(Command::new(BIN).args([
        "server",
        "--proto",
        "tcp",
        "--bind",
        "127.0.0.1:0",
        "--idle-timeout",
        "500ms",
    ]));
    let start = Instant::now();
    let mut idle = TcpStream::connect(server.tcp()).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // A client that talks every 200 ms is never idle for 500 ms.
    let mut busy = TcpStream::connect(server.tcp()).unwrap();
    busy.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let busy_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 3];
        for _ in 0..6 {
            busy.write_all(b"abc").unwrap();
            busy.read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"ABC");
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let mut buf = [0u8; 1];
    let n = idle
        .read(&mut buf)
        .expect("EOF from the server, not a timeout");
    let after = start.elapsed();
    assert_eq!(n, 0, "the server closes the idle connection");
    assert!(
        after >= Duration::from_millis(450) && after < Duration::from_secs(3),
        "closed after {after:?}, want about 500 ms"
    );
    busy_thread
        .join()
        .expect("the busy connection is served throughout");
    std::thread::sleep(Duration::from_millis(200));
    let closes: Vec<_> = server
        .stderr_lines()
        .into_iter()
        .filter(|l| l.contains("idle"))
        .collect();
    assert_eq!(closes.len(), 1, "logged once: {closes:#?}");
}

#[test]
fn two_thousand_idle_connections_cost_little_memory() {
    let server = Server::start_cmd_captured(Command::new(BIN).args([
        "server",
        "--proto",
        "tcp",
        "--bind",
        "127.0.0.1:0",
    ]));
    served_within(server.tcp(), Duration::from_secs(2)).unwrap();
    let before = server.status_kib("VmRSS");
    let held = hold_idle(server.tcp(), HOLD, Duration::from_secs(10));
    assert_eq!(held.len(), HOLD);
    // Accepts are in order: once a new client is served, all are accepted.
    served_within(server.tcp(), Duration::from_secs(2)).unwrap();
    let after = server.status_kib("VmRSS");
    let peak = server.status_kib("VmHWM");
    let per_conn = (after.saturating_sub(before)) as f64 * 1024.0 / HOLD as f64;
    eprintln!(
        "server VmRSS {before} KiB before, {after} KiB with {HOLD} idle connections \
         ({per_conn:.0} bytes each), VmHWM {peak} KiB"
    );
    assert!(
        per_conn < 4096.0,
        "{per_conn:.0} bytes per idle connection (VmRSS {before} -> {after} KiB)"
    );
}

#[test]
fn a_client_that_never_reads_its_replies_is_closed_after_the_idle_timeout() {
    let server = Server::start_cmd_captured(Command::new(BIN).args([
        "server",
        "--proto",
        "tcp",
        "--bind",
        "127.0.0.1:0",
        "--idle-timeout",
        "500ms",
    ]));
    let mut s = TcpStream::connect(server.tcp()).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    let start = Instant::now();
    // Send until the server gives up on us; never read.
    let block = vec![b'x'; 64 * 1024];
    let mut sent = 0usize;
    let err = loop {
        match s.write(&block) {
            Ok(n) => sent += n,
            Err(e) => break e,
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "still accepted after 10 s"
        );
    };
    let after = start.elapsed();
    eprintln!("closed after {after:?} and {sent} bytes: {err}");
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
        ),
        "{err}"
    );
    assert!(after < Duration::from_secs(5), "closed after {after:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        server
            .stderr_lines()
            .iter()
            .any(|l| l.contains("did not read its replies")),
        "the close is logged"
    );
}
