//! TCP: every connection gets its own task and is answered chunk by chunk
//! until the client closes, so one-shot (send, recv, close) and persistent
//! clients both work, and a silent or resetting client blocks nobody.
//!
//! Limits, so idle clients can never lock new ones out:
//! - a connection on which nothing moves for the idle timeout (no bytes from
//!   the client, or a reply it does not read) is closed. A sweep on the
//!   housekeeping thread finds them, so the runtime has no timer per
//!   connection (a pending timer costs every wake-up a clock read and a
//!   wheel check: measurable per request);
//! - at most `max_connections` are open: a new client is always accepted,
//!   and the connection idle the longest is closed to make room. Accept
//!   failing for lack of descriptors does the same, then backs off;
//! - an idle connection holds no buffer: it takes one when bytes are
//!   readable and gives it back once their reply is written. The server never
//!   reads more than one chunk ahead of what the client takes back, so a
//!   client streaming without reading is held back by TCP flow control.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::{Duration, Instant};

use std::os::fd::AsRawFd;

use chrono::Utc;
use nix::sys::socket::MsgFlags;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt, Interest};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::sync::futures::Notified;

use super::Options;
use super::reqlog::{Held, RequestLog};
use super::throttle::{Kind, Throttle};
use crate::clock;
use crate::clock::KernelTime;
use crate::kstamp::{self, Receiver, TxStamps};
use crate::payload;
use netlab_contract::{CloseReason, CloseRecord, OpenRecord, Proto, ServerLine};

/// Read size. A connection holds a buffer only while a chunk is in flight.
const CHUNK: usize = 16 * 1024;

/// Back-off after accept failures that can repeat at once (no descriptors,
/// no memory): doubles from the first to the last.
const BACKOFF_FIRST: Duration = Duration::from_millis(20);
const BACKOFF_MAX: Duration = Duration::from_secs(1);

pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // A restarted server must not wait for TIME_WAIT connections to expire.
    sock.set_reuse_address(true)?;
    sock.bind(&addr.into())?;
    sock.listen(1024)?;
    sock.set_nonblocking(true)?;
    TcpListener::from_std(sock.into())
}

/// One open connection, as the accept loop and the sweep see it.
struct Conn {
    id: u64,
    peer: SocketAddr,
    /// Milliseconds since [`Shared::epoch`] of the last bytes received or
    /// reply completed: an atomic store per chunk, no timer to reset.
    last_active: AtomicU64,
    /// Why the connection is told to close ([`CLOSE_IDLE`], [`CLOSE_EVICTED`]).
    close_why: AtomicU8,
    /// Notified to close the connection.
    close: Notify,
}

const CLOSE_IDLE: u8 = 1;
const CLOSE_EVICTED: u8 = 2;

impl Conn {
    fn tell_to_close(&self, why: u8) {
        self.close_why.store(why, Ordering::Relaxed);
        self.close.notify_one();
    }
}

/// The open connections and what the accept loop, the connection tasks and
/// the housekeeping thread share.
pub(crate) struct Shared {
    opts: Options,
    epoch: Instant,
    conns: Mutex<HashMap<u64, Arc<Conn>>>,
    throttle: Arc<Throttle>,
    reqlog: Option<Arc<RequestLog>>,
}

impl Shared {
    pub(crate) fn new(
        opts: Options,
        throttle: Arc<Throttle>,
        reqlog: Option<Arc<RequestLog>>,
    ) -> Self {
        Self {
            opts,
            epoch: Instant::now(),
            conns: Mutex::new(HashMap::new()),
            throttle,
            reqlog,
        }
    }

    /// How often [`Shared::sweep_idle`] should run: a connection is closed
    /// between 1 and 1.125 idle timeouts (at most 1 s late).
    pub(crate) fn sweep_period(&self) -> Duration {
        (self.opts.idle_timeout / 8).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }

    /// Tells every connection idle for the idle timeout to close.
    /// O(open connections) under the table lock: about 10 µs per 1,000.
    pub(crate) fn sweep_idle(&self) {
        let limit = self.opts.idle_timeout.as_millis() as u64;
        let now = self.now_ms();
        let conns = self.conns();
        for c in conns.values() {
            if now.saturating_sub(c.last_active.load(Ordering::Relaxed)) >= limit
                && c.close_why.load(Ordering::Relaxed) == 0
            {
                c.tell_to_close(CLOSE_IDLE);
            }
        }
    }

