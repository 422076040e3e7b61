//! What the kernel counted against a container's limits: OOM kills (the
//! memory limit) and failed forks (the pids limit). Read from the
//! container's own cgroup files through the exec API, so it works the same
//! on a remote engine; cgroup v1 and v2 name the counters alike.

use std::time::Duration;

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{EngineError, Result};
use crate::exec::ExecRequest;

/// The cgroup files, v1 then v2, as a container sees them.
const FILES: [&str; 4] = [
    "/sys/fs/cgroup/memory/memory.oom_control",
    "/sys/fs/cgroup/memory.events",
    "/sys/fs/cgroup/pids/pids.events",
    "/sys/fs/cgroup/pids.events",
];

/// Counters of a container's cgroup since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimitCounters {
    /// Processes the OOM killer ended (`oom_kill`).
    pub oom_kills: u64,
    /// Forks refused at the pids limit (`max` in pids.events).
    pub forks_refused: u64,
}

impl Engine {
    /// Reads the counters from the host's cgroup files on a local engine:
    /// no process is started in a container that may sit at its pids limit
    /// (an exec there fails, and the limit it hit would go unseen).
    /// Elsewhere with `grep` in the container (the image needs one; netlab's
    /// python and tools images have it), each line prefixed with its file:
    /// v2's memory.events also has a `max` line.
    pub async fn limit_counters(&self, c: &Container) -> Result<LimitCounters> {
        if self.is_local()
            && let Some(counters) = local_counters(c.pid)
        {
            return Ok(counters);
        }
        let id = c.id.as_str();
        let mut argv = vec!["grep", "-H", "-s", ""];
        argv.extend(FILES);
        let req = ExecRequest::new(&argv)
            .timeout(Duration::from_secs(10))
            .output_cap(16 << 10);
        // grep fails on the files of the other cgroup version: read what it printed.
        let out = self.exec(id, &req).await?;
        parse(&out.stdout.text()).ok_or_else(|| EngineError::Unexpected {
            action: format!("reading the cgroup counters of container {id}"),
            detail: format!(
                "no oom_kill or pids counter in {}: {}",
                FILES.join(", "),
                out.stderr.text().trim()
            ),
        })
    }
}

/// The counters of process `pid`'s cgroup, read on this host; `None` when a
/// file is not where a host's cgroup namespace puts it.
fn local_counters(pid: u32) -> Option<LimitCounters> {
    if pid == 0 {
        return None;
    }
    let membership = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let mut text = String::new();
    // v1 file, then v2's; each line prefixed like grep -H does, for `parse`.
    for (controller, files) in [
        ("memory", ["memory.oom_control", "memory.events"]),
        ("pids", ["pids.events", "pids.events"]),
    ] {
        let dir = crate::memory::cgroup_dir(&membership, controller)?;
        let found = files
            .iter()
            .find_map(|f| std::fs::read_to_string(format!("{dir}/{f}")).ok())?;
        for line in found.lines() {
            text.push_str(&format!("{controller}:{line}\n"));
        }
    }
    parse(&text)
}

/// `FILE:oom_kill N` (memory.oom_control, memory.events) and `FILE:max N`
/// (pids.events).
fn parse(text: &str) -> Option<LimitCounters> {
    let mut counters = LimitCounters::default();
    let mut found = false;
    for line in text.lines() {
        let Some((file, line)) = line.split_once(':') else {
            continue;
        };
        let pids = file.contains("pids");
        let mut words = line.split_whitespace();
        let (Some(key), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = value.parse::<u64>() else {
            continue;
        };
        match key {
            "oom_kill" if !pids => counters.oom_kills += n,
            "max" if pids => counters.forks_refused += n,
            _ => continue,
        }
        found = true;
    }
    found.then_some(counters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_counters() {
        let v1 = "/sys/fs/cgroup/memory/memory.oom_control:oom_kill_disable 0\n\
                  /sys/fs/cgroup/memory/memory.oom_control:oom_kill 1\n\
                  /sys/fs/cgroup/pids/pids.events:max 3\n";
        let want = LimitCounters {
            oom_kills: 1,
            forks_refused: 3,
        };
        assert_eq!(parse(v1), Some(want));
        // v2's memory.events has its own `max` (times usage hit the limit).
        let v2 = "/sys/fs/cgroup/memory.events:max 7\n\
                  /sys/fs/cgroup/memory.events:oom_kill 1\n\
                  /sys/fs/cgroup/pids.events:max 3\n";
        assert_eq!(parse(v2), Some(want));
        assert_eq!(parse(""), None);
    }
}
