//! UDP probes on one connected socket with IP_RECVERR (see [`super::errqueue`]).
//! One probe is in flight at a time; replies for other sequence numbers are
//! counted as late, duplicate or stray, never taken as the current answer.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use super::errqueue::{self, QueuedError};
use super::{Exchange, Transport, mismatch};
use crate::clock::Stamp;
use crate::outcome::{self, Failure};
use crate::payload;
use crate::stats::Strays;
use netlab_contract::Outcome;

pub struct Udp {
    timeout: Duration,
    sock: Option<(UdpSocket, SocketAddr)>,
    book: Book,
}

/// Which probes are finished, and the receive buffer.
struct Book {
    /// seq -> a reply arrived? (false: the probe failed, so a reply now is late).
    done: HashMap<u64, bool>,
    buf: Vec<u8>,
    /// The socket's receive timeout as last set (saves a system call per probe).
    rcvtimeo: Option<Duration>,
}

/// What a received datagram meant.
enum Verdict {
    /// The current probe's answer: `None` = correct, else a mismatch.
    Answer(Option<Failure>),
    /// Counted in the strays; keep waiting.
    Stray,
}

impl Udp {
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            sock: None,
            book: Book {
                done: HashMap::new(),
                buf: vec![0; 65_536],
                rcvtimeo: None,
            },
        }
    }

    /// Creates the connected socket for `addr` on first use.
    fn connect(&mut self, addr: SocketAddr) -> io::Result<()> {
        if self.sock.as_ref().is_none_or(|(_, a)| *a != addr) {
            let local = if addr.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let sock = UdpSocket::bind(local)?;
            errqueue::enable(&sock, addr.is_ipv6())?;
            sock.connect(addr)?;
            self.sock = Some((sock, addr));
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
        if let Err(e) = self.connect(addr) {
            return Exchange::failed(Stamp::now(), Failure::from_io("connect", &e));
        }
        let (sock, _) = self.sock.as_ref().expect("connected above");
        self.book.drain(sock, strays);
        let ex = self.book.exchange(sock, seq, request, self.timeout, strays);
        if seq != 0 {
            self.book.done.insert(seq, ex.reply.is_some());
        }
        ex
    }
}

impl Book {
    fn exchange(
        &mut self,
        sock: &UdpSocket,
        seq: u64,
        request: &[u8],
        timeout: Duration,
        strays: &mut Strays,
    ) -> Exchange {
        // The first wait gets the whole timeout, set before the clock starts
        // so no extra system call sits inside the measured round trip.
        if self.rcvtimeo != Some(timeout) {
            if let Err(e) = sock.set_read_timeout(Some(timeout)) {
                return Exchange::failed(Stamp::now(), Failure::from_io("set receive timeout", &e));
            }
            self.rcvtimeo = Some(timeout);
        }
        let start = Stamp::now();
        if let Err(e) = sock.send(request) {
            let queued = errqueue::drain(sock);
            return Exchange::failed(start, failure("send", &e, queued.first()));
        }
        let deadline = start.mono + timeout;
        for wait in 0.. {
            let now = Instant::now();
            if now >= deadline {
                let why = format!("no reply within {}", humantime::format_duration(timeout));
                return Exchange::failed(start, Failure::new(Outcome::Timeout, None, why));
            }
            if wait > 0 {
                self.rcvtimeo = Some(deadline - now);
                if let Err(e) = sock.set_read_timeout(self.rcvtimeo) {
                    return Exchange::failed(start, Failure::from_io("set receive timeout", &e));
                }
            }
            match sock.recv(&mut self.buf) {
                Ok(n) => {
                    let rtt = start.mono.elapsed();
                    if let Verdict::Answer(failure) = self.judge(n, Some((seq, request)), strays) {
                        return Exchange {
                            start,
                            elapsed: rtt,
                            connect: None,
                            request: Some(rtt),
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
                    let queued = errqueue::drain(sock);
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
        unreachable!("the loop returns at the deadline")
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
    /// drop stale errors, so neither is blamed on the new probe.
    fn drain(&mut self, sock: &UdpSocket, strays: &mut Strays) {
        if !pending(sock) {
            return;
        }
        errqueue::drain(sock);
        if sock.set_nonblocking(true).is_err() {
            return;
        }
        for _ in 0..1024 {
            match sock.recv(&mut self.buf) {
                Ok(n) => {
                    self.judge(n, None, strays);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) => {
                    errqueue::drain(sock);
                }
            }
        }
        let _ = sock.set_nonblocking(false);
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

/// Is anything waiting (a datagram or a queued error)? One cheap system
/// call instead of draining both queues before every probe.
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
