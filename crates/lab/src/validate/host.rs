//! Hosts: names, images, commands, networks, aliases, readiness.

use std::collections::HashSet;
use std::time::Duration;

use indexmap::IndexMap;

use super::Cx;
use crate::model::{HostSpec, PortSpec, ReadySpec};
use crate::resolved::{Host, Image, Proto, Readiness, Submission};
use crate::span::At;

const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The lab's hosts as templates, before a scenario's faults.
pub(crate) struct Hosts {
    pub list: Vec<Host>,
}

impl Hosts {
    pub fn get(&self, name: &str) -> Option<&Host> {
        self.list.iter().find(|h| h.name == name)
    }

    /// Reports a reference to a host that is not defined; true when it is defined.
    pub fn check_ref(&self, cx: &mut Cx, name: &At<String>, key: &str) -> bool {
        if self.get(&name.value).is_some() {
            return true;
        }
        let names: Vec<String> = self.list.iter().map(|h| format!("`{}`", h.name)).collect();
        cx.err(
            name.pos,
            format!("`{key}` names unknown host `{}`", name.value),
            format!("a host of the lab: {}", names.join(", ")),
        );
        false
    }
}

pub(crate) fn hosts(
    cx: &mut Cx,
    raw: &At<IndexMap<At<String>, Option<HostSpec>>>,
    networks: &[&str],
    submission: Option<&Submission>,
) -> Hosts {
    if raw.value.is_empty() {
        cx.err(raw.pos, "no hosts", "at least one host");
    }
    let default_spec = HostSpec::default();
    let mut list = Vec::new();
    for (name, spec) in &raw.value {
        cx.name(name, "host name");
        list.push(host(
            cx,
            name,
            spec.as_ref().unwrap_or(&default_spec),
            networks,
            submission,
        ));
    }
    // Every DNS name (host keys and aliases) must be unique across the lab.
    let mut dns: HashSet<&str> = raw.value.keys().map(|k| k.value.as_str()).collect();
    for spec in raw.value.values().flatten() {
        for alias in &spec.aliases {
            if !dns.insert(&alias.value) {
                cx.err(
                    alias.pos,
                    format!("alias `{}` is already a name in this lab", alias.value),
                    "a DNS name no other host or alias uses",
                );
            }
        }
    }
    Hosts { list }
}

fn host(
    cx: &mut Cx,
    name: &At<String>,
    spec: &HostSpec,
    networks: &[&str],
    submission: Option<&Submission>,
) -> Host {
    let image = match spec.image.as_ref().map(|i| i.value.trim()) {
        None | Some("echo") => Image::Echo,
        Some("tools") => Image::Tools,
        Some("python") => Image::Python,
        Some("") => {
            let pos = spec.image.as_ref().map(|i| i.pos).unwrap_or_default();
            cx.err(
                pos,
                "empty `image`",
                "`echo`, `tools`, `python` or an image reference",
            );
            Image::Echo
        }
        Some(other) => Image::Other(other.to_owned()),
    };
    let mut command = match (&spec.command, &image) {
        (Some(c), _) => c.0.clone(),
        (None, Image::Echo) => vec!["idle".to_owned()],
        (None, _) => Vec::new(),
    };
    let mut image = image;
    if let Some(role) = &spec.role {
        let explicit = spec.image.is_some() || spec.command.is_some();
        if let Some((i, c)) =
            super::submission::role_host(cx, &name.value, role, explicit, submission)
        {
            image = i;
            command = c;
        }
    }
    let host_networks = match &spec.networks {
        None => networks.iter().map(|n| n.to_string()).collect(),
        Some(list) => {
            if list.is_empty() {
                cx.err(
                    name.pos,
                    format!("host `{}` joins no network", name.value),
                    "at least one network in `networks`",
                );
            }
            for n in list {
                if !networks.contains(&n.value.as_str()) {
                    let known: Vec<String> = networks.iter().map(|n| format!("`{n}`")).collect();
                    cx.err(
                        n.pos,
                        format!("unknown network `{}`", n.value),
                        format!("a network of the lab: {}", known.join(", ")),
                    );
                }
            }
            list.iter().map(|n| n.value.clone()).collect()
        }
    };
    for alias in &spec.aliases {
        cx.name(alias, "alias");
    }
    Host {
        name: name.value.clone(),
        image,
        command,
        env: spec.env.clone(),
        aliases: spec.aliases.iter().map(|a| a.value.clone()).collect(),
        networks: host_networks,
        ready: spec
            .ready
            .as_ref()
            .map_or(Readiness::Running, |r| ready(cx, r)),
        port_closed: false,
        role: spec.role.as_ref().map(|r| r.value.clone()),
        node: spec.node.as_ref().map(|n| node(cx, n)),
    }
}

/// A node name: what Docker allows in a hostname, a node ID or a label value.
fn node(cx: &mut Cx, n: &At<String>) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if n.value.is_empty() || !n.value.chars().all(ok) {
        cx.err(
            n.pos,
            format!("`node: {}` is not a node name", n.value),
            "a swarm node's ID, hostname or `netlab.node` label: letters, digits, `-`, `_`, `.`",
        );
    }
    n.value.clone()
}

fn ready(cx: &mut Cx, r: &At<ReadySpec>) -> Readiness {
    let timeout = r.value.timeout.as_ref().map_or(DEFAULT_READY_TIMEOUT, |t| {
        cx.duration(t, "timeout", super::READY_TIMEOUT)
    });
    match (&r.value.log, &r.value.port) {
        (Some(text), None) => {
            if text.trim().is_empty() {
                cx.err(
                    r.pos,
                    "empty `log` text",
                    "the text the program prints when ready, e.g. `ready`",
                );
            }
            Readiness::Log {
                text: text.clone(),
                timeout,
            }
        }
        (None, Some(port)) => {
            let (port_num, proto) = ready_port(cx, port);
            Readiness::Port {
                port: port_num,
                proto,
                timeout,
            }
        }
        _ => {
            cx.err(
                r.pos,
                "`ready` needs exactly one of `log` and `port`",
                "`log: TEXT` or `port: PORT/PROTO`",
            );
            Readiness::Running
        }
    }
}

fn ready_port(cx: &mut Cx, port: &At<PortSpec>) -> (u16, Proto) {
    let (num, proto) = match &port.value {
        PortSpec::Number(n) => (Some(*n), Some(Proto::Tcp)),
        PortSpec::Text(t) => {
            let (n, p) = t.split_once('/').unwrap_or((t.as_str(), "tcp"));
            let proto = match p.trim() {
                "tcp" => Some(Proto::Tcp),
                "udp" => Some(Proto::Udp),
                _ => None,
            };
            (n.trim().parse::<i64>().ok(), proto)
        }
    };
    match (num, proto) {
        (Some(n), Some(proto)) if (1..=65535).contains(&n) => (n as u16, proto),
        (Some(n), Some(_)) => {
            cx.err(port.pos, format!("port {n} is out of range"), "1 to 65535");
            (1, Proto::Tcp)
        }
        _ => {
            cx.err(
                port.pos,
                "not a port",
                "a port such as `12000/udp`, `12000/tcp` or `12000`",
            );
            (1, Proto::Tcp)
        }
    }
}
