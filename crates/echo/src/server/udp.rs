//! UDP: each datagram (0 to 65,507 bytes) is answered with its uppercase.

use std::io;
use std::net::SocketAddr;

use tokio::net::UdpSocket;

use super::{ERROR_PAUSE, log};
use crate::payload;

pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let sock = std::net::UdpSocket::bind(addr)?;
    sock.set_nonblocking(true)?;
    UdpSocket::from_std(sock)
}

pub async fn serve(sock: UdpSocket) {
    // One byte more than the largest datagram, so truncation would show.
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, peer) = match sock.recv_from(&mut buf).await {
            Ok(got) => got,
            Err(e) => {
                log(format_args!("udp receive failed: {e}; continuing"));
                tokio::time::sleep(ERROR_PAUSE).await;
                continue;
            }
        };
        payload::uppercase(&mut buf[..n]);
        if let Err(e) = sock.send_to(&buf[..n], peer).await {
            log(format_args!("udp reply to {peer} failed: {e}"));
        }
    }
}
