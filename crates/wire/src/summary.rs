//! Packets -> conversations (flows) -> a short list of wire events each.
//! Consecutive equal events collapse into one with a count, so 100 lost SYNs
//! read as one line; pure ACKs other than the handshake's are only counted.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::packet::{ACK, Decoded, Endpoint, FIN, Packet, RST, SYN};

/// A whole capture, summed up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WireSummary {
    /// Frames in the capture.
    pub packets: u64,
    /// Frames that belong to no flow below (IPv6, other ICMP, ...).
    pub other: u64,
    /// From the first frame to the last, milliseconds.
    pub duration_ms: f64,
    /// Conversations in order of their first packet.
    pub flows: Vec<Flow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowProto {
    Tcp,
    Udp,
    Arp,
}

/// One conversation: a TCP connection, a UDP socket pair, or the ARP
/// exchange for one address. The client is the side that spoke first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    pub proto: FlowProto,
    /// `IP:PORT` (TCP, UDP) or the asking IP (ARP).
    pub client: String,
    /// `IP:PORT` (TCP, UDP) or the IP asked for (ARP).
    pub server: String,
    /// Time of the first packet, ms since the capture's first frame.
    pub start_ms: f64,
    pub events: Vec<WireEvent>,
    /// Packets each way (every packet, pure ACKs included).
    pub to_server: u64,
    pub to_client: u64,
}

/// Which way a packet went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dir {
    ToServer,
    ToClient,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireKind {
    Syn,
    /// A SYN with the sequence number of an earlier one: nobody answered.
    SynRetransmit,
    SynAck,
    /// The ACK that completes the three-way handshake.
    HandshakeAck,
    Data,
    /// Data already sent once (its bytes were not acknowledged in time).
    Retransmit,
    Fin,
    Rst,
    Datagram,
    /// ICMP destination unreachable; `code` says which (3 = port).
    IcmpUnreachable,
    ArpRequest,
    ArpReply,
}

/// One step of a conversation, possibly repeated `count` times in a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEvent {
    /// First and last occurrence, ms since the capture's first frame.
    pub at_ms: f64,
    pub last_ms: f64,
    pub dir: Dir,
    pub kind: WireKind,
    /// Payload bytes (summed over `count`).
    pub bytes: u64,
    pub count: u32,
    /// ICMP code for `icmp_unreachable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<u8>,
}

impl Flow {
    /// The kinds of its events in order (a collapsed event appears once).
    pub fn kinds(&self) -> Vec<WireKind> {
        self.events.iter().map(|e| e.kind).collect()
    }

    /// How many packets of `kind` it saw.
    pub fn count(&self, kind: WireKind) -> u32 {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.count)
            .sum()
    }

    /// An ARP request nobody answered, or a SYN nobody answered.
    pub fn unanswered(&self) -> bool {
        match self.proto {
            FlowProto::Arp => self.count(WireKind::ArpReply) == 0,
            FlowProto::Tcp => self.to_client == 0 && self.count(WireKind::Syn) > 0,
            FlowProto::Udp => false,
        }
    }
}

impl WireSummary {
    /// Flows of one protocol.
    pub fn flows_of(&self, proto: FlowProto) -> impl Iterator<Item = &Flow> {
        self.flows.iter().filter(move |f| f.proto == proto)
    }
}

/// Per side of a TCP connection: what it has sent so far.
#[derive(Default)]
struct Side {
    syn_seq: Option<u32>,
    /// End (seq + len) of the highest data sent.
    high: Option<u32>,
}

#[derive(Default)]
struct TcpState {
    client: Side,
    server: Side,
    synack_seen: bool,
    handshake_acked: bool,
    closed: bool,
}

struct Builder {
    t0: u64,
    flows: Vec<Flow>,
    tcp: Vec<TcpState>,
    /// (proto, lower endpoint, higher endpoint) -> flow index; ARP by (asker, target).
    index: HashMap<(u8, Endpoint, Endpoint), usize>,
}

fn ep(e: Endpoint) -> String {
    format!("{}:{}", e.0, e.1)
}

fn key(proto: u8, a: Endpoint, b: Endpoint) -> (u8, Endpoint, Endpoint) {
    if a <= b { (proto, a, b) } else { (proto, b, a) }
}

impl Builder {
    fn ms(&self, at_us: u64) -> f64 {
        ((at_us.saturating_sub(self.t0)) as f64 / 100.0).round() / 10.0
    }