    fn idle_for(&self, conn: &Conn) -> Duration {
        Duration::from_millis(
            self.now_ms()
                .saturating_sub(conn.last_active.load(Ordering::Relaxed)),
        )
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn conns(&self) -> MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes the connection idle the longest from the table and tells
    /// its task to close it. O(open connections), but only at the cap.
    fn evict_idlest(&self) -> Option<(Arc<Conn>, Duration)> {
        let victim = {
            let mut conns = self.conns();
            let victim = conns
                .values()
                .min_by_key(|c| c.last_active.load(Ordering::Relaxed))?
                .clone();
            conns.remove(&victim.id);
            victim
        };
        victim.tell_to_close(CLOSE_EVICTED);
        let idle = self.idle_for(&victim);
        Some((victim, idle))
    }
}

/// Removes its connection from the table when the task ends, however it
/// ends (an eviction removed it already: then this does nothing).
struct Registered<'a> {
    shared: &'a Shared,
    id: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.shared.conns().remove(&self.id);
    }
}

pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut next_id = 0u64;
    // Consecutive accept failures, for the back-off.
    let mut failures = 0u32;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => {
                failures = 0;
                accepted
            }
            Err(e) => {
                failures += 1;
                accept_failed(&shared, &e, failures).await;
                continue;
            }
        };
        if shared.conns().len() >= shared.opts.max_connections {
            make_room(&shared, peer).await;
        }
        next_id += 1;
        let conn = Arc::new(Conn {
            id: next_id,
            peer,
            last_active: AtomicU64::new(shared.now_ms()),
            close_why: AtomicU8::new(0),
            close: Notify::new(),
        });
        shared.conns().insert(conn.id, conn.clone());
        tokio::spawn(connection(stream, conn, shared.clone()));
    }
}

/// At the cap: close the connection idle the longest, so a new client is
/// always served (an idle client can be closed at any time anyway).
async fn make_room(shared: &Shared, new: SocketAddr) {
    if let Some((victim, idle)) = shared.evict_idlest() {
        shared.throttle.log(
            Kind::Evicted,
            format_args!(
                "{} tcp connections open (--max-connections): closed the one from {} (idle the longest, {}) to serve {new}",
                shared.opts.max_connections,
                victim.peer,
                humantime::format_duration(idle),
            ),
        );
        // Let the evicted task run and release its descriptor now.
        tokio::task::yield_now().await;
    }
}

async fn accept_failed(shared: &Shared, e: &io::Error, failures: u32) {
    let out_of_fds = matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
    let resources = out_of_fds || matches!(e.raw_os_error(), Some(libc::ENOBUFS | libc::ENOMEM));
    // Out of descriptors with connections open: give the one idle the
    // longest up for the client waiting, and retry at once (twice; then
    // the back-off applies, in case the descriptors go elsewhere).
    if out_of_fds && let Some((victim, idle)) = shared.evict_idlest() {
        shared.throttle.log(
            Kind::AcceptResources,
            format_args!(
                "tcp accept failed: {e}; closed the connection from {} (idle the longest, {}) to make room; \
                 raise the open-file limit or lower --max-connections",
                victim.peer,
                humantime::format_duration(idle),
            ),
        );
        tokio::task::yield_now().await;
        if failures <= 2 {
            return;
        }
    } else {
        let kind = match resources {
            true => Kind::AcceptResources,
            false => Kind::AcceptOther,
        };
        shared
            .throttle
            .log(kind, format_args!("tcp accept failed: {e}; retrying"));
    }
    tokio::time::sleep(backoff(failures)).await;
}

/// 20 ms, 40 ms, ... doubling up to 1 s.
fn backoff(failures: u32) -> Duration {
    BACKOFF_FIRST
        .saturating_mul(1 << failures.saturating_sub(1).min(16))
        .min(BACKOFF_MAX)
}

/// How a connection ended.
enum End {
    Eof,
    Idle,
    Stalled,
    Evicted,
    Error(io::Error),
}

