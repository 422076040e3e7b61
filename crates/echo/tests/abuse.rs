//! The server against abusive clients, real sockets on loopback: random
//! datagrams of every size, resets in the middle of a request, half-closed
//! connections, and a 50 MB stream sent without reading the replies. Each
//! test is bounded in count and time and ends by checking that the server
//! still serves.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use common::Server;
use netlab_echo::payload::expected_reply;

const WAIT: Duration = Duration::from_secs(5);

/// xorshift64: deterministic, every byte value (lowercase letters too).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn still_serves(server: &mut Server) {
    assert!(server.alive(), "server process exited");
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(WAIT)).unwrap();
    udp.send_to(b"still there?", server.udp()).unwrap();
    let mut buf = [0u8; 64];
    let n = udp.recv(&mut buf).expect("UDP reply");
    assert_eq!(&buf[..n], b"STILL THERE?");
    let mut tcp = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    tcp.write_all(b"still there?").unwrap();
    let mut reply = [0u8; 12];
    tcp.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"STILL THERE?");
}

#[test]
fn random_datagrams_are_each_answered_with_their_uppercase() {
    let mut server = Server::start();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(WAIT)).unwrap();
    sock.connect(server.udp()).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut buf = vec![0u8; 65_536];
    // The largest and the empty datagram, then random sizes 0..=65,507.
    let sizes = [65_507, 0]
        .into_iter()
        .chain((0..200).map(|_| rng.below(65_508) as usize))
        .collect::<Vec<_>>();
    for (i, size) in sizes.into_iter().enumerate() {
        let msg = rng.bytes(size);
        sock.send(&msg).unwrap();
        let n = sock
            .recv(&mut buf)
            .unwrap_or_else(|e| panic!("datagram {i} ({size} bytes): no reply: {e}"));
        assert_eq!(n, size, "datagram {i}: reply size");
        assert!(
            buf[..n] == expected_reply(&msg),
            "datagram {i}: not the uppercase"
        );
    }
    still_serves(&mut server);
}

#[test]
fn resets_in_the_middle_of_a_request_hurt_nobody() {
    let mut server = Server::start();
    let mut rng = Rng(7);
    // A well-behaved persistent client, open all along.
    let mut good = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    good.set_read_timeout(Some(WAIT)).unwrap();
    for i in 0..40 {
        let s = socket2::Socket::from(TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap());
        // Part of a request, sometimes large enough that the server is
        // still writing replies when the reset comes.
        let len = match i % 4 {
            0 => 0,
            1 => rng.below(100) as usize,
            _ => rng.below(300_000) as usize,
        };
        let _ = (&s).write_all(&rng.bytes(len));
        if i % 3 == 0 {
            // Read part of the reply first.
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            let _ = (&s).read(&mut [0u8; 100]);
        }
        s.set_linger(Some(Duration::ZERO)).unwrap();
        drop(s); // RST
        let msg = format!("request {i} between resets");
        good.write_all(msg.as_bytes()).unwrap();
        let mut reply = vec![0u8; msg.len()];
        good.read_exact(&mut reply).unwrap();
        assert_eq!(reply, msg.to_uppercase().as_bytes());
    }
    still_serves(&mut server);
}

#[test]
fn a_half_closed_client_gets_its_whole_reply() {
    let mut server = Server::start();
    let mut rng = Rng(11);
    for size in [1, 1_000, 100_000, 1_000_000] {
        let msg = rng.bytes(size);
        let mut s = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        // A writer thread: a 1 MB request does not fit the socket buffers
        // while nobody reads the replies.
        let mut w = s.try_clone().unwrap();
        let sent = msg.clone();
        let writer = std::thread::spawn(move || {
            w.write_all(&sent).unwrap();
            w.shutdown(Shutdown::Write).unwrap();
        });
        let mut reply = Vec::new();
        s.read_to_end(&mut reply)
            .unwrap_or_else(|e| panic!("{size} bytes: {e}"));
        writer.join().unwrap();
        assert_eq!(reply.len(), size, "whole reply, then EOF");
        assert!(
            reply == expected_reply(&msg),
            "{size} bytes: not the uppercase"
        );
    }
    still_serves(&mut server);
}

/// The byte at `i` of the stream, and of its reply.
fn stream_byte(i: u64) -> u8 {
    b"abcdefghijklmnopqrstuvwxyz0123456789 \n"[(i % 38) as usize]
}

#[test]
fn a_50_mb_stream_sent_without_reading_is_not_buffered() {
    const TOTAL: u64 = 50 * 1024 * 1024;
    let mut server = Server::start();
    let base = server.status_kib("VmRSS");
    let mut s = TcpStream::connect_timeout(&server.tcp(), WAIT).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut w = s.try_clone().unwrap();
    let writer = std::thread::spawn(move || {
        let mut block = vec![0u8; 64 * 1024];
        let mut at = 0u64;
        while at < TOTAL {
            let n = block.len().min((TOTAL - at) as usize);
            for (j, b) in block[..n].iter_mut().enumerate() {
                *b = stream_byte(at + j as u64);
            }
            w.write_all(&block[..n]).unwrap();
            at += n as u64;
        }
        w.shutdown(Shutdown::Write).unwrap();
    });
    // Read nothing for a while: flow control must stop the writer, and the
    // server must not hold what it cannot send.
    std::thread::sleep(Duration::from_secs(2));
    let stalled = server.status_kib("VmRSS");
    assert!(
        !writer.is_finished(),
        "50 MB went through without a reader: something buffers it all"
    );
    let start = Instant::now();
    let mut buf = vec![0u8; 256 * 1024];
    let mut at = 0u64;
    while at < TOTAL {
        let n = s.read(&mut buf).expect("reply bytes");
        assert!(n > 0, "EOF after {at} of {TOTAL} bytes");
        for (j, &b) in buf[..n].iter().enumerate() {
            let want = stream_byte(at + j as u64).to_ascii_uppercase();
            assert_eq!(b, want, "reply byte {}", at + j as u64);
        }
        at += n as u64;
        assert!(start.elapsed() < Duration::from_secs(60), "too slow");
    }
    assert_eq!(s.read(&mut buf).unwrap(), 0, "EOF after the whole reply");
    writer.join().unwrap();
    let peak = server.status_kib("VmHWM");
    eprintln!(
        "server VmRSS {base} KiB at start, {stalled} KiB while stalled, VmHWM {peak} KiB after 50 MB"
    );
    assert!(
        peak < base + 8 * 1024,
        "server memory grew by {} KiB for one stream",
        peak - base
    );
    still_serves(&mut server);
}
