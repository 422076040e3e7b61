//! `--log-requests`: one JSON line ([`ServerLine`]) per UDP datagram, TCP
//! read chunk, TCP accept and close, on stdout, flushed per line, so a
//! grader can tell what the reference server really received. Only built
//! when the flag is given: with the log off the serving paths test one
//! `Option` and format nothing. With it on, the sockets also carry kernel
//! time stamps ([`crate::kstamp`]) for each line's `dwell_us`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;

use super::log;
use crate::clock;
use netlab_contract::{EXCERPT_BYTES, Proto, RequestRecord, ServerLine};

/// Bytes of a request kept for its log line: the excerpt plus one, to see
/// whether the cut splits a character.
pub(crate) const KEEP: usize = EXCERPT_BYTES + 1;

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    /// Stdout failed (e.g. nobody reads it any more): stop logging.
    broken: AtomicBool,
}

/// The first bytes of a request, copied before it is uppercased in place.
pub(crate) struct Held {
    at: String,
    len: usize,
    head: [u8; KEEP],
}

impl Held {
    /// Takes the receive time and the head of `request`.
    pub(crate) fn new(request: &[u8]) -> Self {
        let at = clock::rfc3339(&Utc::now());
        let len = request.len().min(KEEP);
        let mut head = [0u8; KEEP];
        head[..len].copy_from_slice(&request[..len]);
        Self { at, len, head }
    }

    pub(crate) fn record(
        &self,
        proto: Proto,
        conn: Option<u64>,
        peer: SocketAddr,
        bytes: usize,
        reply: &[u8],
        dwell_us: Option<f64>,
    ) -> ServerLine {
        let reply = &reply[..reply.len().min(KEEP)];
        let mut record = RequestRecord::new(
            proto,
            conn,
            peer,
            self.at.clone(),
            bytes,
            &self.head[..self.len],
            reply,
        );
        record.dwell_us = dwell_us;
        ServerLine::Request(record)
    }
}

impl RequestLog {
    /// Writes one line and flushes it. A write error (stdout closed) ends
    /// the log with one message on stderr; the server goes on serving.
    pub(crate) fn write(&self, line: &ServerLine) {
        if self.broken.load(Ordering::Relaxed) {
            return;
        }
        let mut text = match serde_json::to_vec(line) {
            Ok(t) => t,
            Err(e) => return log(format_args!("cannot encode a request log line: {e}")),
        };
        text.push(b'\n');
        // One write under the lock: lines of the UDP thread and of the TCP
        // tasks never interleave.
        let mut out = io::stdout().lock();
        if let Err(e) = out.write_all(&text).and_then(|()| out.flush())
            && !self.broken.swap(true, Ordering::Relaxed)
        {
            log(format_args!(
                "cannot write the request log to stdout ({e}); request logging stops"
            ));
        }
    }
}
