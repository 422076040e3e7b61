//! The summary in words: one line per conversation, arrows for direction
//! (`→` client to server, `←` back), `×N` for repeats.

use std::fmt;

use crate::summary::{Dir, Flow, FlowProto, WireEvent, WireKind, WireSummary};

/// Name of an ICMP destination-unreachable code (RFC 792, RFC 1812).
pub fn unreachable_name(code: u8) -> String {
    match code {
        0 => "net unreachable".into(),
        1 => "host unreachable".into(),
        2 => "protocol unreachable".into(),
        3 => "port unreachable".into(),
        4 => "fragmentation needed".into(),
        9 | 10 => "administratively prohibited".into(),
        13 => "communication administratively prohibited".into(),
        c => format!("unreachable (code {c})"),
    }
}

impl fmt::Display for WireEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arrow = match self.dir {
            Dir::ToServer => "→",
            Dir::ToClient => "←",
        };
        let what = match self.kind {
            WireKind::Syn => "SYN".to_string(),
            WireKind::SynRetransmit => "SYN retransmitted".to_string(),
            WireKind::SynAck => "SYN-ACK".to_string(),
            WireKind::HandshakeAck => "ACK".to_string(),
            WireKind::Data => format!("data {} B", self.bytes),
            WireKind::Retransmit => format!("data retransmitted {} B", self.bytes),
            WireKind::Fin => "FIN".to_string(),
            WireKind::Rst => "RST".to_string(),
            WireKind::Datagram => format!("datagram {} B", self.bytes),
            WireKind::IcmpUnreachable => {
                format!("ICMP {}", unreachable_name(self.code.unwrap_or(255)))
            }
            WireKind::ArpRequest => "ARP who-has".to_string(),
            WireKind::ArpReply => "ARP is-at".to_string(),
        };
        write!(f, "{arrow} {what}")?;
        if self.count > 1 {
            write!(f, " ×{}", self.count)?;
        }
        Ok(())
    }
}

impl Flow {
    /// `tcp 10.0.0.2:40000 → 10.0.0.3:12000 @12 ms: → SYN, ← RST`, with at
    /// most `max_events` events (the rest counted).
    pub fn line(&self, max_events: usize) -> String {
        let head = match self.proto {
            FlowProto::Tcp => format!("tcp {} → {}", self.client, self.server),
            FlowProto::Udp => format!("udp {} → {}", self.client, self.server),
            FlowProto::Arp => format!("arp {} asks for {}", self.client, self.server),
        };
        let mut parts: Vec<String> = self
            .events
            .iter()
            .take(max_events)
            .map(ToString::to_string)
            .collect();
        if self.events.len() > max_events {
            parts.push(format!("… {} more", self.events.len() - max_events));
        }
        let mut line = format!("{head} @{} ms: {}", self.start_ms, parts.join(", "));
        match self.proto {
            FlowProto::Udp => line.push_str(&format!(
                " ({} packets →, {} ←)",
                self.to_server, self.to_client
            )),
            _ if self.unanswered() => line.push_str(" — no reply"),
            _ => {}
        }
        line
    }
}

impl WireSummary {
    /// A headline and up to `max_flows` flow lines.
    pub fn lines(&self, max_flows: usize, max_events: usize) -> Vec<String> {
        let count = |p| self.flows_of(p).count();
        let mut head = format!(
            "{} packets in {} ms: {} TCP connection(s), {} UDP flow(s), {} ARP lookup(s)",
            self.packets,
            self.duration_ms.round(),
            count(FlowProto::Tcp),
            count(FlowProto::Udp),
            count(FlowProto::Arp)
        );
        if self.other > 0 {
            head.push_str(&format!(", {} other packet(s)", self.other));
        }
        let mut out = vec![head];
        out.extend(
            self.flows
                .iter()
                .take(max_flows)
                .map(|f| f.line(max_events)),
        );
        if self.flows.len() > max_flows {
            out.push(format!(
                "… {} more conversation(s): open the pcap in Wireshark",
                self.flows.len() - max_flows
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::packet::{ACK, Packet, RST, SYN, build, decode};
    use crate::summarize_packets;

    #[test]
    fn lines_read_like_the_wire() {
        let c = [10, 0, 0, 2];
        let s = [10, 0, 0, 3];
        let req = build::udp(c, 50000, s, 12000, 17);
        let frames = [
            build::tcp(c, 40000, s, 12000, 1, SYN, 0),
            build::tcp(s, 12000, c, 40000, 0, RST | ACK, 0),
            req.clone(),
            build::unreachable(s, c, 3, &req),
            build::tcp(c, 40001, s, 12000, 9, SYN, 0),
            build::tcp(c, 40001, s, 12000, 9, SYN, 0),
        ];
        let packets: Vec<Packet> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| Packet {
                at_us: i as u64 * 1000,
                decoded: decode(101, f),
            })
            .collect();
        let lines = summarize_packets(&packets).lines(2, 10);
        assert_eq!(
            lines,
            [
                "6 packets in 5 ms: 2 TCP connection(s), 1 UDP flow(s), 0 ARP lookup(s)",
                "tcp 10.0.0.2:40000 → 10.0.0.3:12000 @0 ms: → SYN, ← RST",
                "udp 10.0.0.2:50000 → 10.0.0.3:12000 @2 ms: → datagram 17 B, ← ICMP port unreachable (1 packets →, 1 ←)",
                "… 1 more conversation(s): open the pcap in Wireshark",
            ]
        );
        let all = summarize_packets(&packets).lines(5, 1);
        assert_eq!(
            all[3],
            "tcp 10.0.0.2:40001 → 10.0.0.3:12000 @4 ms: → SYN, … 1 more — no reply"
        );
    }
}
