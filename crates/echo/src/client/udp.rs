//! UDP probes. `--socket connected` (default): one connected socket with
//! IP_RECVERR (see [`crate::errqueue`]), so ICMP errors name the failure.
//! `--socket unconnected`: `sendto`/`recvfrom` on a socket that is never
//! connected and has no IP_RECVERR, as the handout's Python client does;
//! Linux tells such a socket of no ICMP error, and replies from any other
//! address than the server's are ignored.
//!
//! One probe is in flight at a time; replies for other sequence numbers are
//! counted as late, duplicate or stray, never taken as the current answer.
//! Requests and replies carry kernel time stamps ([`crate::kstamp`]).

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::socket::MsgFlags;

use super::{Exchange, Transport, mismatch};
use crate::clock::Stamp;
use crate::errqueue::{self, QueuedError};
use crate::kstamp::{self, DatagramStamps, Receiver};
use crate::outcome::{self, Failure};
use crate::payload;
use crate::stats::Strays;
use netlab_contract::{Outcome, SocketMode};

pub struct Udp {
    timeout: Duration,
    /// Spin on non-blocking receives this long before blocking.
    busy_poll: Duration,
    mode: SocketMode,
    sock: Option<Socket>,
    book: Book,
}

struct Socket {
    sock: UdpSocket,
    addr: SocketAddr,
    /// `--socket connected`: connect() and IP_RECVERR were done.
    connected: bool,
    /// Transmit stamps by datagram; None: the kernel refused time
    /// stamping, so there are none.
    stamps: Option<DatagramStamps>,
}

/// Which probes are finished, and the receive state.
struct Book {
    /// seq -> a reply arrived? (false: the probe failed, so a reply now is late).
    done: HashMap<u64, bool>,
    buf: Vec<u8>,
    /// The socket's receive timeout as last set (saves a system call per probe).
    rcvtimeo: Option<Duration>,
    rx: Receiver,
}

/// What a received datagram meant.
enum Verdict {
    /// The current probe's answer: `None` = correct, else a mismatch.
    Answer(Option<Failure>),
    /// Counted in the strays; keep waiting.
    Stray,
}

impl Udp {
    pub fn new(timeout: Duration, busy_poll: Duration, mode: SocketMode) -> Self {
        Self {
            timeout,
            busy_poll,
            mode,
            sock: None,
            book: Book {
                done: HashMap::new(),
                buf: vec![0; 65_536],
                rcvtimeo: None,
                rx: Receiver::default(),
            },
        }
    }

    /// Creates the socket for `addr` on first use (connected, or not).
    fn open(&mut self, addr: SocketAddr) -> io::Result<()> {
        if self.sock.as_ref().is_none_or(|s| s.addr != addr) {
            let local = if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let sock = UdpSocket::bind(local)?;
            let connected = self.mode == SocketMode::Connected;
            if connected {
                errqueue::enable(&sock, addr.is_ipv6())?;
                sock.connect(addr)?;
            }
            // Without stamps the probes still run; wire figures are null.
            let stamps = kstamp::enable(&sock).is_ok().then(DatagramStamps::default);
            self.book.rcvtimeo = None;
            self.sock = Some(Socket {
                sock,
                addr,
                connected,
                stamps,
            });
        }
        Ok(())
    }
}

impl Transport for Udp {
    fn probe(
        &mut self,
        addr: SocketAddr,
        seq: u64,
        request: &[u8],
        strays: &mut Strays,
    ) -> Exchange {
        if let Err(e) = self.open(addr) {
            let call = match self.mode {
                SocketMode::Connected => "connect",
                SocketMode::Unconnected => "socket",
            };
            return Exchange::failed(Stamp::now(), Failure::from_io(call, &e));
        }
        let sock = self.sock.as_mut().expect("opened above");
        self.book.drain(sock, strays);
        let wait = Wait {
            timeout: self.timeout,
            busy_poll: self.busy_poll,
        };
        let ex = self.book.exchange(sock, seq, request, wait, strays);
        if seq != 0 {
            self.book.done.insert(seq, ex.reply.is_some());
        }
        ex
    }
}

#[derive(Clone, Copy)]
struct Wait {
    timeout: Duration,
    busy_poll: Duration,
}

