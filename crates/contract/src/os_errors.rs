//! What the handout's client shows on each operating system when the server
//! is not there: the Task 4 cases and the socket error each OS reports,
//! for documentation and reports.
//!
//! **Cited knowledge, not measured**: netlab runs Linux only. The numbers
//! are those of the systems' headers ([`OsErrorTable::sources`]); which
//! error a case produces is documented behaviour of each socket API (e.g.
//! Winsock's `WSAECONNRESET` on a UDP socket after an ICMP port
//! unreachable). netlab-echo's own outcome on Linux is what it measures.

use serde::Serialize;

use crate::{Outcome, Proto, SocketMode};

/// A named OS error and its number on that system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OsError {
    /// Symbolic name, e.g. `ECONNREFUSED` or `WSAECONNRESET`.
    pub name: &'static str,
    pub number: i32,
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
}

/// One case of Task 4 and what each system shows for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OsErrorCase {
    /// The situation, e.g. "port closed".
    pub case: &'static str,
    pub proto: Proto,
    /// UDP: which kind of socket the client uses; None for TCP.
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

const fn e(name: &'static str, number: i32) -> Shown {
    Shown::Error(OsError { name, number })
}

// Linux: include/uapi/asm-generic/errno.h.
const ECONNREFUSED: Shown = e("ECONNREFUSED", 111);
const EHOSTUNREACH: Shown = e("EHOSTUNREACH", 113);
const ETIMEDOUT: Shown = e("ETIMEDOUT", 110);
// Windows: winerror.h (Windows Sockets error codes).
const WSAECONNRESET: Shown = e("WSAECONNRESET", 10054);
const WSAECONNREFUSED: Shown = e("WSAECONNREFUSED", 10061);
const WSAETIMEDOUT: Shown = e("WSAETIMEDOUT", 10060);
const WSAEHOSTUNREACH: Shown = e("WSAEHOSTUNREACH", 10065);
// macOS: xnu bsd/sys/errno.h (the BSD numbers).
const MAC_ECONNREFUSED: Shown = e("ECONNREFUSED", 61);
const MAC_EHOSTUNREACH: Shown = e("EHOSTUNREACH", 65);
const MAC_ETIMEDOUT: Shown = e("ETIMEDOUT", 60);

/// The Task 4 cases on Linux, Windows and macOS (cited, not measured).
pub const OS_ERRORS: OsErrorTable = OsErrorTable {
    measured: false,
    sources: &[
        "Linux: include/uapi/asm-generic/errno.h; udp(7) and ip(7) (IP_RECVERR: only a connected socket, or one with IP_RECVERR, is told of ICMP errors)",
        "Windows: winerror.h and Microsoft's \"Windows Sockets Error Codes\"; recv/recvfrom: WSAECONNRESET on a UDP socket means an earlier send drew an ICMP port unreachable",
        "macOS: xnu bsd/sys/errno.h; BSD UDP reports ICMP errors to connected sockets only",
    ],
    cases: &[
        OsErrorCase {
            case: "port closed",
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Refused,
            linux: ECONNREFUSED,
            windows: WSAECONNREFUSED,
            macos: MAC_ECONNREFUSED,
            note: "the host answers the SYN with a RST",
        },
        OsErrorCase {
            case: "port closed",
            proto: Proto::Udp,
            socket: Some(SocketMode::Connected),
            netlab: Outcome::Refused,
            linux: ECONNREFUSED,
            windows: WSAECONNRESET,
            macos: MAC_ECONNREFUSED,
            note: "ICMP port unreachable, reported to a connected socket on its next call",
        },
        OsErrorCase {
            case: "port closed",
            proto: Proto::Udp,
            socket: Some(SocketMode::Unconnected),
            netlab: Outcome::Timeout,
            linux: Shown::Nothing,
            windows: WSAECONNRESET,
            macos: Shown::Nothing,
            note: "ICMP port unreachable: Linux and macOS do not report it to an unconnected socket, Windows does (on recvfrom)",
        },
        OsErrorCase {
            case: "host unreachable",
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Unreachable,
            linux: EHOSTUNREACH,
            windows: WSAEHOSTUNREACH,
            macos: MAC_EHOSTUNREACH,
            note: "no ARP answer, or ICMP host unreachable from a router",
        },
        OsErrorCase {
            case: "no answer (firewall DROP)",
            proto: Proto::Tcp,
            socket: None,
            netlab: Outcome::Timeout,
            linux: ETIMEDOUT,
            windows: WSAETIMEDOUT,
            macos: MAC_ETIMEDOUT,
            note: "SYNs retransmitted until the system gives up (a program's own shorter timeout ends it first, with no errno)",
        },
        OsErrorCase {
            case: "no answer (firewall DROP)",
            proto: Proto::Udp,
            socket: None,
            netlab: Outcome::Timeout,
            linux: Shown::Nothing,
            windows: Shown::Nothing,
            macos: Shown::Nothing,
            note: "silence: only the program's own timeout ends the wait",
        },
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
                Shown::Nothing => None,
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
            ],
        );
        expect(
            |c| c.windows,
            &[
                ("WSAECONNRESET", 10054),
                ("WSAECONNREFUSED", 10061),
                ("WSAETIMEDOUT", 10060),
                ("WSAEHOSTUNREACH", 10065),
            ],
        );
        expect(
            |c| c.macos,
            &[
                ("ECONNREFUSED", 61),
                ("EHOSTUNREACH", 65),
                ("ETIMEDOUT", 60),
            ],
        );
        // Winsock numbers are WSABASEERROR (10000) + the BSD number.
        for e in errors(|c| c.windows) {
            assert!(e.name.starts_with("WSAE") && e.number > 10_000, "{e:?}");
        }
    }

    #[test]
    fn the_unconnected_udp_socket_differs_on_windows() {
        let case = OS_ERRORS
            .cases
            .iter()
            .find(|c| c.proto == Proto::Udp && c.socket == Some(SocketMode::Unconnected))
            .unwrap();
        assert_eq!(case.netlab, Outcome::Timeout);
        assert_eq!(case.linux, Shown::Nothing);
        assert_eq!(case.macos, Shown::Nothing);
        assert_eq!(case.windows, WSAECONNRESET);
    }

    #[test]
    fn netlab_outcome_follows_the_linux_error() {
        for c in OS_ERRORS.cases {
            let want = match c.linux {
                Shown::Error(OsError { number: 111, .. }) => Outcome::Refused,
                Shown::Error(OsError { number: 113, .. }) => Outcome::Unreachable,
                Shown::Error(OsError { number: 110, .. }) | Shown::Nothing => Outcome::Timeout,
                Shown::Error(e) => panic!("unexpected {e:?}"),
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
        let v = serde_json::to_value(OS_ERRORS.cases[2]).unwrap();
        assert_eq!(v["linux"]["shows"], "nothing");
        assert_eq!(v["socket"], "unconnected");
    }
}