    /// The flow of `src -> dst`, created with `src` as client if new.
    fn flow(&mut self, proto: u8, src: Endpoint, dst: Endpoint, at: f64) -> usize {
        let k = key(proto, src, dst);
        if let Some(&i) = self.index.get(&k) {
            return i;
        }
        self.new_flow(proto, src, dst, at)
    }

    fn new_flow(&mut self, proto: u8, src: Endpoint, dst: Endpoint, at: f64) -> usize {
        let (p, client, server) = match proto {
            6 => (FlowProto::Tcp, ep(src), ep(dst)),
            17 => (FlowProto::Udp, ep(src), ep(dst)),
            _ => (FlowProto::Arp, src.0.to_string(), dst.0.to_string()),
        };
        self.flows.push(Flow {
            proto: p,
            client,
            server,
            start_ms: at,
            events: Vec::new(),
            to_server: 0,
            to_client: 0,
        });
        self.tcp.push(TcpState::default());
        let i = self.flows.len() - 1;
        self.index.insert(key(proto, src, dst), i);
        i
    }

    fn dir(&self, i: usize, src: &str) -> Dir {
        if self.flows[i].client == src {
            Dir::ToServer
        } else {
            Dir::ToClient
        }
    }

    fn count(&mut self, i: usize, dir: Dir) {
        match dir {
            Dir::ToServer => self.flows[i].to_server += 1,
            Dir::ToClient => self.flows[i].to_client += 1,
        }
    }

    fn push(&mut self, i: usize, at: f64, dir: Dir, kind: WireKind, bytes: u64, code: Option<u8>) {
        let events = &mut self.flows[i].events;
        if let Some(last) = events.last_mut()
            && last.dir == dir
            && last.kind == kind
            && last.code == code
        {
            last.count += 1;
            last.bytes += bytes;
            last.last_ms = at;
            return;
        }
        events.push(WireEvent {
            at_ms: at,
            last_ms: at,
            dir,
            kind,
            bytes,
            count: 1,
            code,
        });
    }

    fn tcp(&mut self, at: f64, src: Endpoint, dst: Endpoint, seq: u32, flags: u8, len: u32) {
        let syn_only = flags & (SYN | ACK) == SYN;
        let mut i = self.flow(6, src, dst, at);
        // A new connection reusing the ports of a finished one.
        if syn_only && self.tcp[i].closed && self.tcp[i].client.syn_seq != Some(seq) {
            i = self.new_flow(6, src, dst, at);
        }
        if self.flows[i].events.is_empty() && flags & (SYN | ACK) == SYN | ACK {
            // Capture began after the SYN: the SYN-ACK's sender is the server.
            self.flows[i].client = ep(dst);
            self.flows[i].server = ep(src);
        }
        let dir = self.dir(i, &ep(src));
        self.count(i, dir);
        let st = &mut self.tcp[i];
        let side = match dir {
            Dir::ToServer => &mut st.client,
            Dir::ToClient => &mut st.server,
        };
        let mut events: Vec<(WireKind, u64)> = Vec::new();
        if flags & SYN != 0 {
            let again = side.syn_seq == Some(seq);
            side.syn_seq = Some(seq);
            side.high = Some(seq.wrapping_add(1));
            events.push(match (flags & ACK != 0, again) {
                (false, false) => (WireKind::Syn, 0),
                (false, true) => (WireKind::SynRetransmit, 0),
                (true, _) => {
                    st.synack_seen = true;
                    (WireKind::SynAck, 0)
                }
            });
        } else if flags & RST != 0 {
            st.closed = true;
            events.push((WireKind::Rst, 0));
        } else {
            if len > 0 {
                let end = seq.wrapping_add(len);
                let old = side.high.is_some_and(|h| (end.wrapping_sub(h) as i32) <= 0);
                if !old {
                    side.high = Some(end);
                }
                let kind = if old {
                    WireKind::Retransmit
                } else {
                    WireKind::Data
                };
                events.push((kind, u64::from(len)));
            }
            if flags & FIN != 0 {
                st.closed = true;
                events.push((WireKind::Fin, 0));
            } else if len == 0 && dir == Dir::ToServer && st.synack_seen && !st.handshake_acked {
                events.push((WireKind::HandshakeAck, 0));
            }
            if dir == Dir::ToServer && st.synack_seen {
                st.handshake_acked = true;
            }
        }
        for (kind, bytes) in events {
            self.push(i, at, dir, kind, bytes, None);
        }
    }
}

