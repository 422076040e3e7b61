//! Sockets bound in a container's network namespace, from its
//! /proc/net/{tcp,udp}(6) tables: read directly when the engine runs on this
//! host, through the exec API (`cat`, in the container's namespace) when it
//! does not. This file holds the one parser of those tables.

use std::net::Ipv4Addr;
use std::time::Duration;

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{EngineError, Result};
use crate::exec::ExecRequest;

/// Transport of a socket (and of a port to wait for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl std::fmt::Display for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

/// A socket of the container's namespace that is listening (TCP) or bound (UDP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoundSocket {
    /// The local address; `None` for an IPv6 socket.
    pub addr: Option<Ipv4Addr>,
    pub port: u16,
}

/// What reading the tables found.
pub(crate) enum Tables {
    /// The sockets listening or bound, IPv4 and IPv6.
    Read(Vec<BoundSocket>),
    /// The container's first process has ended: nothing to read.
    Gone,
}

impl Engine {
    /// The sockets listening (TCP) or bound (UDP) in `c`'s network namespace.
    /// Empty when the container has ended.
    pub async fn bound_sockets(&self, c: &Container, proto: Proto) -> Result<Vec<BoundSocket>> {
        match self.socket_tables(c, proto).await? {
            Tables::Read(sockets) => Ok(sockets),
            Tables::Gone => Ok(Vec::new()),
        }
    }

    pub(crate) async fn socket_tables(&self, c: &Container, proto: Proto) -> Result<Tables> {
        let files = match proto {
            Proto::Tcp => ["tcp", "tcp6"],
            Proto::Udp => ["udp", "udp6"],
        };
        let text = if self.is_local() {
            match local_tables(c.pid, &files) {
                Ok(Some(text)) => text,
                Ok(None) => return Ok(Tables::Gone),
                Err(e) => {
                    return Err(EngineError::PortProbe {
                        name: c.docker_name.clone(),
                        reason: format!("/proc/{}/net is not readable: {e}", c.pid),
                    });
                }
            }
        } else {
            match self.remote_tables(c, &files).await? {
                Some(text) => text,
                None => return Ok(Tables::Gone),
            }
        };
        Ok(Tables::Read(parse(&text, proto)))
    }

    /// `cat` in the container: /proc/net is the reading process's own
    /// namespace, which is the container's.
    async fn remote_tables(&self, c: &Container, files: &[&str; 2]) -> Result<Option<String>> {
        let argv: Vec<String> = std::iter::once("cat".to_string())
            .chain(files.iter().map(|f| format!("/proc/net/{f}")))
            .collect();
        let req = ExecRequest::new(&argv)
            .timeout(Duration::from_secs(10))
            .output_cap(1 << 20);
        let out = self.exec(&c.id, &req).await;
        let text = out.as_ref().map(|o| o.stdout.text()).unwrap_or_default();
        // The IPv6 table is absent when IPv6 is off: cat fails on it alone.
        if text.contains("local_address") {
            return Ok(Some(text));
        }
        // No table: the container may be ending (an exec into it fails or
        // prints nothing); Docker records the exit a moment later.
        for _ in 0..25 {
            if self.exit_code(&c.id).await.ok().flatten().is_some() {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        let why = match out {
            Ok(o) => o.stderr.text().trim().to_owned(),
            Err(e) => e.to_string(),
        };
        Err(EngineError::PortProbe {
            name: c.docker_name.clone(),
            reason: format!(
                "the engine at {} is not on this host and `cat /proc/net/{}` in the container printed no table ({why}); the image needs `cat`, or wait for a log line instead",
                self.host(),
                files[0],
            ),
        })
    }
}

/// The tables of process `pid`'s namespace, concatenated; `None` when the
/// process is gone (or pid 0: Docker reports no process).
fn local_tables(pid: u32, files: &[&str; 2]) -> std::io::Result<Option<String>> {
    if pid == 0 {
        return Ok(None);
    }
    let mut text = String::new();
    for f in files {
        match std::fs::read_to_string(format!("/proc/{pid}/net/{f}")) {
            Ok(t) => text.push_str(&t),
            // tcp6/udp6 are absent when IPv6 is disabled.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && f.ends_with('6') => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
    }
    Ok(Some(text))
}

/// Parses /proc/net/{tcp,udp}(6) lines (`sl local_address rem_address st …`),
/// several tables one after the other: the sockets in the listening state
/// (TCP_LISTEN = 0A) or, for UDP, bound (shown as 07, TCP_CLOSE). The kernel
/// prints an IPv4 address as a host-order (little-endian) u32 in 8 hex
/// digits; an IPv6 address has 32.
pub(crate) fn parse(text: &str, proto: Proto) -> Vec<BoundSocket> {
    let wanted = match proto {
        Proto::Tcp => "0A",
        Proto::Udp => "07",
    };
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split_whitespace().skip(1);
            let local = cols.next()?;
            let state = cols.nth(1)?;
            if state != wanted {
                return None;
            }
            let (addr, port) = local.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let addr = match addr.len() {
                8 => Some(Ipv4Addr::from(
                    u32::from_str_radix(addr, 16).ok()?.to_le_bytes(),
                )),
                32 => None,
                _ => return None,
            };
            Some(BoundSocket { addr, port })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:2EE0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
";

    #[test]
    fn listening_sockets_of_both_tables() {
        let found = parse(TCP, Proto::Tcp);
        assert_eq!(
            found,
            [
                BoundSocket {
                    addr: Some(Ipv4Addr::UNSPECIFIED),
                    port: 12000
                },
                BoundSocket {
                    addr: None,
                    port: 8081
                },
            ],
            "8080 is an established socket, not a listener"
        );
    }

    #[test]
    fn addresses_are_little_endian() {
        let udp = "  sl  local_address rem_address   st
   5: 0100007F:2EE0 00000000:0000 07 00000000:00000000 00:00000000 00000000 65534 0 9 2 0
";
        assert_eq!(
            parse(udp, Proto::Udp),
            [BoundSocket {
                addr: Some(Ipv4Addr::LOCALHOST),
                port: 12000
            }]
        );
        assert!(parse(udp, Proto::Tcp).is_empty());
    }
}
