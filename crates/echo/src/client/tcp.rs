//! TCP probes. Per-probe mode is the handout's client: connect, send,
//! receive, close. Persistent mode keeps one connection: a probe on it has
//! no connect time (rtt = request); after any failed probe the connection is
//! closed (a late reply would desynchronise the stream), and a connection the
//! server closed between probes is replaced before sending, so the next probe
//! reconnects and reports its connect time again.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::{Exchange, Transport, mismatch};
use crate::cli::Connection;
use crate::clock::Stamp;
use crate::outcome::Failure;
use crate::payload;
use crate::stats::Strays;
use netlab_contract::Outcome;

pub struct Tcp {
    mode: Connection,
    connect_timeout: Duration,
    timeout: Duration,
    conn: Option<TcpStream>,
    buf: Vec<u8>,
}

impl Tcp {
    pub fn new(mode: Connection, connect_timeout: Duration, timeout: Duration) -> Self {
        Self {
            mode,
            connect_timeout,
            timeout,
            conn: None,
            buf: Vec::new(),
        }
    }

    fn connect(&self, addr: SocketAddr) -> Result<TcpStream, Failure> {
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| Failure::from_io("socket", &e))?;
        // Small requests must leave at once, not wait for Nagle.
        sock.set_tcp_nodelay(true)
            .map_err(|e| Failure::from_io("TCP_NODELAY", &e))?;
        connect_within(&sock, &SockAddr::from(addr), self.connect_timeout).map_err(|e| {
            if e.kind() == io::ErrorKind::TimedOut && e.raw_os_error().is_none() {
                let why = format!(
                    "connect: no answer within {}",
                    humantime::format_duration(self.connect_timeout)
                );
                Failure::new(Outcome::Timeout, None, why)
            } else {
                Failure::from_io("connect", &e)
            }
        })?;
        Ok(sock.into())
    }

    /// Sends `request` and reads exactly as many bytes back (the uppercase
    /// reply has the request's length); returns the time that took.
    fn request(&mut self, stream: &mut TcpStream, request: &[u8]) -> Result<Duration, Failure> {
        let timed_out = || {
            let why = format!(
                "no complete reply within {}",
                humantime::format_duration(self.timeout)
            );
            Failure::new(Outcome::Timeout, None, why)
        };
        // Timeouts are set before the clock starts: no extra system call
        // inside the measured request unless the reply comes in pieces.
        stream
            .set_write_timeout(Some(self.timeout))
            .and_then(|()| stream.set_read_timeout(Some(self.timeout)))
            .map_err(|e| Failure::from_io("set socket timeouts", &e))?;
        let sent = Instant::now();
        let deadline = sent + self.timeout;
        stream.write_all(request).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => timed_out(),
            _ => Failure::from_io("send", &e),
        })?;
        self.buf.clear();
        self.buf.resize(request.len(), 0);
        let mut got = 0;
        for read in 0.. {
            if got == request.len() {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(timed_out());
            }
            if read > 0 {
                stream
                    .set_read_timeout(Some(deadline - now))
                    .map_err(|e| Failure::from_io("set receive timeout", &e))?;
            }
            match stream.read(&mut self.buf[got..]) {
                Ok(0) if got == 0 => {
                    let why = "receive: the server closed the connection without replying";
                    return Err(Failure::new(Outcome::Reset, None, why));
                }
                Ok(0) => {
                    self.buf.truncate(got);
                    break;
                }
                Ok(n) => got += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Err(Failure::from_io("receive", &e)),
            }
        }
        Ok(sent.elapsed())
    }
}

/// `connect` that gives up after `timeout` (a DROP firewall would otherwise
/// hold it ~131 s). Unlike socket2's `connect_timeout`, which rounds the
/// poll timeout down to whole milliseconds, it never gives up early.
fn connect_within(sock: &Socket, addr: &SockAddr, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    sock.set_nonblocking(true)?;
    match sock.connect(addr) {
        Ok(()) => return sock.set_nonblocking(false),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(io::ErrorKind::TimedOut.into());
        }
        let ms = (deadline - now)
            .as_micros()
            .div_ceil(1000)
            .min(i32::MAX as u128) as i32;
        let mut pfd = libc::pollfd {
            fd: sock.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        };
        // SAFETY: one valid pollfd, the count says 1.
        match unsafe { libc::poll(&mut pfd, 1, ms) } {
            0 => {}
            n if n > 0 => break,
            _ => match io::Error::last_os_error() {
                e if e.kind() == io::ErrorKind::Interrupted => {}
                e => return Err(e),
            },
        }
    }
    if let Some(e) = sock.take_error()? {
        return Err(e);
    }
    sock.set_nonblocking(false)
}

/// Is a kept connection still usable? (The server may have closed it.)
fn still_open(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let open = matches!(stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && open
}

impl Transport for Tcp {
    fn probe(
        &mut self,
        addr: SocketAddr,
        _seq: u64,
        request: &[u8],
        _strays: &mut Strays,
    ) -> Exchange {
        let kept = self
            .conn
            .take()
            .filter(|s| self.mode == Connection::Persistent && still_open(s));
        let start = Stamp::now();
        let (mut stream, connect) = match kept {
            Some(stream) => (stream, None),
            None => match self.connect(addr) {
                Ok(stream) => (stream, Some(start.mono.elapsed())),
                Err(failure) => return Exchange::failed(start, failure),
            },
        };
        let request_time = match self.request(&mut stream, request) {
            Ok(took) => took,
            Err(failure) => {
                return Exchange {
                    connect,
                    ..Exchange::failed(start, failure)
                };
            }
        };
        let elapsed = start.mono.elapsed();
        let reply = self.buf.clone();
        let failure =
            (reply != payload::expected_reply(request)).then(|| mismatch(request, &reply));
        if failure.is_none() && self.mode == Connection::Persistent {
            self.conn = Some(stream);
        }
        Exchange {
            start,
            elapsed,
            connect,
            request: Some(request_time),
            reply: Some(reply),
            failure,
        }
    }
}
