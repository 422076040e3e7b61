//! Reads a pcap file (Ethernet, Linux cooked v1/v2 or raw IPv4) and sums it
//! up the way a student reads Wireshark: per conversation, the TCP handshake,
//! data, FIN or RST, retransmissions, UDP datagrams, the ICMP errors that
//! answer them, and ARP requests nobody answered.
//!
//! ```
//! let bytes = std::fs::read("capture.pcap").unwrap_or_default();
//! if let Ok(summary) = netlab_wire::summarize(&bytes) {
//!     for flow in &summary.flows {
//!         println!("{}", flow.line(10));
//!     }
//! }
//! ```

mod packet;
mod pcap;
mod summary;
mod text;

pub use packet::{Decoded, Packet, decode};
pub use pcap::{PcapError, Record, read_pcap};
pub use summary::{Dir, Flow, FlowProto, WireEvent, WireKind, WireSummary, summarize_packets};

/// Parses `bytes` as a pcap file and summarizes its packets.
pub fn summarize(bytes: &[u8]) -> Result<WireSummary, PcapError> {
    let (linktype, records) = read_pcap(bytes)?;
    let packets: Vec<Packet> = records
        .iter()
        .map(|r| Packet {
            at_us: r.at_us,
            decoded: decode(linktype, r.data),
        })
        .collect();
    Ok(summarize_packets(&packets))
}
