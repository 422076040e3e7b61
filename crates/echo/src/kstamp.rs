//! Kernel software time stamps (`SO_TIMESTAMPING`), for round trips as the
//! network stack saw them rather than as the application did.
//!
//! - Receive: the kernel stamps each packet as it enters the stack
//!   (`SOF_TIMESTAMPING_RX_SOFTWARE`) and hands the stamp to `recvmsg` as a
//!   control message. TCP reports the stamp of the last segment a read took.
//! - Transmit: the driver stamps a packet as it takes it
//!   (`SOF_TIMESTAMPING_TX_SOFTWARE`); the stamp comes back on the socket's
//!   error queue with an id (`SOF_TIMESTAMPING_OPT_ID`): the datagram's
//!   number for UDP (0, 1, 2, ... from when stamping was turned on), the
//!   offset of the last byte of each `send` for TCP. `OPT_TSONLY` returns
//!   the stamp without a copy of the packet.
//!
//! Stamps are CLOCK_REALTIME (the kernel has no other for software stamps),
//! so only differences of two stamps are used, and a difference that cannot
//! be right (negative, or longer than the application measured around it:
//! the clock was stepped in between) is dropped, not corrected. A missing
//! stamp is `None`: nothing is ever filled in from the application's clock.

use std::io::{self, IoSliceMut};
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsFd, RawFd};
use std::time::{Duration, Instant};

use nix::sys::socket::{
    self, ControlMessageOwned, MsgFlags, SockaddrLike, SockaddrStorage, TimestampingFlag, sockopt,
};

use crate::clock::KernelTime;
use crate::errqueue::{self, Entry};

/// Kernel round trip in µs: transmit stamp of the request to receive stamp
/// of the reply. None when a stamp is missing or the pair cannot be right:
/// negative, or longer than `app`, the application's own measure of the
/// same round trip (only a step of the real-time clock between the two
/// stamps can make it longer).
pub fn round_trip(
    sent: Option<KernelTime>,
    received: Option<KernelTime>,
    app: Duration,
) -> Option<f64> {
    sent?
        .micros_until(received?)
        .filter(|us| *us <= crate::clock::micros(app))
}

/// Software receive and transmit stamps, transmit ids, no packet copies.
fn flags() -> TimestampingFlag {
    TimestampingFlag::SOF_TIMESTAMPING_SOFTWARE
        | TimestampingFlag::SOF_TIMESTAMPING_RX_SOFTWARE
        | TimestampingFlag::SOF_TIMESTAMPING_TX_SOFTWARE
        | TimestampingFlag::SOF_TIMESTAMPING_OPT_ID
        | TimestampingFlag::SOF_TIMESTAMPING_OPT_TSONLY
}

/// Turns stamping on. UDP: the datagram ids start at 0 from here. TCP: only
/// on a connected socket (the kernel refuses `OPT_ID` before), byte offsets
/// count from the first byte not yet acknowledged, i.e. the next byte sent
/// on an idle connection.
pub fn enable(sock: &impl AsFd) -> io::Result<()> {
    socket::setsockopt(sock, sockopt::Timestamping, &flags()).map_err(io::Error::from)
}

/// Keeps the kernel's receive stamping switched on while it lives.
///
/// Linux stamps received packets only while some socket asks for it, and
/// switches that on asynchronously (a work item flips a static key): the
/// first packets after the first socket asks, and after the last one
/// closes, carry no stamp. This holds a socket with stamping on for the
/// whole run (TCP probes close their sockets between probes) and, when
/// made, waits until a datagram it sends itself on loopback comes back
/// stamped (at most [`KEEP_ON_WAIT`]; without loopback it does not wait).
#[derive(Debug)]
pub struct KeepOn {
    _sock: Option<std::net::UdpSocket>,
    /// Receive stamping was seen working.
    pub live: bool,
}

/// Longest wait of [`KeepOn::new`] for receive stamping to come on.
pub const KEEP_ON_WAIT: Duration = Duration::from_millis(200);

