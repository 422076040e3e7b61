//! What the handout's client shows on each operating system when the server
//! is not there: the Task 4 cases and the socket error each OS reports,
//! for documentation and reports.
//!
//! **Cited knowledge, not measured**: netlab runs Linux only. The numbers
//! are those of the systems' headers ([`OsErrorTable::sources`]); which
//! error a case produces is documented behaviour of each socket API (e.g.
//! Winsock's `WSAECONNRESET` on a UDP socket after an ICMP port
//! unreachable). netlab-echo's own outcome on Linux is what it measures.
//! Where no source says what a system does, the cell is
//! [`Shown::NotCited`] rather than a guess.

use serde::{Deserialize, Serialize};

use crate::{Outcome, Proto, SocketMode};

/// A named OS error and its number on that system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OsError {
    /// Symbolic name, e.g. `ECONNREFUSED` or `WSAECONNRESET`.
    pub name: &'static str,
    pub number: i32,
}

/// What stands between the client and the server: the cases of Task 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Case {
    /// The host is up, nothing listens on the port.
    PortClosed,
    /// A firewall discards the requests (iptables DROP).
    FirewallDrop,
    /// A firewall answers with ICMP port unreachable (iptables REJECT).
    FirewallReject,
    /// An address on the local network that nobody holds: ARP gets no answer.
    HostAbsent,
    /// The server's name does not resolve.
    UnknownName,
}

impl Case {
    pub const ALL: [Case; 5] = [
        Case::PortClosed,
        Case::FirewallDrop,
        Case::FirewallReject,
        Case::HostAbsent,
        Case::UnknownName,
    ];

    /// "port closed", for tables.
    pub fn title(self) -> &'static str {
        match self {
            Case::PortClosed => "port closed",
            Case::FirewallDrop => "firewall DROP",
            Case::FirewallReject => "firewall REJECT",
            Case::HostAbsent => "host absent",
            Case::UnknownName => "unknown name",
        }
    }
}

/// What a program sees in one case on one system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "shows", rename_all = "snake_case")]
pub enum Shown {
    /// The socket call fails with this error.
    Error(OsError),
    /// No error is reported: the receive waits until the program's own
    /// timeout (Python: `socket.timeout`, no errno), or for ever without one.
    Nothing,
    /// No source at hand says what this system does here: left open rather
    /// than guessed.
    NotCited,
}

/// One case of Task 4 and what each system shows for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OsErrorCase {
    pub case: Case,
    pub proto: Proto,
    /// UDP: which kind of socket the client uses, None when both show the
    /// same (and for TCP).
    pub socket: Option<SocketMode>,
    /// What netlab-echo reports on Linux (`--socket` as in `socket`).
    pub netlab: Outcome,
    pub linux: Shown,
    pub windows: Shown,
    pub macos: Shown,
    /// The mechanism, for the reader.
    pub note: &'static str,
}

/// The table, with where its content comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OsErrorTable {
    /// Always false: cited from documentation, not measured by netlab.
    pub measured: bool,
    pub sources: &'static [&'static str],
    pub cases: &'static [OsErrorCase],
}

impl OsErrorTable {
    /// The row for a client of `proto` (UDP: using a `socket` of that kind)
    /// in `case`.
    pub fn find(&self, case: Case, proto: Proto, socket: SocketMode) -> Option<&OsErrorCase> {
        self.cases.iter().find(|c| {
            c.case == case
                && c.proto == proto
                && (proto == Proto::Tcp || c.socket.is_none_or(|s| s == socket))
        })
    }
}

const fn e(name: &'static str, number: i32) -> Shown {
    Shown::Error(OsError { name, number })
}

