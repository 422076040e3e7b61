//! The uppercase echo server: UDP and TCP on the same port. Bad input never
//! ends it: every per-datagram or per-connection error is logged to stderr
//! (rate-limited, [`throttle`]) and the server goes on with the next one.
//! TCP connections are bounded in number and idle time (see [`tcp`]).

mod reqlog;
mod tcp;
mod throttle;
mod udp;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use reqlog::RequestLog;
use throttle::Throttle;

/// How the server treats TCP connections, and whether it logs requests.
#[derive(Debug, Clone)]
pub struct Options {
    /// A TCP connection on which nothing moves for this long is closed.
    pub idle_timeout: Duration,
    /// Open TCP connections at most; at the cap the one idle the longest
    /// is closed for each new client.
    pub max_connections: usize,
    /// One JSON line per request on stdout ([`netlab_contract::ServerLine`]).
    pub log_requests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_connections: MAX_CONNECTIONS_CEILING,
            log_requests: false,
        }
    }
}

/// Which protocols a server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ServerProto {
    Udp,
    Tcp,
    Both,
}

pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Descriptors kept back from connections: stdio, the listening and UDP
/// sockets, the runtime's epoll, eventfd and signal pipe, and a few
/// connections being evicted while new ones are accepted.
pub const FD_RESERVE: u64 = 32;

/// The default cap never goes above this, whatever the limit.
pub const MAX_CONNECTIONS_CEILING: usize = 10_000;

/// The default `--max-connections` under an open-file limit of `nofile`.
pub fn default_max_connections(nofile: u64) -> usize {
    let fit = nofile.saturating_sub(FD_RESERVE).max(1);
    usize::try_from(fit).map_or(MAX_CONNECTIONS_CEILING, |n| n.min(MAX_CONNECTIONS_CEILING))
}

/// The open-file limit (RLIMIT_NOFILE) after [`raise_open_file_limit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFileLimit {
    /// Soft limit before.
    pub was: u64,
    /// Soft limit now.
    pub soft: u64,
    pub hard: u64,
}

/// Raises the soft open-file limit to the hard one: many distributions
/// start processes with a soft limit of 1,024 and a hard one far above.
pub fn raise_open_file_limit() -> io::Result<OpenFileLimit> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we pass and nothing else.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let was = lim.rlim_cur;
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct we pass.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(io::Error::last_os_error());
        }
        lim = raised;
    }
    Ok(OpenFileLimit {
        was,
        soft: lim.rlim_cur,
        hard: lim.rlim_max,
    })
}

/// Bound, listening sockets, not yet serving.
pub struct Server {
    udp: Option<std::net::UdpSocket>,
    tcp: Option<tokio::net::TcpListener>,
    /// Kernel receive stamping held on ([`Server::stamp_requests`]).
    stamping: Option<crate::kstamp::KeepOn>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(
        "cannot bind the {proto} socket to {addr}: {source}; is another server using this port? choose another with --bind"
    )]
    Bind {
        proto: &'static str,
        addr: SocketAddr,
        #[source]
        source: io::Error,
    },
}

impl Server {
    /// Binds the sockets of `proto` to `addr`. With port 0 and both
    /// protocols, UDP gets the port the kernel chose for TCP.
    pub fn bind(proto: ServerProto, addr: SocketAddr) -> Result<Self, ServerError> {
        let want_udp = proto != ServerProto::Tcp;
        let want_tcp = proto != ServerProto::Udp;
        // A port chosen for TCP may be taken for UDP: try a few.
        for attempt in 0..16 {
            let tcp = match want_tcp {
                true => Some(tcp::listen(addr).map_err(|source| ServerError::Bind {
                    proto: "tcp",
                    addr,
                    source,
                })?),
                false => None,
            };
            let udp_addr = match &tcp {
                Some(l) => SocketAddr::new(
                    addr.ip(),
                    l.local_addr().map(|a| a.port()).unwrap_or(addr.port()),
                ),
                None => addr,
            };
            let udp = match want_udp {
                true => match udp::bind(udp_addr) {
                    Ok(s) => Some(s),
                    Err(e)
                        if addr.port() == 0
                            && tcp.is_some()
                            && attempt < 15
                            && e.kind() == io::ErrorKind::AddrInUse =>
                    {
                        continue;
                    }
                    Err(source) => {
                        return Err(ServerError::Bind {
                            proto: "udp",
                            addr: udp_addr,
                            source,
                        });
                    }
                },
                false => None,
            };
            return Ok(Self {
                udp,
                tcp,
                stamping: None,
            });
        }
        unreachable!("the last attempt returns")
    }