impl KeepOn {
    pub fn new() -> Self {
        let Ok(sock) = std::net::UdpSocket::bind("127.0.0.1:0") else {
            return Self {
                _sock: None,
                live: false,
            };
        };
        let ready = enable(&sock).is_ok()
            && sock
                .set_read_timeout(Some(Duration::from_millis(5)))
                .is_ok()
            && sock.local_addr().and_then(|me| sock.connect(me)).is_ok();
        let mut live = false;
        let deadline = Instant::now() + KEEP_ON_WAIT;
        let mut rx = Receiver::default();
        let mut buf = [0u8; 8];
        use std::os::fd::AsRawFd;
        while ready && !live && Instant::now() < deadline {
            if sock.send(b"stamp?").is_err() {
                break;
            }
            // This socket's own datagram, or a timeout: either way, go on.
            if let Ok(got) = rx.recv(sock.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                live = got.at.is_some();
            }
            if !live {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        Self {
            _sock: Some(sock),
            live,
        }
    }
}

impl Default for KeepOn {
    fn default() -> Self {
        Self::new()
    }
}

/// One packet received with [`Receiver::recv`].
#[derive(Debug, Clone, Copy)]
pub struct Received {
    pub len: usize,
    /// The sender (UDP).
    pub from: Option<SocketAddr>,
    /// The kernel's receive stamp.
    pub at: Option<KernelTime>,
}

/// Transmit stamps of the datagrams a UDP socket sends, by number.
#[derive(Debug, Default)]
pub struct DatagramStamps {
    tx: TxStamps,
    next: u32,
}

impl DatagramStamps {
    /// After a successful send: its id.
    pub fn sent(&mut self) -> u32 {
        let id = self.next;
        self.next = id.wrapping_add(1);
        id
    }

    /// The stamp of datagram `id` ([`TxStamps::take`]); a later id found
    /// means a failed send used one, and the count follows it.
    pub fn take(&mut self, fd: RawFd, id: u32) -> Option<KernelTime> {
        let (found, at) = self.tx.take(fd, id)?;
        self.next = found.wrapping_add(1);
        Some(at)
    }
}

/// `recvmsg` with room for the stamp's control message; allocation-free.
#[derive(Debug)]
pub struct Receiver {
    cmsg: Vec<u8>,
}

impl Default for Receiver {
    fn default() -> Self {
        Self {
            // Three timespecs (software, legacy, hardware), with slack for
            // any other control message the socket may carry.
            cmsg: nix::cmsg_space!([libc::timespec; 3], [u8; 64]),
        }
    }
}

impl Receiver {
    /// One `recvmsg` into `buf`; `flags` e.g. `MSG_DONTWAIT` to poll.
    pub fn recv(&mut self, fd: RawFd, buf: &mut [u8], flags: MsgFlags) -> io::Result<Received> {
        let mut iov = [IoSliceMut::new(buf)];
        let msg = socket::recvmsg::<SockaddrStorage>(fd, &mut iov, Some(&mut self.cmsg), flags)
            .map_err(io::Error::from)?;
        let mut at = None;
        if let Ok(cmsgs) = msg.cmsgs() {
            for c in cmsgs {
                if let ControlMessageOwned::ScmTimestampsns(ts) = c {
                    at = KernelTime::from_timespec(&ts.system);
                }
            }
        }
        Ok(Received {
            len: msg.bytes,
            from: msg.address.as_ref().and_then(to_socket_addr),
            at,
        })
    }
}

fn to_socket_addr(a: &SockaddrStorage) -> Option<SocketAddr> {
    if a.len() == 0 {
        return None;
    }
    if let Some(v4) = a.as_sockaddr_in() {
        return Some(SocketAddr::V4(SocketAddrV4::from(*v4)));
    }
    a.as_sockaddr_in6()
        .map(|v6| SocketAddr::V6(SocketAddrV6::from(*v6)))
}

/// How long to wait for a transmit stamp that is not queued yet. Software
/// stamps are taken before the packet leaves the host, so after the reply
/// is in, the request's stamp is either queued or never comes.
pub const TX_WAIT: Duration = Duration::from_millis(2);

/// After this many transmissions in a row without a stamp, stop waiting
/// for one (the device does not stamp); a stamp that shows up later is
/// still used.
const GIVE_UP_AFTER: u32 = 3;

/// Reads transmit stamps from a socket's error queue and matches their ids.
#[derive(Debug, Default)]
pub struct TxStamps {
    misses: u32,
}

/// Whether id `a` is `b` or comes after it (ids wrap at 2^32).
pub fn at_or_after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) >= 0
}

