//! One frame decoded down to what the summary needs: link header (Ethernet,
//! Linux cooked v1/v2, raw IP) -> IPv4 -> TCP / UDP / ICMP, or ARP.

use std::net::Ipv4Addr;

/// pcap link types (LINKTYPE_* of the tcpdump.org list).
const ETHERNET: u32 = 1;
const RAW: u32 = 101;
const LINUX_SLL: u32 = 113;
const IPV4: u32 = 228;
const LINUX_SLL2: u32 = 276;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_VLAN: u16 = 0x8100;

/// An IPv4 address and port.
pub type Endpoint = (Ipv4Addr, u16);

/// A captured frame with its time (µs since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub at_us: u64,
    pub decoded: Decoded,
}

/// What a frame carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    Tcp {
        src: Endpoint,
        dst: Endpoint,
        seq: u32,
        flags: u8,
        payload: u32,
    },
    Udp {
        src: Endpoint,
        dst: Endpoint,
        payload: u32,
    },
    /// ICMP destination unreachable, with the UDP/TCP ports of the packet it answers.
    Unreachable {
        from: Ipv4Addr,
        to: Ipv4Addr,
        code: u8,
        /// The offending packet: protocol number, its source and destination.
        inner: Option<(u8, Endpoint, Endpoint)>,
    },
    Arp {
        request: bool,
        sender: Ipv4Addr,
        target: Ipv4Addr,
    },
    /// Anything else (IPv6, other ICMP, fragments, unknown link types).
    Other,
}

pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const ACK: u8 = 0x10;