// Linux: include/uapi/asm-generic/errno.h; glibc netdb.h for EAI_*.
const ECONNREFUSED: Shown = e("ECONNREFUSED", 111);
const EHOSTUNREACH: Shown = e("EHOSTUNREACH", 113);
const ETIMEDOUT: Shown = e("ETIMEDOUT", 110);
const EAI_NONAME: Shown = e("EAI_NONAME", -2);
// Windows: winerror.h (Windows Sockets error codes).
const WSAECONNRESET: Shown = e("WSAECONNRESET", 10054);
const WSAECONNREFUSED: Shown = e("WSAECONNREFUSED", 10061);
const WSAETIMEDOUT: Shown = e("WSAETIMEDOUT", 10060);
const WSAEHOSTUNREACH: Shown = e("WSAEHOSTUNREACH", 10065);
const WSAHOST_NOT_FOUND: Shown = e("WSAHOST_NOT_FOUND", 11001);
// macOS: xnu bsd/sys/errno.h (the BSD numbers); netdb.h for EAI_*.
const MAC_ECONNREFUSED: Shown = e("ECONNREFUSED", 61);
const MAC_EHOSTDOWN: Shown = e("EHOSTDOWN", 64);
const MAC_ETIMEDOUT: Shown = e("ETIMEDOUT", 60);
const MAC_EAI_NONAME: Shown = e("EAI_NONAME", 8);

/// A closed port and a firewall REJECT both answer a datagram with ICMP
/// port unreachable: the UDP rows of both cases.
const fn port_unreachable(case: Case) -> [OsErrorCase; 2] {
    [
        OsErrorCase {
            case,
            proto: Proto::Udp,
            socket: Some(SocketMode::Connected),
            netlab: Outcome::Refused,
            linux: ECONNREFUSED,
            windows: WSAECONNRESET,
            macos: MAC_ECONNREFUSED,
            note: "ICMP port unreachable, reported to a connected socket on its next call",
        },
        OsErrorCase {
            case,
            proto: Proto::Udp,
            socket: Some(SocketMode::Unconnected),
            netlab: Outcome::Timeout,
            linux: Shown::Nothing,
            windows: WSAECONNRESET,
            macos: Shown::Nothing,
            note: "ICMP port unreachable: Linux and macOS do not report it to an unconnected socket, Windows does (on recvfrom)",
        },
    ]
}

/// The resolver fails alike for both protocols.
const fn unknown_name(proto: Proto) -> OsErrorCase {
    OsErrorCase {
        case: Case::UnknownName,
        proto,
        socket: None,
        netlab: Outcome::Dns,
        linux: EAI_NONAME,
        windows: WSAHOST_NOT_FOUND,
        macos: MAC_EAI_NONAME,
        note: "getaddrinfo fails before any packet is sent (Python: socket.gaierror); a DNS server that cannot answer at all, as Docker's embedded DNS on an internal network, makes it EAI_AGAIN (-3) on Linux instead",
    }
}

const CLOSED_UDP: [OsErrorCase; 2] = port_unreachable(Case::PortClosed);
const REJECT_UDP: [OsErrorCase; 2] = port_unreachable(Case::FirewallReject);

