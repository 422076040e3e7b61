//! TCP probes. Per-probe mode is the handout's client: connect, send,
//! receive, close. Persistent mode keeps one connection: a probe on it has
//! no connect time (rtt = request); after any failed probe the connection is
//! closed (a late reply would desynchronise the stream), and a connection the
//! server closed between probes is replaced before sending, so the next probe
//! reconnects and reports its connect time again.
//!
//! Kernel stamps ([`crate::kstamp`]) give the request's wire round trip:
//! the transmit stamp of its last byte (stamp ids count bytes on TCP) to the
//! receive stamp of the reply's first byte. The handshake has none.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::socket::{MsgFlags, getsockopt, sockopt};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::{Exchange, Transport, mismatch};
use crate::cli::Connection;
use crate::clock::KernelTime;
use crate::clock::Stamp;
use crate::kstamp::{self, Receiver, TxStamps};
use crate::outcome::Failure;
use crate::payload;
use crate::stats::Strays;
use netlab_contract::Outcome;

pub struct Tcp {
    mode: Connection,
    connect_timeout: Duration,
    timeout: Duration,
    busy_poll: Duration,
    conn: Option<Conn>,
    buf: Vec<u8>,
    rx: Receiver,
    tx: TxStamps,
}

/// An open connection and its stamping state.
struct Conn {
    stream: TcpStream,
    /// Bytes sent since stamping was turned on (transmit stamp ids count
    /// them); None: the kernel refused stamping.
    sent: Option<u32>,
    /// Largest segment: a reply longer than this may come in pieces.
    mss: usize,
}

impl Tcp {
    pub fn new(
        mode: Connection,
        connect_timeout: Duration,
        timeout: Duration,
        busy_poll: Duration,
    ) -> Self {
        Self {
            mode,
            connect_timeout,
            timeout,
            busy_poll,
            conn: None,
            buf: Vec::new(),
            rx: Receiver::default(),
            tx: TxStamps::default(),
        }
    }

    fn connect(&self, addr: SocketAddr) -> Result<Socket, Failure> {
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
        Ok(sock)
    }

    /// Sends `request` and reads exactly as many bytes back (the uppercase
    /// reply has the request's length); returns the time that took and the
    /// kernel's figure for it.
    fn request(
        &mut self,
        conn: &mut Conn,
        request: &[u8],
    ) -> Result<(Duration, Option<f64>), Failure> {
        let timed_out = || {
            let why = format!(
                "no complete reply within {}",
                humantime::format_duration(self.timeout)
            );
            Failure::new(Outcome::Timeout, None, why)
        };
        // Timeouts are set before the clock starts: no extra system call
        // inside the measured request unless the reply comes in pieces. The
        // first blocking read gets what the busy-poll spin leaves.
        let spin = self.busy_poll.min(self.timeout);
        let first_wait = self.timeout - spin;
        let stream = &mut conn.stream;
        stream
            .set_write_timeout(Some(self.timeout))
            .and_then(|()| match first_wait.is_zero() {
                true => Ok(()),
                false => stream.set_read_timeout(Some(first_wait)),
            })
            .map_err(|e| Failure::from_io("set socket timeouts", &e))?;
        let fd = stream.as_raw_fd();
        let sent = Instant::now();
        let deadline = sent + self.timeout;
        let spin_until = sent + spin;
        stream.write_all(request).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => timed_out(),
            _ => Failure::from_io("send", &e),
        })?;
        // Id of the request's last byte, for its transmit stamp.
        let last_byte = conn.sent.map(|n| n.wrapping_add(request.len() as u32 - 1));
        conn.sent = conn.sent.map(|n| n.wrapping_add(request.len() as u32));
        self.buf.clear();
        self.buf.resize(request.len(), 0);
        let mut got = 0;
        // The receive stamp of the reply's first byte: TCP reports the last
        // segment a read took, so a reply that may span segments is begun
        // with a one-byte read.
        let mut first_at: Option<Option<KernelTime>> = None;
        let first_len = match request.len() > conn.mss {
            true => 1,
            false => request.len(),
        };
        let mut blocking_reads = 0u32;
        loop {
            if got == request.len() {
                break;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(timed_out());
            }
            let spinning = now < spin_until;
            if !spinning {
                if blocking_reads > 0 {
                    stream
                        .set_read_timeout(Some(deadline - now))
                        .map_err(|e| Failure::from_io("set receive timeout", &e))?;
                }
                blocking_reads += 1;
            }
            let flags = match spinning {
                true => MsgFlags::MSG_DONTWAIT,
                false => MsgFlags::empty(),
            };
            let end = match got {
                0 => first_len,
                _ => request.len(),
            };
            match self.rx.recv(fd, &mut self.buf[got..end], flags) {
                Ok(r) if r.len == 0 && got == 0 => {
                    let why = "receive: the server closed the connection without replying";
                    return Err(Failure::new(Outcome::Reset, None, why));
                }
                Ok(r) if r.len == 0 => {
                    self.buf.truncate(got);
                    break;
                }
                Ok(r) => {
                    got += r.len;
                    first_at.get_or_insert(r.at);
                }
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
        let took = sent.elapsed();
        // After the clock stopped: the request's transmit stamp.
        let sent_at = last_byte
            .and_then(|id| self.tx.take(fd, id))
            .filter(|(found, _)| Some(*found) == last_byte)
            .map(|(_, at)| at);
        Ok((took, kstamp::round_trip(sent_at, first_at.flatten(), took)))
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

impl Conn {
    /// Turns stamping on, after the connect was timed. Stamp ids need a
    /// connected socket; nothing is sent yet, so they count from the
    /// request's first byte. If the kernel refuses, wire figures are null.
    fn new(sock: Socket) -> Self {
        let sent = kstamp::enable(&sock).is_ok().then_some(0);
        let mss = getsockopt(&sock, sockopt::TcpMaxSeg).map_or(536, |m| m as usize);
        Self {
            stream: sock.into(),
            sent,
            mss,
        }
    }
}

/// Is a kept connection still usable? (The server may have closed it.)
fn still_open(conn: &Conn) -> bool {
    let stream = &conn.stream;
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
        let (mut conn, connect) = match kept {
            Some(conn) => (conn, None),
            None => match self.connect(addr) {
                Ok(sock) => {
                    let connect = start.mono.elapsed();
                    (Conn::new(sock), Some(connect))
                }
                Err(failure) => return Exchange::failed(start, failure),
            },
        };
        let (request_time, wire) = match self.request(&mut conn, request) {
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
            self.conn = Some(conn);
        }
        Exchange {
            start,
            elapsed,
            connect,
            request: Some(request_time),
            wire,
            reply: Some(reply),
            failure,
        }
    }
}