/// Decodes one frame of link type `linktype`. Truncated or unknown frames
/// are `Other`, never an error: one odd frame must not hide the rest.
pub fn decode(linktype: u32, frame: &[u8]) -> Decoded {
    let (ethertype, rest) = match link(linktype, frame) {
        Some(v) => v,
        None => return Decoded::Other,
    };
    match ethertype {
        ETHERTYPE_IPV4 => ipv4(rest).unwrap_or(Decoded::Other),
        ETHERTYPE_ARP => arp(rest).unwrap_or(Decoded::Other),
        _ => Decoded::Other,
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn addr(b: &[u8], at: usize) -> Option<Ipv4Addr> {
    let o: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(Ipv4Addr::from(o))
}

/// The ethertype and the bytes after the link header.
fn link(linktype: u32, f: &[u8]) -> Option<(u16, &[u8])> {
    match linktype {
        ETHERNET => {
            let mut t = be16(f, 12)?;
            let mut at = 14;
            if t == ETHERTYPE_VLAN {
                t = be16(f, 16)?;
                at = 18;
            }
            Some((t, f.get(at..)?))
        }
        LINUX_SLL => Some((be16(f, 14)?, f.get(16..)?)),
        LINUX_SLL2 => Some((be16(f, 0)?, f.get(20..)?)),
        RAW | IPV4 => match f.first()? >> 4 {
            4 => Some((ETHERTYPE_IPV4, f)),
            _ => None,
        },
        _ => None,
    }
}

fn ipv4(b: &[u8]) -> Option<Decoded> {
    if b.first()? >> 4 != 4 {
        return None;
    }
    let ihl = usize::from(b[0] & 0x0f) * 4;
    let total = usize::from(be16(b, 2)?);
    let frag = be16(b, 6)? & 0x1fff;
    let proto = *b.get(9)?;
    let src = addr(b, 12)?;
    let dst = addr(b, 16)?;
    if frag != 0 || ihl < 20 || total < ihl {
        return Some(Decoded::Other);
    }
    let l4 = b.get(ihl..)?;
    // The IP length, not the frame's, counts: Ethernet pads short frames.
    let l4_len = total - ihl;
    match proto {
        6 => {
            let off = usize::from(l4.get(12)? >> 4) * 4;
            Some(Decoded::Tcp {
                src: (src, be16(l4, 0)?),
                dst: (dst, be16(l4, 2)?),
                seq: be32(l4, 4)?,
                flags: *l4.get(13)?,
                payload: l4_len.saturating_sub(off) as u32,
            })
        }
        17 => Some(Decoded::Udp {
            src: (src, be16(l4, 0)?),
            dst: (dst, be16(l4, 2)?),
            payload: usize::from(be16(l4, 4)?).saturating_sub(8) as u32,
        }),
        1 if *l4.first()? == 3 => Some(Decoded::Unreachable {
            from: src,
            to: dst,
            code: *l4.get(1)?,
            inner: l4.get(8..).and_then(inner_packet),
        }),
        _ => Some(Decoded::Other),
    }
}

/// The IP header + first 8 bytes of the packet an ICMP error quotes.
fn inner_packet(b: &[u8]) -> Option<(u8, Endpoint, Endpoint)> {
    let ihl = usize::from(b.first()? & 0x0f) * 4;
    let proto = *b.get(9)?;
    let l4 = b.get(ihl..)?;
    Some((
        proto,
        (addr(b, 12)?, be16(l4, 0)?),
        (addr(b, 16)?, be16(l4, 2)?),
    ))
}

fn arp(b: &[u8]) -> Option<Decoded> {
    // Ethernet + IPv4 ARP only: hardware length 6, protocol length 4.
    if be16(b, 2)? != ETHERTYPE_IPV4 || *b.get(4)? != 6 || *b.get(5)? != 4 {
        return Some(Decoded::Other);
    }
    let op = be16(b, 6)?;
    Some(Decoded::Arp {
        request: op == 1,
        sender: addr(b, 14)?,
        target: addr(b, 24)?,
    })
}

#[cfg(test)]
pub(crate) mod build {
    //! Hand-made frames for the tests.

    pub fn ip(proto: u8, src: [u8; 4], dst: [u8; 4], l4: &[u8]) -> Vec<u8> {
        let mut p = vec![0x45, 0];
        p.extend(((20 + l4.len()) as u16).to_be_bytes());
        p.extend([0, 1, 0x40, 0, 64, proto, 0, 0]);
        p.extend(src);
        p.extend(dst);
        p.extend(l4);
        p
    }

    pub fn tcp(
        src: [u8; 4],
        sp: u16,
        dst: [u8; 4],
        dp: u16,
        seq: u32,
        flags: u8,
        data: usize,
    ) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend(sp.to_be_bytes());
        t.extend(dp.to_be_bytes());
        t.extend(seq.to_be_bytes());
        t.extend(0u32.to_be_bytes());
        t.extend([0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        t.extend(vec![b'x'; data]);
        ip(6, src, dst, &t)
    }

    pub fn udp(src: [u8; 4], sp: u16, dst: [u8; 4], dp: u16, data: usize) -> Vec<u8> {
        let mut u = Vec::new();
        u.extend(sp.to_be_bytes());
        u.extend(dp.to_be_bytes());
        u.extend(((8 + data) as u16).to_be_bytes());
        u.extend([0, 0]);
        u.extend(vec![b'x'; data]);
        ip(17, src, dst, &u)
    }

    /// ICMP destination unreachable quoting `quoted` (an IP packet).
    pub fn unreachable(src: [u8; 4], dst: [u8; 4], code: u8, quoted: &[u8]) -> Vec<u8> {
        let mut i = vec![3, code, 0, 0, 0, 0, 0, 0];
        i.extend(&quoted[..quoted.len().min(28)]);
        ip(1, src, dst, &i)
    }

    pub fn arp(request: bool, sender: [u8; 4], target: [u8; 4]) -> Vec<u8> {
        let mut a = vec![0, 1, 8, 0, 6, 4, 0, if request { 1 } else { 2 }];
        a.extend([2, 0, 0, 0, 0, 1]);
        a.extend(sender);
        a.extend([0; 6]);
        a.extend(target);
        a
    }

    /// Wraps a network-layer packet in an Ethernet header.
    pub fn ether(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0xff; 6];
        f.extend([2, 0, 0, 0, 0, 1]);
        f.extend(ethertype.to_be_bytes());
        f.extend(payload);
        f
    }

    /// Wraps it in a Linux cooked (SLL v1) header, as `tcpdump -i any` wrote before 4.99.
    pub fn sll(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0];
        f.extend(ethertype.to_be_bytes());
        f.extend(payload);
        f
    }

    /// Wraps it in a Linux cooked v2 header (`tcpdump -i any` from 4.99 on).
    pub fn sll2(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut f = ethertype.to_be_bytes().to_vec();
        f.extend([0, 0, 0, 0, 0, 2, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
        f.extend(payload);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::build::{self, ether, sll, sll2, tcp, udp, unreachable};
    use super::*;

    const C: [u8; 4] = [10, 0, 0, 2];
    const S: [u8; 4] = [10, 0, 0, 3];

    #[test]
    fn tcp_over_each_link_type() {
        let pkt = tcp(C, 40000, S, 12000, 7, SYN, 0);
        let want = Decoded::Tcp {
            src: (C.into(), 40000),
            dst: (S.into(), 12000),
            seq: 7,
            flags: SYN,
            payload: 0,
        };
        assert_eq!(decode(ETHERNET, &ether(0x0800, &pkt)), want);
        assert_eq!(decode(LINUX_SLL, &sll(0x0800, &pkt)), want);
        assert_eq!(decode(LINUX_SLL2, &sll2(0x0800, &pkt)), want);
        assert_eq!(decode(RAW, &pkt), want);
    }

    #[test]
    fn ethernet_padding_does_not_count_as_data() {
        let mut frame = ether(0x0800, &tcp(C, 1, S, 2, 0, ACK, 0));
        frame.extend([0; 6]); // padded to the 60-byte minimum
        let Decoded::Tcp { payload, .. } = decode(ETHERNET, &frame) else {
            panic!("tcp")
        };
        assert_eq!(payload, 0);
    }

    #[test]
    fn udp_icmp_arp_and_garbage() {
        let req = udp(C, 50000, S, 12000, 17);
        assert_eq!(
            decode(RAW, &req),
            Decoded::Udp {
                src: (C.into(), 50000),
                dst: (S.into(), 12000),
                payload: 17
            }
        );
        assert_eq!(
            decode(RAW, &unreachable(S, C, 3, &req)),
            Decoded::Unreachable {
                from: S.into(),
                to: C.into(),
                code: 3,
                inner: Some((17, (C.into(), 50000), (S.into(), 12000))),
            }
        );
        assert_eq!(
            decode(ETHERNET, &ether(0x0806, &build::arp(true, C, S))),
            Decoded::Arp {
                request: true,
                sender: C.into(),
                target: S.into()
            }
        );
        assert_eq!(decode(ETHERNET, &[1, 2, 3]), Decoded::Other);
        assert_eq!(
            decode(ETHERNET, &ether(0x86dd, &[0x60; 40])),
            Decoded::Other
        );
        assert_eq!(decode(999, &req), Decoded::Other);
    }
}
