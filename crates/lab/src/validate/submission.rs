//! `netlab grade` parts of a lab: the `submission` section, role hosts and
//! `runs`. Role commands get their templates filled in here.

use std::collections::HashSet;
use std::time::Duration;

use indexmap::IndexMap;

use super::Cx;
use crate::model::{RunSpec, SubmissionSpec};
use crate::resolved::{
    Host, Image, ProgramRun, Readiness, Role, SERVER_HOST, SUBMISSION_PORT, SandboxLimits,
    Submission,
};
use crate::span::At;

const DEFAULT_RUN_DEADLINE: Duration = Duration::from_secs(10);

pub(crate) fn submission(cx: &mut Cx, raw: &At<SubmissionSpec>) -> Submission {
    let spec = &raw.value;
    let image = match spec.image.as_ref().map(|i| i.value.trim()) {
        None | Some("python") => Image::Python,
        Some("echo") => Image::Echo,
        Some("tools") => Image::Tools,
        Some("") => {
            let pos = spec.image.as_ref().map(|i| i.pos).unwrap_or_default();
            cx.err(pos, "empty `image`", "`python` or an image reference");
            Image::Python
        }
        Some(other) => Image::Other(other.to_owned()),
    };
    if spec.roles.value.is_empty() {
        cx.err(
            spec.roles.pos,
            "no roles",
            "at least one role, e.g. `udp-server: {command: \"python3 UDPServer.py\"}`",
        );
    }
    let mut roles = IndexMap::new();
    for (name, role) in &spec.roles.value {
        cx.name(name, "role name");
        let argv = &role.value.command.value.0;
        if argv.is_empty() {
            cx.err(
                role.value.command.pos,
                format!("role `{}` has an empty command", name.value),
                "the program to run, e.g. `python3 UDPServer.py`",
            );
        }
        for arg in argv {
            if let Some(bad) = unknown_template(arg) {
                cx.err(
                    role.value.command.pos,
                    format!(
                        "unknown template `{{{bad}}}` in the command of role `{}`",
                        name.value
                    ),
                    "`{server_host}` or `{server_port}`",
                );
            }
        }
        roles.insert(
            name.value.clone(),
            Role {
                name: name.value.clone(),
                command: argv.iter().map(|a| fill(a)).collect(),
            },
        );
    }
    let mut limits = SandboxLimits::default();
    if let Some(l) = &spec.limits {
        if let Some(m) = &l.value.memory {
            if m.value.0 < 16 << 20 {
                cx.err(
                    m.pos,
                    "`memory` is below 16MiB",
                    "at least `16MiB` (python3 alone needs about 10 MiB)",
                );
            }
            limits.memory_bytes = m.value.0;
        }
        if let Some(c) = &l.value.cpus {
            if !(c.value.is_finite() && c.value >= 0.01 && c.value <= 64.0) {
                cx.err(
                    c.pos,
                    format!("`cpus` {} is out of range", c.value),
                    "0.01 to 64, e.g. 0.5",
                );
            }
            limits.cpus = c.value;
        }
        if let Some(p) = &l.value.pids {
            limits.pids = cx.int(p, "pids", 4, 4096) as u32;
        }
        if let Some(o) = &l.value.output {
            if o.value.0 < 1024 || o.value.0 > 16 << 20 {
                cx.err(o.pos, "`output` is out of range", "`1KiB` to `16MiB`");
            }
            limits.output_bytes = o.value.0;
        }
    }
    Submission {
        image,
        roles,
        limits,
    }
}

/// `{server_host}` and `{server_port}` in a role's command.
fn fill(arg: &str) -> String {
    arg.replace("{server_host}", SERVER_HOST)
        .replace("{server_port}", &SUBMISSION_PORT.to_string())
}

fn unknown_template(arg: &str) -> Option<String> {
    let mut rest = arg;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if name != "server_host" && name != "server_port" {
            return Some(name.to_owned());
        }
        rest = &after[end + 1..];
    }
    None
}

