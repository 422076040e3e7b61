//! What goes on the wire. Every request starts with `seq=N ` (lowercase, so
//! the server's uppercasing shows as `SEQ=N `; digits survive it), which lets
//! the client match each reply to its probe.

/// The server's transformation: ASCII `a`-`z` to `A`-`Z`, every other byte
/// (including non-UTF-8) unchanged.
pub fn uppercase(buf: &mut [u8]) {
    buf.make_ascii_uppercase();
}

/// The reply a correct server sends for `request`.
pub fn expected_reply(request: &[u8]) -> Vec<u8> {
    let mut reply = request.to_vec();
    uppercase(&mut reply);
    reply
}

/// What follows the sequence header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// These bytes verbatim (`--message`, or one line of `--stdin`).
    Bytes(Vec<u8>),
    /// Lowercase letters `a`..`z` repeated, so the whole request is exactly
    /// this many bytes (`--size`).
    Size(usize),
}

/// Length of the header `seq=N ` for `seq`.
pub fn header_len(seq: u64) -> usize {
    format!("seq={seq} ").len()
}

/// The request bytes of probe `seq`. For [`Body::Size`] the caller has made
/// sure the size leaves room for the header (see [`header_len`]).
pub fn request(seq: u64, body: &Body) -> Vec<u8> {
    let mut req = format!("seq={seq} ").into_bytes();
    match body {
        Body::Bytes(bytes) => req.extend_from_slice(bytes),
        Body::Size(size) => {
            let pad = size.saturating_sub(req.len());
            req.extend((0..pad).map(|i| b'a' + (i % 26) as u8));
        }
    }
    req
}

/// The sequence number at the start of a request or reply, in either case.
pub fn parse_seq(data: &[u8]) -> Option<u64> {
    let rest = data
        .get(..4)?
        .eq_ignore_ascii_case(b"seq=")
        .then(|| &data[4..])?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 || rest.get(digits) != Some(&b' ') {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// The part of a request or reply after the header (the user's message).
pub fn body_of(data: &[u8]) -> &[u8] {
    match parse_seq(data) {
        Some(seq) => data.get(header_len(seq)..).unwrap_or_default(),
        None => data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uppercases_ascii_letters_only() {
        let mut b = b"abc XYZ 09 \xc3\xa9\xff\x00z".to_vec();
        uppercase(&mut b);
        assert_eq!(b, b"ABC XYZ 09 \xc3\xa9\xff\x00Z");
    }

    #[test]
    fn sized_request_is_exact_and_lowercase() {
        let r = request(7, &Body::Size(40));
        assert_eq!(r.len(), 40);
        assert!(r.starts_with(b"seq=7 abcdefghijklmnopqrstuvwxyzab"));
        assert_ne!(expected_reply(&r), r);
    }

    #[test]
    fn seq_survives_uppercasing() {
        let r = request(123, &Body::Bytes(b"hello".to_vec()));
        assert_eq!(r, b"seq=123 hello");
        let up = expected_reply(&r);
        assert_eq!(parse_seq(&up), Some(123));
        assert_eq!(body_of(&up), b"HELLO");
    }

    #[test]
    fn rejects_malformed_headers() {
        for bad in [
            &b""[..],
            b"seq=",
            b"seq= x",
            b"seq=12x",
            b"sek=1 ",
            b"seq=12",
        ] {
            assert_eq!(parse_seq(bad), None, "{bad:?}");
        }
        assert_eq!(body_of(b"no header"), b"no header");
    }
}