    /// For `--log-requests` (its `dwell_us`): switches the kernel's receive
    /// stamping on now, so that requests arriving right after the ready
    /// line are stamped too (Linux turns it on asynchronously, see
    /// [`crate::kstamp::KeepOn`]). `serve` does it otherwise.
    pub fn stamp_requests(&mut self) {
        self.stamping.get_or_insert_with(crate::kstamp::KeepOn::new);
    }

    pub fn udp_addr(&self) -> Option<SocketAddr> {
        self.udp.as_ref().and_then(|s| s.local_addr().ok())
    }

    pub fn tcp_addr(&self) -> Option<SocketAddr> {
        self.tcp.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The one line orchestrators wait for, e.g.
    /// `netlab-echo server ready: udp 0.0.0.0:12000, tcp 0.0.0.0:12000`.
    pub fn ready_line(&self) -> String {
        let parts: Vec<String> = [("udp", self.udp_addr()), ("tcp", self.tcp_addr())]
            .into_iter()
            .filter_map(|(p, a)| a.map(|a| format!("{p} {a}")))
            .collect();
        format!("netlab-echo server ready: {}", parts.join(", "))
    }

    /// Serves until the task is dropped.
    pub async fn serve(mut self, opts: Options) {
        let throttle = Arc::new(Throttle::default());
        let reqlog = opts.log_requests.then(|| Arc::new(RequestLog::default()));
        // The log's dwell_us needs receive stamps; held while serving.
        if opts.log_requests {
            self.stamp_requests();
        }
        let _stamping = self.stamping.take();
        let tcp_shared = self.tcp.is_some().then(|| {
            Arc::new(tcp::Shared::new(
                opts.clone(),
                throttle.clone(),
                reqlog.clone(),
            ))
        });
        housekeeping(
            Arc::downgrade(&throttle),
            tcp_shared.as_ref().map(Arc::downgrade),
        );
        let udp = async {
            if let Some(s) = self.udp {
                udp::serve(s, throttle.clone(), reqlog.clone()).await
            }
        };
        let tcp = async {
            if let (Some(l), Some(shared)) = (self.tcp, tcp_shared) {
                tcp::serve(l, shared).await
            }
        };
        tokio::join!(udp, tcp);
    }
}

/// A thread that closes idle TCP connections and reports the log lines the
/// throttle held back, once a second. Timers on the serving runtime would
/// cost every request a little; this costs a wake-up per period. It ends
/// once the server is gone.
fn housekeeping(throttle: Weak<Throttle>, tcp: Option<Weak<tcp::Shared>>) {
    let period = tcp
        .as_ref()
        .and_then(Weak::upgrade)
        .map_or(FLUSH_PERIOD, |t| t.sweep_period());
    let spawned = std::thread::Builder::new()
        .name("housekeeping".into())
        .spawn(move || {
            let mut flushed = Instant::now();
            loop {
                std::thread::sleep(period);
                let Some(throttle) = throttle.upgrade() else {
                    return;
                };
                if let Some(tcp) = tcp.as_ref().and_then(Weak::upgrade) {
                    tcp.sweep_idle();
                }
                if flushed.elapsed() >= FLUSH_PERIOD {
                    throttle.flush();
                    flushed = Instant::now();
                }
            }
        });
    if let Err(e) = spawned {
        // Serving goes on; only idle connections stay open.
        log(format_args!(
            "cannot start the housekeeping thread ({e}): idle connections will not be closed"
        ));
    }
}

const FLUSH_PERIOD: Duration = Duration::from_secs(1);

pub(crate) fn log(msg: std::fmt::Arguments<'_>) {
    eprintln!("netlab-echo server: {msg}");
}

/// Pause after a UDP receive error, which may repeat at once, so the CPU is
/// not flooded (TCP accept backs off, see [`tcp`]).
pub(crate) const ERROR_PAUSE: Duration = Duration::from_millis(20);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_cap_follows_the_open_file_limit() {
        assert_eq!(default_max_connections(1024), 992);
        assert_eq!(default_max_connections(256), 224);
        assert_eq!(default_max_connections(10), 1);
        assert_eq!(default_max_connections(1_048_576), 10_000);
        assert_eq!(default_max_connections(u64::MAX), 10_000);
    }
}
