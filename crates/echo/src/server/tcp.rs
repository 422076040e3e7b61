//! TCP: every connection gets its own task and is answered chunk by chunk
//! until the client closes, so one-shot (send, recv, close) and persistent
//! clients both work, and a silent or resetting client blocks nobody.

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{ERROR_PAUSE, log};
use crate::payload;

pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // A restarted server must not wait for TIME_WAIT connections to expire.
    sock.set_reuse_address(true)?;
    sock.bind(&addr.into())?;
    sock.listen(1024)?;
    sock.set_nonblocking(true)?;
    TcpListener::from_std(sock.into())
}

pub async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(connection(stream, peer));
            }
            Err(e) => {
                log(format_args!("tcp accept failed: {e}; continuing"));
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
}

async fn connection(mut stream: TcpStream, peer: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) => {
                log(format_args!("tcp connection from {peer}: {e}"));
                return;
            }
        };
        payload::uppercase(&mut buf[..n]);
        if let Err(e) = stream.write_all(&buf[..n]).await {
            log(format_args!("tcp reply to {peer} failed: {e}"));
            return;
        }
    }
}
