//! The server against real sockets on loopback: uppercasing, large
//! datagrams, 100 concurrent TCP clients, hostile input, and clients that
//! are not ours (the handout's Python clients, socat).

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::process::Command;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{BIN, Server, wait_bounded};
use netlab_echo::payload::expected_reply;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

const WAIT: Duration = Duration::from_secs(5);

fn udp_client(server: &Server) -> UdpSocket {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    sock.connect(server.udp()).unwrap();
    sock
}

fn udp_roundtrip(sock: &UdpSocket, msg: &[u8]) -> Vec<u8> {
    sock.send(msg).unwrap();
    let mut buf = vec![0u8; 65_536];
    let n = sock.recv(&mut buf).expect("UDP reply within 5 s");
    buf.truncate(n);
    buf
}

fn tcp_roundtrip(server: &Server, msg: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.write_all(msg).unwrap();
    let mut reply = vec![0u8; msg.len()];
    s.read_exact(&mut reply)
        .expect("whole TCP reply within 5 s");
    reply
}

/// Bytes of every value, lowercase letters included, deterministic.
fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn udp_reply_is_uppercase_for_any_bytes() {
    let server = Server::start();
    let sock = udp_client(&server);
    let msg = b"hello W\xc3\xb6rld \xff\x00 zz 123 \xe2\x82\xac";
    assert_eq!(
        udp_roundtrip(&sock, msg),
        b"HELLO W\xc3\xb6RLD \xff\x00 ZZ 123 \xe2\x82\xac"
    );
    assert_eq!(
        udp_roundtrip(&sock, b""),
        b"",
        "an empty datagram gets an empty reply"
    );
}

#[test]
fn udp_60000_byte_datagram_comes_back_whole() {
    let server = Server::start();
    let sock = udp_client(&server);
    let msg = pseudo_random(60_000, 42);
    assert!(msg.iter().any(u8::is_ascii_lowercase));
    let reply = udp_roundtrip(&sock, &msg);
    assert_eq!(reply.len(), 60_000);
    assert_eq!(reply, expected_reply(&msg));
}

#[test]
fn tcp_serves_a_persistent_connection_chunk_by_chunk() {
    let server = Server::start();
    let mut s = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    for (i, msg) in [
        &b"first"[..],
        b"second \xff chunk",
        &pseudo_random(200_000, 7),
    ]
    .iter()
    .enumerate()
    {
        s.write_all(msg).unwrap();
        let mut reply = vec![0u8; msg.len()];
        s.read_exact(&mut reply)
            .unwrap_or_else(|e| panic!("reply {i}: {e}"));
        assert_eq!(reply, expected_reply(msg), "reply {i}");
    }
    s.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(
        rest.is_empty(),
        "server closes after the client does, sending nothing more"
    );
}

#[test]
fn tcp_serves_100_concurrent_clients() {
    const N: usize = 100;
    let server = Server::start();
    let addr = server.tcp();
    // Every client is connected before any sends, so all 100 are open at once.
    let barrier = Arc::new(Barrier::new(N));
    let clients: Vec<_> = (0..N)
        .map(|i| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut s = TcpStream::connect_timeout(&addr, WAIT).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                barrier.wait();
                let msg = format!("client {i} says hello to the server {}", "x".repeat(i * 10));
                s.write_all(msg.as_bytes()).unwrap();
                let mut reply = vec![0u8; msg.len()];
                s.read_exact(&mut reply).unwrap();
                assert_eq!(reply, msg.to_uppercase().as_bytes(), "client {i}");
            })
        })
        .collect();
    let failed = clients
        .into_iter()
        .map(|c| c.join())
        .filter(Result::is_err)
        .count();
    assert_eq!(failed, 0, "{failed} of {N} clients did not get their reply");
}