/// Sums up decoded packets (in capture order).
pub fn summarize_packets(packets: &[Packet]) -> WireSummary {
    let t0 = packets.iter().map(|p| p.at_us).min().unwrap_or(0);
    let t1 = packets.iter().map(|p| p.at_us).max().unwrap_or(0);
    let mut b = Builder {
        t0,
        flows: Vec::new(),
        tcp: Vec::new(),
        index: HashMap::new(),
    };
    let mut other = 0;
    for p in packets {
        let at = b.ms(p.at_us);
        match &p.decoded {
            Decoded::Tcp {
                src,
                dst,
                seq,
                flags,
                payload,
            } => b.tcp(at, *src, *dst, *seq, *flags, *payload),
            Decoded::Udp { src, dst, payload } => {
                let i = b.flow(17, *src, *dst, at);
                let dir = b.dir(i, &ep(*src));
                b.count(i, dir);
                b.push(i, at, dir, WireKind::Datagram, u64::from(*payload), None);
            }
            Decoded::Unreachable {
                code,
                inner: Some((proto @ (6 | 17), src, dst)),
                ..
            } => {
                // The error answers the quoted packet's sender.
                let i = b.flow(*proto, *src, *dst, at);
                let dir = match b.dir(i, &ep(*src)) {
                    Dir::ToServer => Dir::ToClient,
                    Dir::ToClient => Dir::ToServer,
                };
                b.count(i, dir);
                b.push(i, at, dir, WireKind::IcmpUnreachable, 0, Some(*code));
            }
            Decoded::Arp {
                request,
                sender,
                target,
            } => {
                // Keyed by (asker, asked-for); a reply comes from the asked-for.
                let (asker, asked) = if *request {
                    (*sender, *target)
                } else {
                    (*target, *sender)
                };
                let i = b.flow(0, (asker, 0), (asked, 0), at);
                let (dir, kind) = if *request {
                    (Dir::ToServer, WireKind::ArpRequest)
                } else {
                    (Dir::ToClient, WireKind::ArpReply)
                };
                b.count(i, dir);
                b.push(i, at, dir, kind, 0, None);
            }
            Decoded::Unreachable { .. } | Decoded::Other => other += 1,
        }
    }
    WireSummary {
        packets: packets.len() as u64,
        other,
        duration_ms: b.ms(t1),
        flows: b.flows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{build, decode};

    const C: [u8; 4] = [10, 0, 0, 2];
    const S: [u8; 4] = [10, 0, 0, 3];

    fn pk(ms: u64, frame: Vec<u8>) -> Packet {
        Packet {
            at_us: 1_000_000_000 + ms * 1000,
            decoded: decode(101, &frame),
        }
    }

    fn tcp(ms: u64, to_server: bool, seq: u32, flags: u8, data: usize) -> Packet {
        let f = if to_server {
            build::tcp(C, 40000, S, 12000, seq, flags, data)
        } else {
            build::tcp(S, 12000, C, 40000, seq, flags, data)
        };
        pk(ms, f)
    }

    #[test]
    fn handshake_data_and_close() {
        let s = summarize_packets(&[
            tcp(0, true, 100, SYN, 0),
            tcp(1, false, 500, SYN | ACK, 0),
            tcp(1, true, 101, ACK, 0),
            tcp(2, true, 101, ACK, 17),
            tcp(3, false, 501, ACK, 0),
            tcp(3, false, 501, ACK, 17),
            tcp(4, true, 118, ACK, 0),
            tcp(5, true, 118, FIN | ACK, 0),
            tcp(5, false, 518, FIN | ACK, 0),
            tcp(6, true, 119, ACK, 0),
        ]);
        assert_eq!(s.flows.len(), 1);
        let f = &s.flows[0];
        assert_eq!(
            (f.client.as_str(), f.server.as_str()),
            ("10.0.0.2:40000", "10.0.0.3:12000")
        );
        use WireKind::*;
        assert_eq!(f.kinds(), [Syn, SynAck, HandshakeAck, Data, Data, Fin, Fin]);
        assert_eq!(f.events[3].dir, Dir::ToServer);
        assert_eq!(f.events[4].dir, Dir::ToClient);
        assert_eq!(f.events[4].bytes, 17);
        assert_eq!((f.to_server, f.to_client), (6, 4));
        assert_eq!(s.duration_ms, 6.0);
    }

    #[test]
    fn closed_port_is_syn_then_rst() {
        let s = summarize_packets(&[tcp(0, true, 100, SYN, 0), tcp(0, false, 0, RST | ACK, 0)]);
        let f = &s.flows[0];
        assert_eq!(f.kinds(), [WireKind::Syn, WireKind::Rst]);
        assert_eq!(f.events[1].dir, Dir::ToClient);
        assert!(!f.unanswered());
    }

    #[test]
    fn retransmitted_syns_collapse_and_count() {
        let s = summarize_packets(&[
            tcp(0, true, 100, SYN, 0),
            tcp(1000, true, 100, SYN, 0),
            tcp(3000, true, 100, SYN, 0),
        ]);
        let f = &s.flows[0];
        assert_eq!(f.kinds(), [WireKind::Syn, WireKind::SynRetransmit]);
        assert_eq!(f.count(WireKind::SynRetransmit), 2);
        assert_eq!((f.events[1].at_ms, f.events[1].last_ms), (1000.0, 3000.0));
        assert!(f.unanswered());
    }

    #[test]
    fn retransmitted_data_is_told_apart() {
        let s = summarize_packets(&[
            tcp(0, true, 100, SYN, 0),
            tcp(1, false, 500, SYN | ACK, 0),
            tcp(1, true, 101, ACK, 0),
            tcp(2, true, 101, ACK, 17),
            tcp(250, true, 101, ACK, 17),
        ]);
        use WireKind::*;
        assert_eq!(
            s.flows[0].kinds(),
            [Syn, SynAck, HandshakeAck, Data, Retransmit]
        );
    }

    #[test]
    fn a_new_connection_on_reused_ports_is_a_new_flow() {
        let s = summarize_packets(&[
            tcp(0, true, 100, SYN, 0),
            tcp(0, false, 0, RST | ACK, 0),
            tcp(10, true, 9000, SYN, 0),
            tcp(10, false, 0, RST | ACK, 0),
        ]);
        assert_eq!(s.flows.len(), 2);
        assert_eq!(s.flows[1].kinds(), [WireKind::Syn, WireKind::Rst]);
    }

    #[test]
    fn udp_with_icmp_port_unreachable() {
        let req = build::udp(C, 50000, S, 12000, 17);
        let s = summarize_packets(&[
            pk(0, req.clone()),
            pk(0, build::unreachable(S, C, 3, &req)),
            pk(100, req.clone()),
            pk(200, req),
            pk(201, build::udp(S, 12000, C, 50000, 17)),
        ]);
        let f = &s.flows[0];
        assert_eq!(f.proto, FlowProto::Udp);
        use WireKind::*;
        assert_eq!(f.kinds(), [Datagram, IcmpUnreachable, Datagram, Datagram]);
        assert_eq!(f.events[1].code, Some(3));
        assert_eq!(f.events[1].dir, Dir::ToClient);
        assert_eq!(f.events[2].count, 2);
        assert_eq!(f.events[2].bytes, 34);
        assert_eq!((f.to_server, f.to_client), (3, 2));
    }

    #[test]
    fn arp_without_reply_and_with_reply() {
        let absent = [10, 0, 0, 254];
        let eth = |f: Vec<u8>| build::ether(0x0806, &f);
        let packets: Vec<Packet> = [
            (0, eth(build::arp(true, C, absent))),
            (0, eth(build::arp(true, C, S))),
            (0, eth(build::arp(false, S, C))),
            (1000, eth(build::arp(true, C, absent))),
            (2000, eth(build::arp(true, C, absent))),
        ]
        .into_iter()
        .map(|(ms, f)| Packet {
            at_us: ms * 1000,
            decoded: decode(1, &f),
        })
        .collect();
        let s = summarize_packets(&packets);
        assert_eq!(s.flows.len(), 2);
        let lost = &s.flows[0];
        assert_eq!(
            (lost.client.as_str(), lost.server.as_str()),
            ("10.0.0.2", "10.0.0.254")
        );
        assert_eq!(lost.count(WireKind::ArpRequest), 3);
        assert!(lost.unanswered());
        assert_eq!(
            s.flows[1].kinds(),
            [WireKind::ArpRequest, WireKind::ArpReply]
        );
        assert!(!s.flows[1].unanswered());
    }
}
