//! `IP_RECVERR`: the kernel queues every ICMP error for the socket, with the
//! ICMP type/code, the reporting address and the start of the datagram that
//! caused it. Without it a connected UDP socket sees only "hard" errors (port
//! unreachable), never host unreachable; with it, ARP failure and ICMP host
//! unreachable both surface. The quoted datagram carries our `seq=N ` so a
//! late error is not blamed on the current probe.
//!
//! The same queue carries transmit time stamps ([`crate::kstamp`]), so each
//! entry is read as an [`Entry`]: an error, or a stamp.

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd};

use nix::sys::socket::{self, ControlMessageOwned, MsgFlags, SockaddrStorage, sockopt};

use crate::clock::KernelTime;
use crate::payload;

/// What one read of the error queue found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An ICMP or local error.
    Error(QueuedError),
    /// A transmit time stamp (`SO_EE_ORIGIN_TIMESTAMPING`) with its id.
    Sent { id: u32, at: KernelTime },
}

/// One entry of the socket's error queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedError {
    pub errno: i32,
    /// SO_EE_ORIGIN_* (1 local, 2 ICMP, 3 ICMPv6).
    pub origin: u8,
    pub icmp_type: u8,
    pub icmp_code: u8,
    /// Who reported the error (the router or host that sent the ICMP).
    pub offender: Option<IpAddr>,
    /// Sequence number of the datagram that caused it, if quoted.
    pub seq: Option<u64>,
}

/// Turns on IP_RECVERR (IPV6_RECVERR for an IPv6 socket).
pub fn enable(sock: &impl AsFd, v6: bool) -> io::Result<()> {
    let res = if v6 {
        socket::setsockopt(sock, sockopt::Ipv6RecvErr, &true)
    } else {
        socket::setsockopt(sock, sockopt::Ipv4RecvErr, &true)
    };
    res.map_err(io::Error::from)
}

/// Reads every queued error without blocking (time stamps among them are
/// dropped). Reading also clears the socket's pending error (the kernel
/// re-arms it from the next entry).
pub fn drain(sock: &impl AsRawFd) -> Vec<QueuedError> {
    let mut out = Vec::new();
    // Bounded: the queue is limited by the receive buffer anyway.
    for _ in 0..1024 {
        match read_entry(sock.as_raw_fd()) {
            Some(Entry::Error(e)) => out.push(e),
            Some(Entry::Sent { .. }) => {}
            None => break,
        }
    }
    out
}

/// SO_EE_ORIGIN_TIMESTAMPING: the entry is a transmit time stamp.
const ORIGIN_TIMESTAMPING: u8 = 4;

/// Reads one entry of the error queue without blocking; None when it is
/// empty. An entry that is neither an error nor a stamp is skipped.
pub fn read_entry(fd: i32) -> Option<Entry> {
    // Bounded like `drain`: unreadable entries are skipped, not looped on.
    for _ in 0..1024 {
        match read_one(fd) {
            Read::Empty => return None,
            Read::Other => continue,
            Read::Entry(e) => return Some(e),
        }
    }
    None
}

enum Read {
    Empty,
    Other,
    Entry(Entry),
}

fn read_one(fd: i32) -> Read {
    let mut data = [0u8; 64];
    let mut iov = [IoSliceMut::new(&mut data)];
    let mut cmsg = nix::cmsg_space!(
        libc::sock_extended_err,
        libc::sockaddr_in6,
        [libc::timespec; 3]
    );
    let Ok(msg) = socket::recvmsg::<SockaddrStorage>(
        fd,
        &mut iov,
        Some(&mut cmsg),
        MsgFlags::MSG_ERRQUEUE | MsgFlags::MSG_DONTWAIT,
    ) else {
        return Read::Empty;
    };
    let len = msg.bytes;
    let mut found = None;
    let mut stamp = None;
    let Ok(cmsgs) = msg.cmsgs() else {
        return Read::Other;
    };
    for c in cmsgs {
        found = match c {
            ControlMessageOwned::Ipv4RecvErr(ee, from) => Some((
                ee,
                from.map(|a| IpAddr::V4(Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr)))),
            )),
            ControlMessageOwned::Ipv6RecvErr(ee, from) => Some((
                ee,
                from.map(|a| IpAddr::V6(Ipv6Addr::from(a.sin6_addr.s6_addr))),
            )),
            ControlMessageOwned::ScmTimestampsns(ts) => {
                stamp = KernelTime::from_timespec(&ts.system);
                continue;
            }
            _ => continue,
        };
    }
    // An entry without extended info: nothing to report, skip it.
    let Some((ee, offender)) = found else {
        return Read::Other;
    };
    if ee.ee_origin == ORIGIN_TIMESTAMPING {
        return match stamp {
            Some(at) => Read::Entry(Entry::Sent { id: ee.ee_data, at }),
            None => Read::Other,
        };
    }
    Read::Entry(Entry::Error(QueuedError {
        errno: ee.ee_errno as i32,
        origin: ee.ee_origin,
        icmp_type: ee.ee_type,
        icmp_code: ee.ee_code,
        offender: offender.filter(|ip| !ip.is_unspecified()),
        seq: payload::parse_seq(&data[..len.min(data.len())]),
    }))
}

impl QueuedError {
    /// E.g. "ICMP port unreachable from 127.0.0.1".
    pub fn describe(&self) -> String {
        let what = match (self.origin, self.icmp_type, self.icmp_code) {
            (2, 3, 0) => "ICMP net unreachable".to_string(),
            (2, 3, 1) => "ICMP host unreachable".to_string(),
            (2, 3, 2) => "ICMP protocol unreachable".to_string(),
            (2, 3, 3) => "ICMP port unreachable".to_string(),
            (2, 3, 4) => "ICMP fragmentation needed".to_string(),
            (2, 3, 9 | 10 | 13) => {
                format!("ICMP administratively prohibited (code {})", self.icmp_code)
            }
            (2, t, c) => format!("ICMP type {t} code {c}"),
            (3, 1, 0) => "ICMPv6 no route".to_string(),
            (3, 1, 1) => "ICMPv6 administratively prohibited".to_string(),
            (3, 1, 3) => "ICMPv6 address unreachable".to_string(),
            (3, 1, 4) => "ICMPv6 port unreachable".to_string(),
            (3, t, c) => format!("ICMPv6 type {t} code {c}"),
            (1, ..) => "local error".to_string(),
            (o, ..) => format!("error of origin {o}"),
        };
        match self.offender {
            Some(ip) => format!("{what} from {ip}"),
            None => what,
        }
    }
}
