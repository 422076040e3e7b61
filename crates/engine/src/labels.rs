//! The labels every netlab object carries, and the owner stamp that lets a
//! later run tell a dead run's leftovers from a live concurrent run.

use std::collections::HashMap;

/// Run id (uuid) of the run that created the object.
pub const RUN: &str = "netlab.run";
/// Lab name.
pub const LAB: &str = "netlab.lab";
/// `<hostname>:<pid>:<process start time in clock ticks>` of the creating process.
pub const OWNER: &str = "netlab.owner";
/// Set on sidecars, which must go before the container whose namespace they share.
pub const ROLE: &str = "netlab.role";
/// Set on every object of a run made with `--keep`: the reaper of dead
/// runs leaves such a run alone; `netlab clean` removes it.
pub const KEEP: &str = "netlab.keep";
/// Kind of a netlab image (`echo`, `tools`, `python`, `base`).
pub const IMAGE: &str = "netlab.image";
/// The scenario a lab host's container was started for (for a reader of
/// `docker ps`; netlab itself does not filter on it).
pub const SCENARIO: &str = "netlab.scenario";

/// Identity of a process on a host: stable for its lifetime, never reused
/// (a recycled pid has a different start time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub host: String,
    pub pid: u32,
    pub start: u64,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            host: hostname(),
            pid,
            start: process_start(pid).unwrap_or(0),
        }
    }

    /// Parses the label value; `None` if malformed (such objects are never reaped).
    pub fn parse(s: &str) -> Option<Owner> {
        let mut it = s.rsplitn(3, ':');
        let start = it.next()?.parse().ok()?;
        let pid = it.next()?.parse().ok()?;
        let host = it.next()?.to_string();
        Some(Owner { host, pid, start })
    }

    /// True when this owner is a process on this host that no longer exists.
    pub fn is_dead_here(&self) -> bool {
        self.host == hostname() && process_start(self.pid) != Some(self.start)
    }
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.host, self.pid, self.start)
    }
}

/// Labels for an object of a run.
pub fn run_labels(run: &str, lab: &str, owner: &Owner) -> HashMap<String, String> {
    HashMap::from([
        (RUN.to_string(), run.to_string()),
        (LAB.to_string(), lab.to_string()),
        (OWNER.to_string(), owner.to_string()),
    ])
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into())
}

/// Field 22 of /proc/<pid>/stat (start time since boot, clock ticks).
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces and parentheses: skip past the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_round_trips_and_is_alive() {
        let me = Owner::current();
        assert!(me.start > 0, "start time read from /proc");
        assert_eq!(Owner::parse(&me.to_string()), Some(me.clone()));
        assert!(!me.is_dead_here());
    }

    #[test]
    fn recycled_or_missing_pid_is_dead() {
        let me = Owner::current();
        let recycled = Owner {
            start: me.start + 1,
            ..me.clone()
        };
        assert!(recycled.is_dead_here());
        let other_host = Owner {
            host: "elsewhere".into(),
            start: 1,
            ..me
        };
        assert!(!other_host.is_dead_here(), "other hosts are not judged");
    }

    #[test]
    fn host_names_with_colons_parse() {
        let o = Owner::parse("a:b:12:34").unwrap();
        assert_eq!((o.host.as_str(), o.pid, o.start), ("a:b", 12, 34));
        assert_eq!(Owner::parse("nohost"), None);
    }
}