async fn connection(stream: TcpStream, conn: Arc<Conn>, shared: Arc<Shared>) {
    let _registered = Registered {
        shared: &shared,
        id: conn.id,
    };
    let _ = stream.set_nodelay(true);
    if let Some(reqlog) = &shared.reqlog {
        reqlog.write(&ServerLine::Open(OpenRecord {
            proto: Proto::Tcp,
            conn: conn.id,
            peer: conn.peer,
            at: clock::rfc3339(&Utc::now()),
        }));
    }
    // Kernel stamps only for the log's dwell_us (null without them).
    let stamps = shared
        .reqlog
        .as_ref()
        .filter(|_| kstamp::enable(&stream).is_ok())
        .map(|_| Stamps::default());
    let mut received = 0u64;
    let end = serve_connection(stream, &conn, &shared, &mut received, stamps).await;
    let idle = shared.opts.idle_timeout;
    let peer = conn.peer;
    let (reason, error) = match &end {
        End::Eof => (CloseReason::Eof, None),
        End::Evicted => (CloseReason::Evicted, None), // logged by the accept loop
        End::Idle => {
            shared.throttle.log(
                Kind::Idle,
                format_args!(
                    "closed the tcp connection from {peer}: nothing received for {} (--idle-timeout)",
                    humantime::format_duration(idle)
                ),
            );
            (CloseReason::Idle, None)
        }
        End::Stalled => {
            shared.throttle.log(
                Kind::Idle,
                format_args!(
                    "closed the tcp connection from {peer}: it did not read its replies for {} (--idle-timeout)",
                    humantime::format_duration(idle)
                ),
            );
            (CloseReason::Stalled, None)
        }
        End::Error(e) => {
            shared.throttle.log(
                Kind::Connection,
                format_args!("tcp connection from {peer}: {e}"),
            );
            (CloseReason::Error, Some(e.to_string()))
        }
    };
    if let Some(reqlog) = &shared.reqlog {
        reqlog.write(&ServerLine::Close(CloseRecord {
            proto: Proto::Tcp,
            conn: conn.id,
            peer,
            at: clock::rfc3339(&Utc::now()),
            reason,
            bytes: received,
            error,
        }));
    }
}

/// A connection's kernel stamps, for the request log's `dwell_us`.
#[derive(Default)]
struct Stamps {
    rx: Receiver,
    tx: TxStamps,
    /// Bytes written since stamping was turned on (transmit stamp ids).
    written: u32,
    /// Receive stamp of the chunk in hand (its last segment).
    received_at: Option<KernelTime>,
}

impl Stamps {
    /// One non-blocking read into `buf` with its receive stamp; None when
    /// there was nothing to read after all.
    fn read(&mut self, stream: &TcpStream, buf: &mut Vec<u8>) -> Option<io::Result<usize>> {
        buf.resize(CHUNK, 0);
        let fd = stream.as_raw_fd();
        let read = stream.try_io(Interest::READABLE, || {
            self.rx.recv(fd, &mut buf[..], MsgFlags::MSG_DONTWAIT)
        });
        match read {
            Ok(got) => {
                buf.truncate(got.len);
                self.received_at = got.at;
                Some(Ok(got.len))
            }
            Err(e) => {
                buf.clear();
                (e.kind() != io::ErrorKind::WouldBlock).then_some(Err(e))
            }
        }
    }

    /// After a reply of `n` bytes was written: the kernel's turnaround,
    /// from the chunk's receive stamp to the transmit stamp of the reply's
    /// last byte. The stamp is normally queued by the time the write
    /// returns; if not, this waits for it at most 2 ms, without blocking
    /// the other connections.
    async fn dwell(&mut self, stream: &TcpStream, n: usize) -> Option<f64> {
        let last_byte = self.written.wrapping_add(n as u32).wrapping_sub(1);
        self.written = self.written.wrapping_add(n as u32);
        let fd = stream.as_raw_fd();
        let mut sent_at = None;
        for attempt in 0..4 {
            match attempt {
                0 => {}
                1 => tokio::task::yield_now().await,
                _ => tokio::time::sleep(Duration::from_millis(1)).await,
            }
            if let Some((id, at)) = self.tx.take_within(fd, last_byte, Duration::ZERO) {
                sent_at = (id == last_byte).then_some(at);
                break;
            }
        }
        self.received_at.take()?.micros_until(sent_at?)
    }
}

