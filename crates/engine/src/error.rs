//! Typed errors: each says what failed, where, and what to do about it.

use std::time::Duration;

/// Everything that can go wrong between netlab and the Docker engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// No engine answered at connect time (the CLI maps this to exit status 3).
    #[error(
        "no Docker engine answers at {host}: {reason}; start the Docker daemon or point DOCKER_HOST at a running one"
    )]
    Unavailable { host: String, reason: String },

    /// A Docker API call failed.
    #[error("Docker request failed while {action}: {source}")]
    Docker {
        action: String,
        #[source]
        source: bollard::errors::Error,
    },

    /// A Docker API call did not answer in time.
    #[error(
        "Docker did not answer within {after:?} while {action}; is the daemon overloaded or stuck?"
    )]
    Timeout { action: String, after: Duration },

    /// The static `netlab-echo` binary for the echo image cannot be read.
    #[error(
        "cannot read the netlab-echo binary at {path}: {source}; build it with `cargo build -p netlab-echo` (static, --target x86_64-unknown-linux-gnu)"
    )]
    EchoBinary {
        path: String,
        #[source]
        source: std::io::Error,
    },

    /// The offline base image needs debootstrap.
    #[error(
        "debootstrap is not installed but is needed to build the offline Debian base image (no registry answered); install it with `apt-get install debootstrap`"
    )]
    DebootstrapMissing,

    /// debootstrap ran and failed.
    #[error("debootstrap failed ({status}) building the offline Debian base; last output:\n{tail}")]
    Debootstrap { status: String, tail: String },

    /// No Debian mirror could be read from the machine's apt sources.
    #[error(
        "no Debian mirror found in the apt sources ({searched}); set NETLAB_DEBIAN_MIRROR to a mirror URI such as the one apt uses"
    )]
    NoMirror { searched: String },

    /// An image build or import reported an error.
    #[error("building image {tag} failed: {message}")]
    Build { tag: String, message: String },

    /// A container ended before it became ready.
    #[error(
        "container {name} exited with code {code} before it was ready; last output:\n{last_lines}"
    )]
    ExitedEarly {
        name: String,
        code: i64,
        last_lines: String,
    },

    /// A container did not become ready in time.
    #[error(
        "container {name} was not ready after {after:?} (waited for {what}); last output:\n{last_lines}"
    )]
    NotReady {
        name: String,
        what: String,
        after: Duration,
        last_lines: String,
    },

    /// Port readiness reads /proc on the engine's host, which must be this host.
    #[error("cannot check the ports of container {name} from here: {reason}")]
    PortProbe { name: String, reason: String },

    /// A fault command run in a sidecar failed.
    #[error(
        "sidecar command `{command}` in {target}'s network namespace failed with exit code {code}: {stderr}"
    )]
    SidecarCommand {
        target: String,
        command: String,
        code: i64,
        stderr: String,
    },

    /// Every address of a subnet is taken.
    #[error("no free address left in subnet {subnet} of network {network}")]
    NoFreeAddress { network: String, subnet: String },

    /// Docker returned something netlab cannot use (missing field, bad address).
    #[error("unexpected answer from Docker while {action}: {detail}")]
    Unexpected { action: String, detail: String },

    /// Cleanup could not remove some objects.
    #[error("cleanup left {count} object(s) behind: {details}; remove them with `netlab clean`")]
    Cleanup { count: usize, details: String },

    /// Local I/O (files, processes) failed.
    #[error("{action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

impl EngineError {
    /// A sidecar's `tc` failed because the kernel lacks the qdisc it asked
    /// for (iproute2: "Specified qdisc kind is unknown"): `sch_netem` for a
    /// delay, `sch_tbf` for a rate. The one test for it, so such a kernel is
    /// reported the same way wherever it shows.
    pub fn is_missing_qdisc(&self) -> bool {
        matches!(self, EngineError::SidecarCommand { stderr, .. } if stderr.contains("qdisc kind is unknown"))
    }
}

/// Result alias for the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// Attaches "while doing X" to bollard errors, turning request timeouts into [`EngineError::Timeout`].
pub(crate) trait DockerContext<T> {
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T>;
}

impl<T> DockerContext<T> for std::result::Result<T, bollard::errors::Error> {
    fn ctx(self, action: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| match source {
            bollard::errors::Error::RequestTimeoutError => EngineError::Timeout {
                action: action(),
                after: crate::timeouts::REQUEST_TIMEOUT,
            },
            source => EngineError::Docker {
                action: action(),
                source,
            },
        })
    }
}

/// True when a bollard error is a 404 (object already gone).
pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// True when Docker refuses a removal because another one of the same
/// container is under way (409 "removal of container ... is already in progress").
pub(crate) fn is_removal_in_progress(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 409,
            message,
        } if message.contains("already in progress")
    )
}

pub(crate) fn io_err(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> EngineError {
    let action = action.into();
    move |source| EngineError::Io { action, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_qdisc_is_recognised_by_tcs_words() {
        let failed = |stderr: &str| EngineError::SidecarCommand {
            target: "server".into(),
            command: "tc qdisc add dev eth0 root netem delay 1ms".into(),
            code: 2,
            stderr: stderr.into(),
        };
        assert!(failed("Error: Specified qdisc kind is unknown.").is_missing_qdisc());
        assert!(!failed("RTNETLINK answers: Operation not permitted").is_missing_qdisc());
    }
}