/// A host's `role`: checks it, and gives the role's image and command.
pub(crate) fn role_host(
    cx: &mut Cx,
    host: &str,
    role: &At<String>,
    has_image_or_command: bool,
    submission: Option<&Submission>,
) -> Option<(Image, Vec<String>)> {
    if has_image_or_command {
        cx.err(
            role.pos,
            format!("host `{host}` has a `role` and an `image` or `command`"),
            "either `role` (the submission's program) or `image`/`command`",
        );
    }
    let Some(sub) = submission else {
        cx.err(
            role.pos,
            format!("host `{host}` has a `role` but the lab has no `submission` section"),
            "a top-level `submission:` with `roles` (used by `netlab grade`)",
        );
        return None;
    };
    match sub.roles.get(&role.value) {
        Some(r) => Some((sub.image.clone(), r.command.clone())),
        None => {
            let known: Vec<String> = sub.roles.keys().map(|k| format!("`{k}`")).collect();
            cx.err(
                role.pos,
                format!("unknown role `{}`", role.value),
                format!("a role of `submission.roles`: {}", known.join(", ")),
            );
            None
        }
    }
}

/// A scenario's runs. A host a run uses idles (`sleep infinity`, ready once
/// running) so the run can start the program itself.
pub(crate) fn runs(cx: &mut Cx, raw: &[At<RunSpec>], hosts: &mut [Host]) -> Vec<ProgramRun> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in raw {
        let spec = &r.value;
        cx.name(&spec.id, "run id");
        cx.unique(&mut seen, &spec.id, "run id");
        let deadline = spec.deadline.as_ref().map_or(DEFAULT_RUN_DEADLINE, |d| {
            cx.duration(d, "deadline", super::RUN_DEADLINE)
        });
        let Some(host) = hosts.iter_mut().find(|h| h.name == spec.host.value) else {
            let names: Vec<String> = hosts.iter().map(|h| format!("`{}`", h.name)).collect();
            cx.err(
                spec.host.pos,
                format!(
                    "run `{}` names unknown host `{}`",
                    spec.id.value, spec.host.value
                ),
                format!("a started host of this scenario: {}", names.join(", ")),
            );
            continue;
        };
        let Some(role) = host.role.clone() else {
            cx.err(
                spec.host.pos,
                format!(
                    "run `{}` uses host `{}`, which has no `role`",
                    spec.id.value, host.name
                ),
                "a host with `role: ROLE` (the run starts that role's program)",
            );
            continue;
        };
        if !matches!(host.ready, Readiness::Running) && host.command != idle() {
            cx.err(
                spec.host.pos,
                format!("host `{}` has `ready` but a run uses it", host.name),
                "no `ready` on a host that runs (it idles until the run starts its program)",
            );
        }
        let command = if host.command == idle() {
            // A second run on the same host: the first one already saved the command.
            out.iter()
                .find(|p: &&ProgramRun| p.host == host.name)
                .map(|p| p.command.clone())
                .unwrap_or_default()
        } else {
            std::mem::replace(&mut host.command, idle())
        };
        host.ready = Readiness::Running;
        let host = host.name.clone();
        let server = spec.server.as_ref().and_then(|s| server_ref(cx, s, hosts));
        out.push(ProgramRun {
            id: spec.id.value.clone(),
            host,
            role,
            command,
            stdin: spec.stdin.clone(),
            deadline,
            server,
        });
    }
    out
}

/// A run's `server`: a started reference host whose netlab-echo server logs
/// what it receives, so netlab can tell what the program really sent.
fn server_ref(cx: &mut Cx, name: &At<String>, hosts: &[Host]) -> Option<String> {
    let Some(host) = hosts.iter().find(|h| h.name == name.value) else {
        let names: Vec<String> = hosts
            .iter()
            .filter(|h| h.role.is_none())
            .map(|h| format!("`{}`", h.name))
            .collect();
        cx.err(
            name.pos,
            format!("unknown server host `{}`", name.value),
            format!(
                "a started reference host of this scenario: {}",
                names.join(", ")
            ),
        );
        return None;
    };
    let logs = host.image == Image::Echo
        && host.command.first().is_some_and(|c| c == "server")
        && host.command.iter().any(|a| a == "--log-requests");
    if host.role.is_some() || !logs {
        cx.err(
            name.pos,
            format!(
                "host `{}` is not a reference server that logs its requests",
                host.name
            ),
            "a host running netlab's echo server with its request log: `command: [server, --log-requests]`",
        );
        return None;
    }
    Some(host.name.clone())
}

fn idle() -> Vec<String> {
    vec!["sleep".to_owned(), "infinity".to_owned()]
}
