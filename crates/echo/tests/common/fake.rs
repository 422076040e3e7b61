//! Misbehaving servers for client tests, on loopback threads. Each stops by
//! itself: every wait has a timeout and the loops end after a fixed time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::time::{Duration, Instant};

/// How long a fake server stays up at most.
const LIFETIME: Duration = Duration::from_secs(30);

/// A UDP server that answers each datagram with whatever `respond` returns
/// (each element is one reply datagram, sent in order).
pub fn udp(respond: impl Fn(&[u8]) -> Vec<Vec<u8>> + Send + 'static) -> SocketAddr {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    std::thread::spawn(move || {
        let start = Instant::now();
        let mut buf = vec![0u8; 65_536];
        while start.elapsed() < LIFETIME {
            if let Ok((n, peer)) = sock.recv_from(&mut buf) {
                for reply in respond(&buf[..n]) {
                    let _ = sock.send_to(&reply, peer);
                }
            }
        }
    });
    addr
}

/// A TCP server that answers each chunk with `respond(chunk)`; after the
/// first reply on a connection it closes it if `close_after_reply`.
pub fn tcp(
    close_after_reply: bool,
    respond: impl Fn(&[u8]) -> Vec<u8> + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let start = Instant::now();
        let mut buf = vec![0u8; 65_536];
        while start.elapsed() < LIFETIME {
            let Ok((mut s, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 || s.write_all(&respond(&buf[..n])).is_err() || close_after_reply {
                    break;
                }
            }
        }
    });
    addr
}