#[test]
fn hostile_input_never_stops_the_server() {
    let mut server = Server::start();
    let sock = udp_client(&server);
    // Empty and random datagrams, without waiting for replies.
    for i in 0..50 {
        sock.send(&pseudo_random(i * 37 % 2000, i as u64 + 1))
            .unwrap();
        sock.send(b"").unwrap();
    }
    // A client that connects and sends nothing, kept open meanwhile.
    let silent = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    // A client that sends and resets before reading the reply.
    for _ in 0..10 {
        let s = socket2::Socket::from(TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap());
        let _ = (&s).write_all(&pseudo_random(100_000, 3));
        s.set_linger(Some(Duration::ZERO)).unwrap();
        drop(s); // RST
    }
    // A client that connects and resets at once, and one that half-closes.
    let s = socket2::Socket::from(TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap());
    s.set_linger(Some(Duration::ZERO)).unwrap();
    drop(s);
    let half = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    half.shutdown(Shutdown::Write).unwrap();
    // Random bytes over TCP, then close without reading.
    let mut junk = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    junk.write_all(&pseudo_random(5000, 99)).unwrap();
    drop(junk);

    std::thread::sleep(Duration::from_millis(200));
    assert!(server.alive(), "server process exited");
    // The next clients are served.
    let fresh = udp_client(&server);
    assert_eq!(udp_roundtrip(&fresh, b"still there?"), b"STILL THERE?");
    assert_eq!(tcp_roundtrip(&server, b"still there?"), b"STILL THERE?");
    drop(silent);
}

#[test]
fn handout_style_python_clients_get_the_uppercase_reply() {
    let server = Server::start();
    let script = r#"
import sys
from socket import *
serverName = '127.0.0.1'
udpPort, tcpPort = int(sys.argv[1]), int(sys.argv[2])
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(5)
message = 'hello from the udp client'
clientSocket.sendto(message.encode(), (serverName, udpPort))
modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
print(modifiedMessage.decode())
clientSocket.close()
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.settimeout(5)
clientSocket.connect((serverName, tcpPort))
clientSocket.send('hello from the tcp client'.encode())
modifiedSentence = clientSocket.recv(1024)
print(modifiedSentence.decode())
clientSocket.close()
"#;
    let out = Command::new("python3")
        .args([
            "-c",
            script,
            &server.udp().port().to_string(),
            &server.tcp().port().to_string(),
        ])
        .output()
        .expect("python3 must be installed (scripts/deps installs it)");
    assert!(
        out.status.success(),
        "python client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "HELLO FROM THE UDP CLIENT\nHELLO FROM THE TCP CLIENT\n"
    );
}

#[test]
fn socat_gets_the_uppercase_reply_over_udp_and_tcp() {
    let server = Server::start();
    for (proto, addr) in [("UDP", server.udp()), ("TCP", server.tcp())] {
        let mut child = Command::new("socat")
            .args(["-T", "5", "-", &format!("{proto}:{addr}")])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("socat must be installed (scripts/deps installs it)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"hello socat \xc3\xa9\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{proto}: socat failed");
        assert_eq!(out.stdout, b"HELLO SOCAT \xc3\xa9\n", "{proto}");
    }
}

#[test]
fn server_prints_one_ready_line_and_exits_0_on_sigterm_and_sigint() {
    for (sig, proto, want) in [
        (libc::SIGTERM, "both", (true, true)),
        (libc::SIGINT, "udp", (true, false)),
        (libc::SIGTERM, "tcp", (false, true)),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(["server", "--proto", proto, "--bind", "127.0.0.1:0"]);
        let mut server = Server::start_cmd(&mut cmd);
        assert_eq!(
            (server.udp.is_some(), server.tcp.is_some()),
            want,
            "{proto}"
        );
        if let (Some(u), Some(t)) = (server.udp, server.tcp) {
            assert_eq!(u.port(), t.port(), "UDP and TCP share the port");
        }
        let code = server.stop_with(Signal::try_from(sig).unwrap());
        assert_eq!(code, Some(0), "exit status after signal {sig} ({proto})");
    }
}

#[test]
fn idle_exits_0_on_sigterm() {
    let mut child = Command::new(BIN).arg("idle").spawn().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "idle must keep running"
    );
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    assert_eq!(wait_bounded(&mut child), Some(0));
}

#[test]
fn busy_port_is_a_clear_error() {
    let server = Server::start();
    let out = Command::new(BIN)
        .args([
            "server",
            "--proto",
            "tcp",
            "--bind",
            &server.tcp().to_string(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot bind the tcp socket") && err.contains("--bind"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no ready line when binding failed");
}
