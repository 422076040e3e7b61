//! The classic pcap container (what `tcpdump -w` writes): a 24-byte global
//! header, then records of 16-byte header + captured bytes. Both byte orders
//! and both timestamp resolutions (µs, ns) are accepted.

/// One captured frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Capture time, microseconds since the Unix epoch.
    pub at_us: u64,
    /// The captured bytes (possibly cut at the snap length).
    pub data: &'a [u8],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PcapError {
    #[error(
        "not a pcap file (magic {0:#010x}); expected the classic pcap format that `tcpdump -w` writes"
    )]
    Magic(u32),
    #[error("pcap file is {0} bytes, shorter than its 24-byte header")]
    Short(usize),
}

/// The link type and the records. A record cut short by the end of the file
/// (tcpdump stopped mid-write) ends the list instead of failing it.
pub fn read_pcap(bytes: &[u8]) -> Result<(u32, Vec<Record<'_>>), PcapError> {
    if bytes.len() < 24 {
        return Err(PcapError::Short(bytes.len()));
    }
    let magic = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let (big_endian, nanos) = match magic {
        0xa1b2_c3d4 => (false, false),
        0xa1b2_3c4d => (false, true),
        0xd4c3_b2a1 => (true, false),
        0x4d3c_b2a1 => (true, true),
        other => return Err(PcapError::Magic(other)),
    };
    let u32_at = |at: usize| {
        let b = [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let linktype = u32_at(20) & 0x0fff_ffff;
    let mut records = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let secs = u64::from(u32_at(at));
        let frac = u64::from(u32_at(at + 4));
        let incl = u32_at(at + 8) as usize;
        let start = at + 16;
        let Some(data) = bytes.get(start..start + incl) else {
            break;
        };
        let sub_us = if nanos { frac / 1_000 } else { frac };
        records.push(Record {
            at_us: secs * 1_000_000 + sub_us,
            data,
        });
        at = start + incl;
    }
    Ok((linktype, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(magic: [u8; 4], linktype: u32) -> Vec<u8> {
        let mut h = magic.to_vec();
        h.extend([2, 0, 4, 0]); // version 2.4
        h.extend([0; 8]); // thiszone, sigfigs
        h.extend(65535u32.to_le_bytes());
        h.extend(linktype.to_le_bytes());
        h
    }

    #[test]
    fn reads_records_and_stops_at_a_cut_one() {
        let mut f = header([0xd4, 0xc3, 0xb2, 0xa1], 1);
        for (sec, usec, data) in [(10u32, 5u32, &b"abc"[..]), (11, 0, &b"de"[..])] {
            f.extend(sec.to_le_bytes());
            f.extend(usec.to_le_bytes());
            f.extend((data.len() as u32).to_le_bytes());
            f.extend((data.len() as u32).to_le_bytes());
            f.extend(data);
        }
        f.extend([1, 2, 3]); // a cut record header
        let (lt, recs) = read_pcap(&f).unwrap();
        assert_eq!(lt, 1);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].at_us, 10_000_005);
        assert_eq!(recs[0].data, b"abc");
        assert_eq!(recs[1].data, b"de");
    }

    #[test]
    fn nanosecond_magic_and_bad_magic() {
        let mut f = header([0x4d, 0x3c, 0xb2, 0xa1], 113);
        f.extend(1u32.to_le_bytes());
        f.extend(2_500u32.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        let (lt, recs) = read_pcap(&f).unwrap();
        assert_eq!((lt, recs[0].at_us), (113, 1_000_002));
        assert_eq!(read_pcap(&[0; 24]).unwrap_err(), PcapError::Magic(0));
        assert_eq!(read_pcap(&[0; 3]).unwrap_err(), PcapError::Short(3));
    }
}