impl TxStamps {
    /// The transmit stamp with id `id` (or, UDP, a later one: a failed send
    /// may have used an id; nothing was sent since the queue was last
    /// read, so it is this packet's). Stamps with earlier ids are dropped,
    /// and so are ICMP errors found in the queue (the caller has its reply
    /// and drains stale errors before each probe anyway). Waits at most
    /// [`TX_WAIT`]; returns the id found too, for resynchronising.
    pub fn take(&mut self, fd: RawFd, id: u32) -> Option<(u32, KernelTime)> {
        let bound = match self.misses >= GIVE_UP_AFTER {
            true => Duration::ZERO,
            false => TX_WAIT,
        };
        self.take_within(fd, id, bound)
    }

    /// [`TxStamps::take`], waiting at most `bound` (zero: only what is
    /// queued now, for callers that must not block).
    pub fn take_within(
        &mut self,
        fd: RawFd,
        id: u32,
        bound: Duration,
    ) -> Option<(u32, KernelTime)> {
        let deadline = Instant::now() + bound;
        loop {
            while let Some(entry) = errqueue::read_entry(fd) {
                if let Entry::Sent { id: got, at } = entry
                    && at_or_after(got, id)
                {
                    self.misses = 0;
                    return Some((got, at));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                self.misses = self.misses.saturating_add(1);
                return None;
            }
            wait_for_error_queue(fd, deadline - now);
        }
    }
}

/// Blocks until the error queue has an entry (POLLERR) or `wait` passes.
fn wait_for_error_queue(fd: RawFd, wait: Duration) {
    let mut pfd = libc::pollfd {
        fd,
        events: 0, // POLLERR is always reported
        revents: 0,
    };
    let ts = libc::timespec {
        tv_sec: wait.as_secs() as libc::time_t,
        tv_nsec: wait.subsec_nanos() as libc::c_long,
    };
    // SAFETY: one valid pollfd, the count says 1; a valid timespec; no mask.
    unsafe { libc::ppoll(&mut pfd, 1, &ts, std::ptr::null()) };
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::time::TimeSpec;

    #[test]
    fn differences_are_never_negative() {
        let a = KernelTime::from_nanos(1_000_000);
        let b = KernelTime::from_nanos(1_012_500);
        assert_eq!(a.micros_until(b), Some(12.5));
        assert_eq!(b.micros_until(a), None);
        assert_eq!(a.micros_until(a), Some(0.0));
        assert_eq!(KernelTime::from_timespec(&TimeSpec::new(0, 0)), None);
        assert_eq!(
            KernelTime::from_timespec(&TimeSpec::new(2, 5)),
            Some(KernelTime::from_nanos(2_000_000_005))
        );
    }

    #[test]
    fn a_round_trip_needs_both_stamps_and_must_fit_the_apps() {
        let sent = Some(KernelTime::from_nanos(1_000_000));
        let received = Some(KernelTime::from_nanos(1_030_000));
        let app = Duration::from_micros(45);
        assert_eq!(round_trip(sent, received, app), Some(30.0));
        assert_eq!(round_trip(None, received, app), None);
        assert_eq!(round_trip(sent, None, app), None);
        assert_eq!(round_trip(received, sent, app), None, "negative");
        assert_eq!(
            round_trip(sent, received, Duration::from_micros(29)),
            None,
            "longer than the app's: the clock was stepped"
        );
    }

    #[test]
    fn ids_wrap() {
        assert!(at_or_after(5, 5));
        assert!(at_or_after(6, 5));
        assert!(!at_or_after(4, 5));
        assert!(at_or_after(1, u32::MAX));
        assert!(!at_or_after(u32::MAX, 1));
    }

    #[test]
    fn udp_on_loopback_is_stamped_both_ways() {
        let keep = KeepOn::new();
        assert!(keep.live, "receive stamping on within {KEEP_ON_WAIT:?}");
        let server = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        enable(&client).unwrap();
        enable(&server).unwrap();
        client.connect(server.local_addr().unwrap()).unwrap();
        let mut tx = TxStamps::default();
        let mut rx = Receiver::default();
        let mut buf = [0u8; 16];
        use std::os::fd::AsRawFd;
        for id in 0..3u32 {
            client.send(b"ping").unwrap();
            let got = rx
                .recv(server.as_raw_fd(), &mut buf, MsgFlags::empty())
                .unwrap();
            assert_eq!(got.len, 4);
            assert_eq!(got.from, Some(client.local_addr().unwrap()));
            let (found, sent) = tx.take(client.as_raw_fd(), id).expect("a transmit stamp");
            assert_eq!(found, id);
            let one_way = sent.micros_until(got.at.expect("a receive stamp"));
            assert!(one_way.is_some_and(|us| us < 1_000_000.0), "{one_way:?}");
        }
    }
}
