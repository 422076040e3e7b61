//! UDP: each datagram (0 to 65,507 bytes) is answered with its uppercase.
//! A plain blocking thread: a blocked `recvfrom` wakes straight into the
//! reply, which is measurably quicker than an event loop for one socket
//! (docs/benchmarks.md). The thread ends with the process.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;

use super::reqlog::{Held, RequestLog};
use super::throttle::{Kind, Throttle};
use super::{ERROR_PAUSE, log};
use crate::payload;
use netlab_contract::Proto;

pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    UdpSocket::bind(addr)
}

/// Serves on a thread of its own; the returned future completes only if
/// that thread cannot be started or ends.
pub async fn serve(sock: UdpSocket, throttle: Arc<Throttle>, reqlog: Option<Arc<RequestLog>>) {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("udp-echo".into())
        .spawn(move || {
            serve_blocking(&sock, &throttle, reqlog.as_deref());
            drop(done_tx);
        });
    match spawned {
        Ok(_) => {
            let _ = done_rx.await;
            log(format_args!("udp service stopped"));
        }
        Err(e) => log(format_args!("cannot start the udp thread: {e}")),
    }
}

fn serve_blocking(sock: &UdpSocket, throttle: &Throttle, reqlog: Option<&RequestLog>) {
    // One byte more than the largest datagram, so truncation would show.
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, peer) = match sock.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                throttle.log(
                    Kind::Udp,
                    format_args!("udp receive failed: {e}; continuing"),
                );
                std::thread::sleep(ERROR_PAUSE);
                continue;
            }
        };
        // With the log off this is the only extra work: one test of None.
        let held = reqlog.map(|_| Held::new(&buf[..n]));
        payload::uppercase(&mut buf[..n]);
        if let Err(e) = sock.send_to(&buf[..n], peer) {
            throttle.log(Kind::Udp, format_args!("udp reply to {peer} failed: {e}"));
        }
        // Logged after the reply, so the client's RTT does not include it.
        if let (Some(reqlog), Some(held)) = (reqlog, held) {
            reqlog.write(&held.record(Proto::Udp, None, peer, n, &buf[..n]));
        }
    }
}