/// Echoes chunk by chunk until the connection ends; the socket is closed
/// when this returns (it owns the stream).
async fn serve_connection(
    mut stream: TcpStream,
    conn: &Conn,
    shared: &Shared,
    received: &mut u64,
    mut stamps: Option<Stamps>,
) -> End {
    let mut close = pin!(conn.close.notified());
    loop {
        // Wait without a buffer: an idle connection costs no buffer memory.
        let ready = tokio::select! {
            biased;
            () = &mut close => match told_to_close(conn, shared, close.as_mut()) {
                Some(CLOSE_EVICTED) => return End::Evicted,
                Some(_) => return End::Idle,
                None => continue,
            },
            r = stream.readable() => r,
        };
        if let Err(e) = ready {
            return End::Error(e);
        }
        let mut buf = Buffer::take();
        let buf = &mut buf.0;
        // Readable: one read attempt. If it finds nothing after all, it is
        // dropped (a read is cancel-safe), the buffer given back, and the
        // loop waits again where closing applies. read_buf fills spare
        // capacity, no zeroing.
        let read = match &mut stamps {
            None => poll_once(pin!(stream.read_buf(buf))).await,
            Some(st) => st.read(&stream, buf),
        };
        let n = match read {
            None => continue,
            Some(Ok(0)) => return End::Eof,
            Some(Ok(n)) => n,
            Some(Err(e)) => return End::Error(e),
        };
        conn.last_active.store(shared.now_ms(), Ordering::Relaxed);
        *received += n as u64;
        let held = shared.reqlog.as_ref().map(|_| Held::new(&buf[..n]));
        payload::uppercase(&mut buf[..n]);
        // The reply is written before the next read: what the server holds
        // for a client is one chunk, and a client that does not read stops
        // the reading too, so flow control pushes back on it.
        let mut write = pin!(stream.write_all(&buf[..n]));
        // Usually the reply fits the socket buffer and this is all.
        let written = match poll_once(write.as_mut()).await {
            Some(r) => r.map_err(End::Error),
            None => loop {
                tokio::select! {
                    biased;
                    () = &mut close => match told_to_close(conn, shared, close.as_mut()) {
                        Some(CLOSE_EVICTED) => break Err(End::Evicted),
                        Some(_) => break Err(End::Stalled),
                        None => continue,
                    },
                    r = &mut write => {
                        // The client took its reply: that is activity too.
                        conn.last_active.store(shared.now_ms(), Ordering::Relaxed);
                        break r.map_err(End::Error);
                    }
                }
            },
        };
        // Logged after the reply, so the client's RTT does not include it,
        // and also when the reply failed: the request did arrive.
        if let (Some(reqlog), Some(held)) = (&shared.reqlog, held) {
            let dwell = match (&mut stamps, &written) {
                (Some(st), Ok(())) => st.dwell(&stream, n).await,
                _ => None,
            };
            reqlog.write(&held.record(Proto::Tcp, Some(conn.id), conn.peer, n, &buf[..n], dwell));
        }
        if let Err(end) = written {
            return end;
        }
    }
}

thread_local! {
    /// Read buffers not in use. Reusing one is measurably cheaper than
    /// malloc: glibc consolidates its heap each time a 16 KiB block next to
    /// the heap top is freed (about 0.25 µs of CPU per request, measured).
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Spare buffers kept at most (per thread; the server has one).
const SPARE_MAX: usize = 16;

/// A read buffer of [`CHUNK`] bytes' capacity from [`SPARE`], given back
/// when dropped. Never borrowed across an await, so a task switch cannot
/// find `SPARE` borrowed.
struct Buffer(Vec<u8>);

impl Buffer {
    fn take() -> Self {
        let spare = SPARE.try_with(|s| s.borrow_mut().pop()).ok().flatten();
        Self(spare.unwrap_or_else(|| Vec::with_capacity(CHUNK)))
    }
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let mut buf = std::mem::take(&mut self.0);
        buf.clear();
        let _ = SPARE.try_with(|s| {
            let mut s = s.borrow_mut();
            if s.len() < SPARE_MAX {
                s.push(buf);
            }
        });
    }
}

/// Polls `fut` once: its output if it is ready now, None if it would wait
/// (the caller may poll it again, or drop it if that is safe).
async fn poll_once<F: Future>(mut fut: Pin<&mut F>) -> Option<F::Output> {
    poll_fn(|cx| {
        Poll::Ready(match fut.as_mut().poll(cx) {
            Poll::Ready(out) => Some(out),
            Poll::Pending => None,
        })
    })
    .await
}

/// The connection was told to close: why, or None if it was for being
/// idle and it has been active since (then `close` is armed again).
fn told_to_close<'a>(
    conn: &'a Conn,
    shared: &Shared,
    mut close: Pin<&mut Notified<'a>>,
) -> Option<u8> {
    match conn.close_why.load(Ordering::Relaxed) {
        CLOSE_IDLE if shared.idle_for(conn) < shared.opts.idle_timeout => {
            conn.close_why.store(0, Ordering::Relaxed);
            close.set(conn.close.notified());
            None
        }
        why => Some(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_20_ms_to_1_s() {
        let steps: Vec<u128> = (1..=9).map(|f| backoff(f).as_millis()).collect();
        assert_eq!(steps, [20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        assert_eq!(backoff(u32::MAX), BACKOFF_MAX);
    }
}
