//! Role hosts of `netlab grade`: the student's program in the DESIGN.md
//! sandbox (non-root, no capabilities, read-only root with a small tmpfs,
//! memory without swap, CPU quota, pids limit, capped logs, the lab's
//! internal network only, never the Docker socket), with the submission
//! folder read-only at /submission.

use std::path::Path;

use netlab_engine::{Bind, ContainerSpec, Limits};
use netlab_lab::{SERVER_HOST, SUBMISSION_PORT, SandboxLimits};

/// nobody:nogroup: owns nothing in the image or the submission.
pub const SANDBOX_USER: &str = "65534:65534";
pub const SUBMISSION_DIR: &str = "/submission";

/// Turns a lab host's spec into the sandboxed spec of a role host.
pub(crate) fn confine(spec: ContainerSpec, dir: &Path, limits: &SandboxLimits) -> ContainerSpec {
    let mut spec = spec.sandboxed(SANDBOX_USER);
    spec.limits = Limits {
        memory_bytes: Some(limits.memory_bytes as i64),
        nano_cpus: Some((limits.cpus * 1e9) as i64),
        pids_limit: Some(i64::from(limits.pids)),
        nofile: Limits::sandbox().nofile,
    };
    spec.working_dir = Some(SUBMISSION_DIR.into());
    spec.binds.push(Bind {
        host: dir.display().to_string(),
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

/// Local IPv4 addresses a socket on `port` is bound to in the namespace of
/// `pid` (from /proc/<pid>/net/{udp,tcp}); empty when unreadable.
pub(crate) fn bound_addresses(pid: u32, port: u16, udp: bool) -> Vec<[u8; 4]> {
    let file = if udp { "udp" } else { "tcp" };
    let Ok(table) = std::fs::read_to_string(format!("/proc/{pid}/net/{file}")) else {
        return Vec::new();
    };
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let local = line.split_whitespace().nth(1)?;
            let (addr, p) = local.split_once(':')?;
            if u16::from_str_radix(p, 16).ok()? != port {
                return None;
            }
            // /proc prints the address as a host-order (little-endian) u32.
            let n = u32::from_str_radix(addr, 16).ok()?;
            Some(n.to_le_bytes())
        })
        .collect()
}

/// The note for a server that only listens on loopback.
pub(crate) fn loopback_note(host: &str, addrs: &[[u8; 4]], port: u16) -> Option<String> {
    (!addrs.is_empty() && addrs.iter().all(|a| a[0] == 127)).then(|| {
        let a = addrs[0];
        format!(
            "{host}: the server is bound to {}.{}.{}.{}:{port}, a loopback address: only programs on its own host can reach it, so every client on another host gets no answer. Bind to '' (all interfaces) instead, as the handout does: serverSocket.bind(('', serverPort))",
            a[0], a[1], a[2], a[3]
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_is_noted() {
        assert!(loopback_note("server", &[[127, 0, 0, 1]], 12000).is_some());
        assert!(loopback_note("server", &[[0, 0, 0, 0]], 12000).is_none());
        assert!(loopback_note("server", &[], 12000).is_none());
    }

    #[test]
    fn proc_address_is_little_endian() {
        let n = u32::from_str_radix("0100007F", 16).unwrap();
        assert_eq!(n.to_le_bytes(), [127, 0, 0, 1]);
    }
}
