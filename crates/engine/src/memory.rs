//! The memory a running container's processes use (anonymous memory: their
//! own, not the page cache), read without starting a process in it (it may
//! sit at its limit).
//!
//! On a local engine, from the container's cgroup file (`memory.stat`),
//! found through its first process's `/proc/<pid>/cgroup`: a file read. The
//! engine's statistics API is the fallback, and the only way to a remote
//! engine; Docker 20.10 answers it on its collector's next one-second tick,
//! even with `one-shot`, which cost a second per check (before every probe
//! of a student's server).

use std::collections::HashMap;

use bollard::query_parameters::StatsOptionsBuilder;
use futures_util::StreamExt;

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result};

impl Engine {
    /// The anonymous memory of running container `c`, in bytes.
    pub async fn memory_in_use(&self, c: &Container) -> Result<u64> {
        if self.is_local()
            && let Some(bytes) = local_anonymous(c.pid)
        {
            return Ok(bytes);
        }
        self.stats_anonymous(&c.id).await
    }

    async fn stats_anonymous(&self, id: &str) -> Result<u64> {
        let opts = StatsOptionsBuilder::new()
            .stream(false)
            .one_shot(true)
            .build();
        let action = || format!("reading the memory use of container {id}");
        let mut samples = Box::pin(self.docker.stats(id, Some(opts)));
        let stats = samples
            .next()
            .await
            .ok_or_else(|| EngineError::Unexpected {
                action: action(),
                detail: "the engine sent no statistics".into(),
            })?
            .ctx(action)?;
        let memory = stats.memory_stats.unwrap_or_default();
        anonymous(memory.stats.as_ref(), memory.usage).ok_or_else(|| EngineError::Unexpected {
            action: action(),
            detail: "the statistics have no memory figures (has the container ended?)".into(),
        })
    }
}

/// From the cgroup files of process `pid`; `None` when anything is not
/// where a host's cgroup namespace puts it (then the API answers).
fn local_anonymous(pid: u32) -> Option<u64> {
    if pid == 0 {
        return None;
    }
    let membership = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    let text = std::fs::read_to_string(cgroup_dir(&membership, "memory")? + "/memory.stat").ok()?;
    let stats: HashMap<String, u64> = text
        .lines()
        .filter_map(|l| {
            let (key, value) = l.split_once(' ')?;
            Some((key.to_string(), value.trim().parse().ok()?))
        })
        .collect();
    anonymous(Some(&stats), None)
}

/// The host folder of a process's cgroup for `controller`, from its
/// `/proc/<pid>/cgroup`: the v1 controller's line when there is one (a
/// hybrid host lists both), else the v2 unified line.
pub(crate) fn cgroup_dir(membership: &str, controller: &str) -> Option<String> {
    let mut unified = None;
    for line in membership.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if controllers.split(',').any(|c| c == controller) {
            return Some(format!("/sys/fs/cgroup/{controller}{path}"));
        }
        if controllers.is_empty() {
            unified = Some(format!("/sys/fs/cgroup{path}"));
        }
    }
    unified
}

/// cgroup v1 calls it `rss`, v2 `anon`; without either, the whole usage.
fn anonymous(stats: Option<&HashMap<String, u64>>, usage: Option<u64>) -> Option<u64> {
    stats
        .and_then(|s| s.get("rss").or_else(|| s.get("anon")).copied())
        .or(usage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_memory_of_v1_and_v2() {
        let v1 = [("rss".to_string(), 5u64), ("cache".to_string(), 9)].into();
        let v2 = [("anon".to_string(), 6u64), ("file".to_string(), 9)].into();
        assert_eq!(anonymous(Some(&v1), Some(14)), Some(5));
        assert_eq!(anonymous(Some(&v2), Some(15)), Some(6));
        assert_eq!(anonymous(None, Some(15)), Some(15));
        assert_eq!(anonymous(None, None), None);
    }

    #[test]
    fn the_controllers_line_wins_over_the_unified_line() {
        let hybrid = "5:devices:/docker/abc\n4:memory:/docker/abc\n0::/docker/abc\n";
        assert_eq!(
            cgroup_dir(hybrid, "memory").as_deref(),
            Some("/sys/fs/cgroup/memory/docker/abc")
        );
        assert_eq!(
            cgroup_dir(hybrid, "pids").as_deref(),
            Some("/sys/fs/cgroup/docker/abc")
        );
        let v2 = "0::/system.slice/docker-abc.scope\n";
        assert_eq!(
            cgroup_dir(v2, "memory").as_deref(),
            Some("/sys/fs/cgroup/system.slice/docker-abc.scope")
        );
        let joined = "3:cpu,memory:/docker/abc\n";
        assert_eq!(
            cgroup_dir(joined, "memory").as_deref(),
            Some("/sys/fs/cgroup/memory/docker/abc")
        );
        assert_eq!(cgroup_dir("", "memory"), None);
    }
}