/// The Task 4 cases on Linux, Windows and macOS (cited, not measured).
pub const OS_ERRORS: OsErrorTable = OsErrorTable {
    measured: false,
    sources: &[
        "Linux: include/uapi/asm-generic/errno.h, glibc netdb.h; udp(7) and ip(7) (IP_RECVERR: only a connected socket, or one with IP_RECVERR, is told of ICMP errors)",
        "Windows: winerror.h and Microsoft's \"Windows Sockets Error Codes\"; recv/recvfrom: WSAECONNRESET on a UDP socket means an earlier send drew an ICMP port unreachable",
        "macOS: xnu bsd/sys/errno.h; BSD UDP reports ICMP errors to connected sockets only; xnu tcp_ctlinput drops a connection attempt on ICMP port unreachable (net.inet.tcp.icmp_may_rst); xnu in_arp.c: EHOSTDOWN once ARP for a host on the local network has failed",
    ],
    cases: &[
        OsErrorCase {
            case: Case::PortClosed,
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Refused,
            linux: ECONNREFUSED,
            windows: WSAECONNREFUSED,
            macos: MAC_ECONNREFUSED,
            note: "the host answers the SYN with a RST",
        },
        CLOSED_UDP[0],
        CLOSED_UDP[1],
        OsErrorCase {
            case: Case::FirewallDrop,
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Timeout,
            linux: ETIMEDOUT,
            windows: WSAETIMEDOUT,
            macos: MAC_ETIMEDOUT,
            note: "SYNs retransmitted until the system gives up (a program's own shorter timeout ends it first, with no errno)",
        },
        OsErrorCase {
            case: Case::FirewallDrop,
            proto: Proto::Udp,
            socket: None,
            netlab: Outcome::Timeout,
            linux: Shown::Nothing,
            windows: Shown::Nothing,
            macos: Shown::Nothing,
            note: "silence: only the program's own timeout ends the wait",
        },
        OsErrorCase {
            case: Case::FirewallReject,
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Refused,
            linux: ECONNREFUSED,
            windows: Shown::NotCited,
            macos: MAC_ECONNREFUSED,
            note: "the SYN draws ICMP port unreachable, a hard error for a connection attempt on Linux and macOS",
        },
        REJECT_UDP[0],
        REJECT_UDP[1],
        OsErrorCase {
            case: Case::HostAbsent,
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Unreachable,
            linux: EHOSTUNREACH,
            windows: WSAEHOSTUNREACH,
            macos: MAC_EHOSTDOWN,
            note: "ARP gets no answer, so the SYN never leaves",
        },
        OsErrorCase {
            case: Case::HostAbsent,
            proto: Proto::Udp,
            socket: Some(SocketMode::Connected),
            netlab: Outcome::Unreachable,
            linux: EHOSTUNREACH,
            windows: Shown::NotCited,
            macos: Shown::Nothing,
            note: "ARP gets no answer: Linux reports EHOSTUNREACH through IP_RECVERR (netlab-echo's connected socket); macOS drops the first datagram silently, a later send fails with EHOSTDOWN (64)",
        },
        OsErrorCase {
            case: Case::HostAbsent,
            proto: Proto::Udp,
            socket: Some(SocketMode::Unconnected),
            netlab: Outcome::Timeout,
            linux: Shown::Nothing,
            windows: Shown::NotCited,
            macos: Shown::Nothing,
            note: "ARP gets no answer and the datagram is dropped; an unconnected Linux socket is told nothing (macOS: a later send fails with EHOSTDOWN, 64)",
        },
        unknown_name(Proto::Tcp),
        unknown_name(Proto::Udp),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(pick: fn(&OsErrorCase) -> Shown) -> Vec<OsError> {
        OS_ERRORS
            .cases
            .iter()
            .filter_map(|c| match pick(c) {
                Shown::Error(e) => Some(e),
                Shown::Nothing | Shown::NotCited => None,
            })
            .collect()
    }

    #[test]
    fn is_cited_not_measured() {
        const { assert!(!OS_ERRORS.measured) };
        assert_eq!(OS_ERRORS.sources.len(), 3);
    }

    #[test]
    fn each_name_has_one_number_per_system() {
        let expect = |pick: fn(&OsErrorCase) -> Shown, table: &[(&str, i32)]| {
            for e in errors(pick) {
                assert!(table.contains(&(e.name, e.number)), "{e:?}");
            }
        };
        expect(
            |c| c.linux,
            &[
                ("ECONNREFUSED", 111),
                ("EHOSTUNREACH", 113),
                ("ETIMEDOUT", 110),
                ("EAI_NONAME", -2),
            ],
        );
        expect(
            |c| c.windows,
            &[
                ("WSAECONNRESET", 10054),
                ("WSAECONNREFUSED", 10061),
                ("WSAETIMEDOUT", 10060),
                ("WSAEHOSTUNREACH", 10065),
                ("WSAHOST_NOT_FOUND", 11001),
            ],
        );
        expect(
            |c| c.macos,
            &[
                ("ECONNREFUSED", 61),
                ("EHOSTDOWN", 64),
                ("ETIMEDOUT", 60),
                ("EAI_NONAME", 8),
            ],
        );
        // Winsock numbers are WSABASEERROR (10000) + the BSD number, or
        // WSAHOST_NOT_FOUND (11001) from the resolver range.
        for e in errors(|c| c.windows) {
            assert!(e.name.starts_with("WSA") && e.number > 10_000, "{e:?}");
        }
    }

    #[test]
    fn every_case_protocol_and_socket_has_one_row() {
        for case in Case::ALL {
            for (proto, socket) in [
                (Proto::Tcp, SocketMode::Connected),
                (Proto::Udp, SocketMode::Connected),
                (Proto::Udp, SocketMode::Unconnected),
            ] {
                let rows = OS_ERRORS
                    .cases
                    .iter()
                    .filter(|c| {
                        c.case == case && c.proto == proto && c.socket.is_none_or(|s| s == socket)
                    })
                    .count();
                assert_eq!(rows, 1, "{case:?} {proto:?} {socket:?}");
                assert!(OS_ERRORS.find(case, proto, socket).is_some());
            }
        }
        // A TCP socket is always connected: the mode does not matter.
        assert_eq!(
            OS_ERRORS.find(Case::PortClosed, Proto::Tcp, SocketMode::Unconnected),
            OS_ERRORS.find(Case::PortClosed, Proto::Tcp, SocketMode::Connected)
        );
    }

    #[test]
    fn the_unconnected_udp_socket_differs_on_windows() {
        for case in [Case::PortClosed, Case::FirewallReject] {
            let row = OS_ERRORS
                .find(case, Proto::Udp, SocketMode::Unconnected)
                .unwrap();
            assert_eq!(row.netlab, Outcome::Timeout);
            assert_eq!(row.linux, Shown::Nothing);
            assert_eq!(row.macos, Shown::Nothing);
            assert_eq!(row.windows, WSAECONNRESET);
            let connected = OS_ERRORS
                .find(case, Proto::Udp, SocketMode::Connected)
                .unwrap();
            assert_eq!(connected.linux, ECONNREFUSED);
            assert_eq!(connected.windows, WSAECONNRESET);
        }
    }

    #[test]
    fn netlab_outcome_follows_the_linux_error() {
        for c in OS_ERRORS.cases {
            let want = match c.linux {
                Shown::Error(OsError { number: 111, .. }) => Outcome::Refused,
                Shown::Error(OsError { number: 113, .. }) => Outcome::Unreachable,
                Shown::Error(OsError { number: 110, .. }) | Shown::Nothing => Outcome::Timeout,
                Shown::Error(OsError { number: -2, .. }) => Outcome::Dns,
                Shown::Error(e) => panic!("unexpected {e:?}"),
                Shown::NotCited => panic!("Linux is what netlab runs: {c:?}"),
            };
            assert_eq!(c.netlab, want, "{c:?}");
        }
    }

    #[test]
    fn serializes_for_reports() {
        let v = serde_json::to_value(OS_ERRORS.cases[0]).unwrap();
        assert_eq!(v["linux"]["shows"], "error");
        assert_eq!(v["linux"]["name"], "ECONNREFUSED");
        assert_eq!(v["windows"]["number"], 10061);
        assert_eq!(v["case"], "port-closed");
        let v = serde_json::to_value(OS_ERRORS.cases[2]).unwrap();
        assert_eq!(v["linux"]["shows"], "nothing");
        assert_eq!(v["socket"], "unconnected");
        let row = OS_ERRORS.find(Case::FirewallReject, Proto::Tcp, SocketMode::Connected);
        let v = serde_json::to_value(row.unwrap()).unwrap();
        assert_eq!(v["windows"]["shows"], "not_cited");
    }

    /// docs/echo.md shows this table: every row, as the table says it.
    #[test]
    fn the_docs_show_the_table() {
        let shown = |s: Shown| match s {
            Shown::Error(e) => format!("{} {}", e.name, e.number),
            Shown::Nothing => "nothing (own timeout)".into(),
            Shown::NotCited => "not cited".into(),
        };
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/echo.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let mut missing = Vec::new();
        for c in OS_ERRORS.cases {
            let client = match (c.proto, c.socket) {
                (Proto::Tcp, _) => "TCP",
                (Proto::Udp, None) => "UDP, either socket",
                (Proto::Udp, Some(SocketMode::Connected)) => "UDP, connected",
                (Proto::Udp, Some(SocketMode::Unconnected)) => "UDP, unconnected (the handout's)",
            };
            let line = format!(
                "| {} | {client} | `{}` | {} | {} | {} | {} |",
                c.case.title(),
                c.netlab.name(),
                shown(c.linux),
                shown(c.windows),
                shown(c.macos),
                c.note
            );
            if !doc.lines().any(|l| l == line) {
                missing.push(line);
            }
        }
        assert!(missing.is_empty(), "not in {path}:\n{}", missing.join("\n"));
    }
}
