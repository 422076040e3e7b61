//! UDP: each datagram (0 to 65,507 bytes) is answered with its uppercase.
//! A plain blocking thread: a blocked `recvfrom` wakes straight into the
//! reply, which is measurably quicker than an event loop for one socket
//! (docs/benchmarks.md). The thread ends with the process.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;

use nix::sys::socket::MsgFlags;

use super::reqlog::{Held, RequestLog};
use super::throttle::{Kind, Throttle};
use super::{ERROR_PAUSE, log};
use crate::clock::KernelTime;
use crate::kstamp::{self, DatagramStamps, Receiver};
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

/// Kernel stamps for the request log's `dwell_us`.
struct Stamps {
    rx: Receiver,
    tx: DatagramStamps,
}

fn serve_blocking(sock: &UdpSocket, throttle: &Throttle, reqlog: Option<&RequestLog>) {
    // One byte more than the largest datagram, so truncation would show.
    let mut buf = vec![0u8; 65_536];
    // Only for the log; without stamps its lines say dwell_us null.
    let mut stamps = reqlog
        .filter(|_| kstamp::enable(sock).is_ok())
        .map(|_| Stamps {
            rx: Receiver::default(),
            tx: DatagramStamps::default(),
        });
    loop {
        let received = match &mut stamps {
            None => sock.recv_from(&mut buf).map(|(n, peer)| (n, peer, None)),
            Some(st) => receive_stamped(sock, &mut st.rx, &mut buf),
        };
        let (n, peer, received_at) = match received {
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
        let sent = sock.send_to(&buf[..n], peer);
        if let Err(e) = &sent {
            throttle.log(Kind::Udp, format_args!("udp reply to {peer} failed: {e}"));
        }
        // Logged after the reply, so the client's RTT does not include it.
        if let (Some(reqlog), Some(held)) = (reqlog, held) {
            let sent_at = match (&mut stamps, sent) {
                (Some(st), Ok(_)) => {
                    let id = st.tx.sent();
                    st.tx.take(sock.as_raw_fd(), id)
                }
                _ => None,
            };
            let dwell = received_at
                .zip(sent_at)
                .and_then(|(r, s)| r.micros_until(s));
            reqlog.write(&held.record(Proto::Udp, None, peer, n, &buf[..n], dwell));
        }
    }
}

/// `recv_from` with the datagram's kernel receive stamp.
fn receive_stamped(
    sock: &UdpSocket,
    rx: &mut Receiver,
    buf: &mut [u8],
) -> io::Result<(usize, SocketAddr, Option<KernelTime>)> {
    let got = rx.recv(sock.as_raw_fd(), buf, MsgFlags::empty())?;
    let peer = got
        .from
        .ok_or_else(|| io::Error::other("a datagram without a sender address"))?;
    Ok((got.len, peer, got.at))
}
