//! What a container should be: image, command, networks, and the confinement
//! every netlab container gets (all capabilities dropped, no-new-privileges,
//! capped logs) plus the optional sandbox limits for untrusted code.

use std::net::Ipv4Addr;

/// Attachment to a network created by the run.
#[derive(Clone, Debug, Default)]
pub struct NetAttach {
    /// Docker network name ([`crate::NetworkInfo::docker_name`]).
    pub network: String,
    /// Extra DNS names (the container's logical name is always one).
    pub aliases: Vec<String>,
    /// Fixed address, only when the lab asks for one.
    pub ipv4: Option<Ipv4Addr>,
}

/// Resource limits (DESIGN.md sandbox). `None` leaves Docker's default.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    /// Memory limit in bytes; swap is set equal, so no swap.
    pub memory_bytes: Option<i64>,
    /// CPU quota in billionths of a CPU.
    pub nano_cpus: Option<i64>,
    pub pids_limit: Option<i64>,
    /// Open files (soft = hard).
    pub nofile: Option<i64>,
}

impl Limits {
    /// Limits for untrusted submissions: 256 MiB without swap, half a CPU, 64 processes, 256 files.
    pub fn sandbox() -> Limits {
        Limits {
            memory_bytes: Some(256 << 20),
            nano_cpus: Some(500_000_000),
            pids_limit: Some(64),
            nofile: Some(256),
        }
    }
}

/// A bind mount.
#[derive(Clone, Debug)]
pub struct Bind {
    pub host: String,
    pub container: String,
    pub read_only: bool,
}

/// A container to create and start in a run.
#[derive(Clone, Debug)]
pub struct ContainerSpec {
    /// Logical name (`server`): a DNS name on every attached network; the
    /// Docker name is `netlab-<run>-<name>`.
    pub name: String,
    pub image: String,
    /// Empty: the image's CMD.
    pub cmd: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub env: Vec<(String, String)>,
    pub networks: Vec<NetAttach>,
    /// Resolver options, e.g. `timeout:1`, `attempts:1` for clients so an unknown name fails in ~1 s.
    pub dns_options: Vec<String>,
    /// `uid:gid` or a user name; `None` is the image's user.
    pub user: Option<String>,
    pub working_dir: Option<String>,
    pub read_only_rootfs: bool,
    /// Mount point and tmpfs options, e.g. (`/tmp`, `rw,noexec,nosuid,size=16m`).
    pub tmpfs: Vec<(String, String)>,
    pub binds: Vec<Bind>,
    pub limits: Limits,
    /// Log size cap (json-file `max-size`, one file).
    pub log_max_size: String,
    /// Extra labels (run labels are always added).
    pub labels: Vec<(String, String)>,
}

impl ContainerSpec {
    /// A spec with netlab's defaults: no network yet, image CMD, 1 MB log cap.
    pub fn new(name: &str, image: &str) -> ContainerSpec {
        ContainerSpec {
            name: name.to_string(),
            image: image.to_string(),
            cmd: Vec::new(),
            entrypoint: None,
            env: Vec::new(),
            networks: Vec::new(),
            dns_options: Vec::new(),
            user: None,
            working_dir: None,
            read_only_rootfs: false,
            tmpfs: Vec::new(),
            binds: Vec::new(),
            limits: Limits::default(),
            log_max_size: "1m".into(),
            labels: Vec::new(),
        }
    }

    pub fn cmd<S: AsRef<str>>(mut self, argv: &[S]) -> Self {
        self.cmd = argv.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Attaches to a network with extra aliases.
    pub fn network(mut self, network: &str, aliases: &[&str]) -> Self {
        self.networks.push(NetAttach {
            network: network.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ipv4: None,
        });
        self
    }

    /// Client resolver options: an unknown name fails after ~1 s instead of
    /// waiting for the embedded DNS's upstream to time out.
    pub fn fast_dns_failure(mut self) -> Self {
        self.dns_options = vec!["timeout:1".into(), "attempts:1".into()];
        self
    }

    /// The sandbox for untrusted code: non-root `user`, read-only root with a
    /// small tmpfs on /tmp, [`Limits::sandbox`].
    pub fn sandboxed(mut self, user: &str) -> Self {
        self.user = Some(user.into());
        self.read_only_rootfs = true;
        self.tmpfs = vec![("/tmp".into(), "rw,noexec,nosuid,size=16m".into())];
        self.limits = Limits::sandbox();
        self
    }
}