impl Book {
    fn exchange(
        &mut self,
        s: &mut Socket,
        seq: u64,
        request: &[u8],
        wait: Wait,
        strays: &mut Strays,
    ) -> Exchange {
        let Wait { timeout, busy_poll } = wait;
        let spin = busy_poll.min(timeout);
        // The first blocking wait gets what the spin leaves of the timeout,
        // set before the clock starts so no extra system call sits inside
        // the measured round trip.
        let first_wait = timeout - spin;
        if !first_wait.is_zero() && self.rcvtimeo != Some(first_wait) {
            if let Err(e) = s.sock.set_read_timeout(Some(first_wait)) {
                return Exchange::failed(Stamp::now(), Failure::from_io("set receive timeout", &e));
            }
            self.rcvtimeo = Some(first_wait);
        }
        let connected = s.connected;
        let fd = s.sock.as_raw_fd();
        let start = Stamp::now();
        let sent = match connected {
            true => s.sock.send(request),
            false => s.sock.send_to(request, s.addr),
        };
        if let Err(e) = sent {
            let queued = errqueue::drain(&s.sock);
            return Exchange::failed(start, failure("send", &e, queued.first()));
        }
        let stamp_id = s.stamps.as_mut().map(DatagramStamps::sent);
        let deadline = start.mono + timeout;
        let spin_until = start.mono + spin;
        let mut blocking_waits = 0u32;
        loop {
            let now = Instant::now();
            if now >= deadline {
                let why = format!("no reply within {}", humantime::format_duration(timeout));
                return Exchange::failed(start, Failure::new(Outcome::Timeout, None, why));
            }
            let spinning = now < spin_until;
            if !spinning {
                if blocking_waits > 0 {
                    self.rcvtimeo = Some(deadline - now);
                    if let Err(e) = s.sock.set_read_timeout(self.rcvtimeo) {
                        return Exchange::failed(
                            start,
                            Failure::from_io("set receive timeout", &e),
                        );
                    }
                }
                blocking_waits += 1;
            }
            let flags = match spinning {
                true => MsgFlags::MSG_DONTWAIT,
                false => MsgFlags::empty(),
            };
            match self.rx.recv(fd, &mut self.buf, flags) {
                Ok(got) => {
                    let rtt = start.mono.elapsed();
                    if !connected && got.from != Some(s.addr) {
                        continue; // not the server's: ignored
                    }
                    let n = got.len;
                    if let Verdict::Answer(failure) = self.judge(n, Some((seq, request)), strays) {
                        // After the clock stopped: the request's transmit stamp.
                        let sent_at = match (&mut s.stamps, stamp_id) {
                            (Some(st), Some(id)) => st.take(fd, id),
                            _ => None,
                        };
                        return Exchange {
                            start,
                            elapsed: rtt,
                            connect: None,
                            request: Some(rtt),
                            wire: kstamp::round_trip(sent_at, got.at, rtt),
                            reply: Some(self.buf[..n].to_vec()),
                            failure,
                        };
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => {
                    let elapsed = start.mono.elapsed();
                    let queued = errqueue::drain(&s.sock);
                    // Errors quoting another probe's datagram are stale.
                    let mine = queued.iter().find(|q| q.seq.is_none_or(|s| s == seq));
                    if queued.is_empty() || mine.is_some() {
                        let mut ex = Exchange::failed(start, failure("receive", &e, mine));
                        ex.elapsed = elapsed;
                        return ex;
                    }
                }
            }
        }
    }

    fn judge(&self, n: usize, current: Option<(u64, &[u8])>, strays: &mut Strays) -> Verdict {
        let reply = &self.buf[..n];
        let seq = payload::parse_seq(reply);
        if let Some((cur, request)) = current
            && (seq == Some(cur) || seq.is_none())
        {
            let ok = reply == payload::expected_reply(request).as_slice();
            return Verdict::Answer((!ok).then(|| mismatch(request, reply)));
        }
        match seq.map(|s| (s, self.done.get(&s))) {
            Some((_, Some(true))) => strays.duplicates += 1,
            Some((_, Some(false))) => strays.late += 1,
            Some((0, None)) => {} // a warm-up reply
            _ => strays.mismatched += 1,
        }
        Verdict::Stray
    }

    /// Before a probe: count replies that came in since the last one and
    /// drop stale errors and time stamps, so none is blamed on the new probe.
    fn drain(&mut self, s: &Socket, strays: &mut Strays) {
        if !pending(&s.sock) {
            return;
        }
        errqueue::drain(&s.sock);
        let fd = s.sock.as_raw_fd();
        for _ in 0..1024 {
            match self.rx.recv(fd, &mut self.buf, MsgFlags::MSG_DONTWAIT) {
                Ok(got) if s.connected || got.from == Some(s.addr) => {
                    self.judge(got.len, None, strays);
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    errqueue::drain(&s.sock);
                }
            }
        }
    }
}

/// The failure behind a socket error, named from the queued ICMP error when
/// there is one (its errno is the precise one).
fn failure(call: &str, err: &io::Error, queued: Option<&QueuedError>) -> Failure {
    match queued {
        Some(q) => {
            let os = io::Error::from_raw_os_error(q.errno);
            Failure::new(
                outcome::classify(&os),
                Some(q.errno),
                format!("{call}: {os}; {}", q.describe()),
            )
        }
        None => Failure::from_io(call, err),
    }
}

/// Is anything waiting (a datagram, a queued error or time stamp)? One
/// cheap system call instead of draining both queues before every probe.
fn pending(sock: &UdpSocket) -> bool {
    let mut pfd = libc::pollfd {
        fd: sock.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, the count says 1; zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    // On a poll error, drain anyway (it is bounded and non-blocking).
    n != 0
}
