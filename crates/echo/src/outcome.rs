//! Naming failures: which [`Outcome`] an OS error stands for.

use std::io;

use netlab_contract::Outcome;

/// Why a probe failed: the outcome, the OS error number behind it (if any)
/// and a sentence for humans.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub outcome: Outcome,
    pub errno: Option<i32>,
    pub error: String,
}

impl Failure {
    pub fn new(outcome: Outcome, errno: Option<i32>, error: impl Into<String>) -> Self {
        Self {
            outcome,
            errno,
            error: error.into(),
        }
    }

    /// The failure an I/O error from a socket call stands for; `context`
    /// says which call (e.g. "connect", "receive").
    pub fn from_io(context: &str, err: &io::Error) -> Self {
        let errno = err.raw_os_error();
        Self::new(classify(err), errno, format!("{context}: {err}"))
    }
}

/// Maps an OS error to an outcome. Errors with no better name (e.g. EPERM
/// from a local firewall rule on output) count as `unreachable`: the
/// request could not be delivered.
pub fn classify(err: &io::Error) -> Outcome {
    if let Some(errno) = err.raw_os_error() {
        return match errno {
            libc::ECONNREFUSED => Outcome::Refused,
            libc::ECONNRESET | libc::EPIPE | libc::ECONNABORTED => Outcome::Reset,
            libc::ETIMEDOUT | libc::EAGAIN => Outcome::Timeout,
            _ => Outcome::Unreachable,
        };
    }
    match err.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Outcome::Timeout,
        io::ErrorKind::ConnectionRefused => Outcome::Refused,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => Outcome::Reset,
        _ => Outcome::Unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(errno: i32) -> Outcome {
        classify(&io::Error::from_raw_os_error(errno))
    }

    #[test]
    fn names_the_errnos_of_the_lab() {
        assert_eq!(os(libc::ECONNREFUSED), Outcome::Refused);
        assert_eq!(os(libc::EHOSTUNREACH), Outcome::Unreachable);
        assert_eq!(os(libc::ENETUNREACH), Outcome::Unreachable);
        assert_eq!(os(libc::ECONNRESET), Outcome::Reset);
        assert_eq!(os(libc::EPIPE), Outcome::Reset);
        assert_eq!(os(libc::ETIMEDOUT), Outcome::Timeout);
        assert_eq!(os(libc::EPERM), Outcome::Unreachable);
        assert_eq!(classify(&io::ErrorKind::TimedOut.into()), Outcome::Timeout);
        let f = Failure::from_io("connect", &io::Error::from_raw_os_error(libc::ECONNREFUSED));
        assert_eq!(f.errno, Some(111));
        assert!(
            f.error.starts_with("connect: Connection refused"),
            "{}",
            f.error
        );
    }
}
