//! Faults of one scenario: which hosts are absent, port-closed, firewalled, impaired.

use std::collections::HashMap;

use super::Cx;
use super::host::Hosts;
use crate::model::FaultSpec;
use crate::resolved::{Absent, Firewall, Host, Image, Impairment, Readiness};
use crate::span::At;

#[derive(Default)]
pub(crate) struct Faults {
    pub port_closed: Vec<String>,
    pub absent: Vec<Absent>,
    pub firewalls: Vec<Firewall>,
    pub impairments: Vec<Impairment>,
}

impl Faults {
    pub fn is_absent(&self, host: &str) -> bool {
        self.absent.iter().any(|a| a.host == host)
    }

    /// The hosts to start (in lab order) and the absent ones.
    pub fn apply(&self, hosts: &Hosts) -> (Vec<Host>, Vec<Absent>) {
        let mut started = Vec::new();
        for h in &hosts.list {
            if self.is_absent(&h.name) {
                continue;
            }
            let mut h = h.clone();
            if self.port_closed.contains(&h.name) {
                h.port_closed = true;
                h.command = idle_command(&h.image);
                h.ready = Readiness::Running;
            }
            started.push(h);
        }
        (started, self.absent.clone())
    }
}

/// A command that keeps the container up without serving anything.
fn idle_command(image: &Image) -> Vec<String> {
    match image {
        Image::Echo => vec!["idle".to_owned()],
        _ => vec!["sleep".to_owned(), "infinity".to_owned()],
    }
}

pub(crate) fn faults(cx: &mut Cx, raw: &[At<FaultSpec>], hosts: &Hosts) -> Faults {
    let mut out = Faults::default();
    // Host -> kind of the first absent/port_closed fault on it.
    let mut state: HashMap<String, &'static str> = HashMap::new();
    for f in raw {
        let spec = &f.value;
        let kinds: Vec<(&'static str, &At<String>)> = [
            ("port_closed", &spec.port_closed),
            ("absent", &spec.absent),
            ("firewall", &spec.firewall),
            ("impair", &spec.impair),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        let [(kind, target)] = kinds[..] else {
            cx.err(
                f.pos,
                if kinds.is_empty() {
                    "fault without a kind".to_owned()
                } else {
                    format!("fault with {} kinds", kinds.len())
                },
                "exactly one of `port_closed: HOST`, `absent: HOST`, `firewall: HOST`, `impair: HOST`",
            );
            continue;
        };
        refinements_fit(cx, spec, kind);
        if !hosts.check_ref(cx, target, kind) {
            continue;
        }
        let host = target.value.clone();
        match kind {
            "firewall" | "impair" => {
                if let Some("absent") = state.get(&host).copied() {
                    cx.err(
                        target.pos,
                        format!("{kind} on absent host `{host}`"),
                        "a host that is started in this scenario",
                    );
                }
                if kind == "firewall" {
                    out.firewalls.push(firewall(cx, spec, f, host));
                } else if out.impairments.iter().any(|i| i.host == host) {
                    cx.err(
                        target.pos,
                        format!("host `{host}` is impaired twice in this scenario"),
                        "one `impair` fault per host, with all its keys",
                    );
                } else if let Some(i) = super::impair::impairment(cx, spec, f, host) {
                    out.impairments.push(i);
                }
            }
            _ => {
                if let Some(prev) = state.insert(host.clone(), kind) {
                    cx.err(
                        target.pos,
                        format!("host `{host}` is already `{prev}` in this scenario"),
                        "at most one `absent` or `port_closed` fault per host",
                    );
                    continue;
                }
                if kind == "absent" {
                    let other = if out.firewalls.iter().any(|fw| fw.host == host) {
                        Some("firewall")
                    } else if out.impairments.iter().any(|i| i.host == host) {
                        Some("impair")
                    } else {
                        None
                    };
                    if let Some(other) = other {
                        cx.err(
                            target.pos,
                            format!("{other} on absent host `{host}`"),
                            "a host that is started in this scenario",
                        );
                    }
                    out.absent.push(Absent {
                        host,
                        resolve: spec.resolve.as_ref().map(|r| r.value).unwrap_or_default(),
                    });
                } else {
                    if let Some(Image::Other(image)) = hosts.get(&host).map(|h| &h.image) {
                        cx.err(
                            target.pos,
                            format!("cannot close the port of `{host}`: image `{image}` has no known idle command"),
                            "a host on the `echo`, `tools` or `python` image",
                        );
                    }
                    out.port_closed.push(host);
                }
            }
        }
    }
    out
}

/// Keys like `action` only make sense for one kind of fault.
fn refinements_fit(cx: &mut Cx, spec: &FaultSpec, kind: &str) {
    let mut misplaced = |key: &str, pos: Option<crate::span::Pos>, owner: &str| {
        if let Some(pos) = pos
            && kind != owner
        {
            cx.err(
                pos,
                format!("`{key}` does not apply to a `{kind}` fault"),
                format!("`{key}` only with `{owner}: HOST`"),
            );
        }
    };
    misplaced("resolve", spec.resolve.as_ref().map(|v| v.pos), "absent");
    misplaced("action", spec.action.as_ref().map(|v| v.pos), "firewall");
    misplaced("proto", spec.proto.as_ref().map(|v| v.pos), "firewall");
    misplaced("port", spec.port.as_ref().map(|v| v.pos), "firewall");
    misplaced(
        "direction",
        spec.direction.as_ref().map(|v| v.pos),
        "firewall",
    );
    misplaced("delay", spec.delay.as_ref().map(|v| v.pos), "impair");
    misplaced("jitter", spec.jitter.as_ref().map(|v| v.pos), "impair");
    misplaced("loss", spec.loss.as_ref().map(|v| v.pos), "impair");
    misplaced("rate", spec.rate.as_ref().map(|v| v.pos), "impair");
}

fn firewall(cx: &mut Cx, spec: &FaultSpec, f: &At<FaultSpec>, host: String) -> Firewall {
    let action = match &spec.action {
        Some(a) => a.value,
        None => {
            cx.err(
                f.pos,
                "firewall fault without `action`",
                "`action: drop` or `action: reject`",
            );
            crate::model::FwAction::Drop
        }
    };
    Firewall {
        host,
        action,
        proto: spec.proto.as_ref().map(|p| p.value).unwrap_or_default(),
        port: spec
            .port
            .as_ref()
            .map(|p| cx.int(p, "port", 1, 65535) as u16),
        direction: spec.direction.as_ref().map(|d| d.value).unwrap_or_default(),
    }
}
