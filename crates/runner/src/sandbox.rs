//! Role hosts of `netlab grade`: the student's program in the DESIGN.md
//! sandbox (non-root, no capabilities, read-only root with a small tmpfs,
//! memory without swap, CPU quota, pids limit, capped logs, the lab's
//! internal network only, never the Docker socket), with the submission
//! folder read-only at /submission.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use netlab_engine::{Bind, ContainerSpec, Limits};
use netlab_lab::{SERVER_HOST, SUBMISSION_PORT, SandboxLimits};

/// nobody:nogroup: owns nothing in the image or the submission.
pub const SANDBOX_USER: &str = "65534:65534";
pub const SUBMISSION_DIR: &str = "/submission";

/// The submission a run grades, and the limits its programs run under.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// The student's folder, absolute (it is mounted read-only).
    pub dir: PathBuf,
    pub limits: SandboxLimits,
    /// On an engine that cannot see this machine's files: the volume the
    /// folder was copied into, mounted instead of the folder.
    volume: Option<String>,
}

impl Sandbox {
    pub fn new(dir: PathBuf, limits: SandboxLimits) -> Sandbox {
        Sandbox {
            dir,
            limits,
            volume: None,
        }
    }

    /// The same sandbox, with the folder's copy in `volume`.
    pub(crate) fn in_volume(&self, volume: String) -> Sandbox {
        Sandbox {
            volume: Some(volume),
            ..self.clone()
        }
    }
}

/// Turns a lab host's spec into the sandboxed spec of a role host.
pub(crate) fn confine(spec: ContainerSpec, sandbox: &Sandbox) -> ContainerSpec {
    let (dir, limits) = (&sandbox.dir, &sandbox.limits);
    let mut spec = spec.sandboxed(SANDBOX_USER);
    spec.limits = Limits {
        memory_bytes: Some(limits.memory_bytes as i64),
        nano_cpus: Some((limits.cpus * 1e9) as i64),
        pids_limit: Some(i64::from(limits.pids)),
        nofile: Limits::sandbox().nofile,
    };
    spec.working_dir = Some(SUBMISSION_DIR.into());
    spec.binds.push(Bind {
        host: sandbox
            .volume
            .clone()
            .unwrap_or_else(|| dir.display().to_string()),
        container: SUBMISSION_DIR.into(),
        read_only: true,
    });
    // The student's own prints can flood the log; what matters is capped.
    spec.log_max_size = "256k".into();
    for (k, v) in [
        ("SERVER_HOST", SERVER_HOST.to_string()),
        ("SERVER_PORT", SUBMISSION_PORT.to_string()),
        ("PYTHONUNBUFFERED", "1".to_string()),
        ("PYTHONDONTWRITEBYTECODE", "1".to_string()),
        ("HOME", "/tmp".to_string()),
    ] {
        if !spec.env.iter().any(|(key, _)| key == k) {
            spec.env.push((k.into(), v));
        }
    }
    spec
}

/// The note for a server that only listens on loopback.
pub(crate) fn loopback_note(host: &str, addrs: &[Ipv4Addr], port: u16) -> Option<String> {
    (!addrs.is_empty() && addrs.iter().all(Ipv4Addr::is_loopback)).then(|| {
        format!(
            "{host}: the server is bound to {}:{port}, a loopback address: only programs on its own host can reach it, so every client on another host gets no answer. Bind to '' (all interfaces) instead, as the handout does: serverSocket.bind(('', serverPort))",
            addrs[0]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_is_noted() {
        assert!(loopback_note("server", &[Ipv4Addr::LOCALHOST], 12000).is_some());
        assert!(loopback_note("server", &[Ipv4Addr::UNSPECIFIED], 12000).is_none());
        assert!(loopback_note("server", &[], 12000).is_none());
    }
}
