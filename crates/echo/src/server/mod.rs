//! The uppercase echo server: UDP and TCP on the same port. Bad input never
//! ends it: every per-datagram or per-connection error is logged to stderr
//! and the server goes on with the next one.

mod tcp;
mod udp;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::cli::ServerProto;

/// Bound, listening sockets, not yet serving.
pub struct Server {
    udp: Option<std::net::UdpSocket>,
    tcp: Option<tokio::net::TcpListener>,
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
            return Ok(Self { udp, tcp });
        }
        unreachable!("the last attempt returns")
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
    pub async fn serve(self) {
        let udp = async {
            if let Some(s) = self.udp {
                udp::serve(s).await
            }
        };
        let tcp = async {
            if let Some(l) = self.tcp {
                tcp::serve(l).await
            }
        };
        tokio::join!(udp, tcp);
    }
}

pub(crate) fn log(msg: std::fmt::Arguments<'_>) {
    eprintln!("netlab-echo server: {msg}");
}

/// Pause after an error that may repeat at once (e.g. out of descriptors),
/// so the log and the CPU are not flooded.
pub(crate) const ERROR_PAUSE: Duration = Duration::from_millis(20);
