//! How a row of `netlab_contract::OS_ERRORS` reads in every human report:
//! what the same client shows on each system, cited from the systems'
//! documentation and never passed off as a measurement.

use netlab_contract::{OS_ERRORS, OsErrorCase, Shown};

/// The label every cited figure carries.
pub const LABEL: &str = "cited, not measured";

/// The legend under a matrix that cites: what the figures are and where
/// they come from.
pub fn legend() -> String {
    format!(
        "{LABEL}: what the same client shows on Linux, Windows and macOS in each case, \
         from the systems' headers and documentation; netlab runs Linux only, so only \
         the outcome above each citation is measured. Sources: {}.",
        OS_ERRORS.sources.join("; ")
    )
}

/// `Windows: WSAECONNRESET (10054)`, one per system, in a fixed order.
pub fn systems(row: &OsErrorCase) -> [String; 3] {
    [
        ("Linux", row.linux),
        ("Windows", row.windows),
        ("macOS", row.macos),
    ]
    .map(|(os, s)| format!("{os}: {}", shown(s)))
}

/// `WSAECONNRESET (10054)`; `no error (waits)` when the system reports
/// nothing; `not cited` when no source says.
pub fn shown(s: Shown) -> String {
    match s {
        Shown::Error(e) => format!("{} ({})", e.name, e.number),
        Shown::Nothing => "no error (waits)".into(),
        Shown::NotCited => "not cited".into(),
    }
}

#[cfg(test)]
mod tests {
    use netlab_contract::{Case, Proto, SocketMode};

    use super::*;

    #[test]
    fn the_handouts_socket_on_a_closed_port() {
        let row = OS_ERRORS
            .find(Case::PortClosed, Proto::Udp, SocketMode::Unconnected)
            .unwrap();
        assert_eq!(
            systems(row),
            [
                "Linux: no error (waits)",
                "Windows: WSAECONNRESET (10054)",
                "macOS: no error (waits)"
            ]
        );
        let tcp = OS_ERRORS
            .find(Case::FirewallReject, Proto::Tcp, SocketMode::Connected)
            .unwrap();
        assert_eq!(systems(tcp)[1], "Windows: not cited");
        assert!(legend().starts_with("cited, not measured: "));
        assert!(legend().contains("winerror.h"));
    }
}
