//! Raw model -> resolved `Lab`: every semantic rule, every default. All
//! problems are collected (not just the first) and sorted by position.

mod case;
mod check;
mod fault;
mod host;
mod impair;
mod pair;
mod probe;
mod refs;
mod run_check;
mod submission;

use std::collections::HashSet;
use std::time::Duration;

use crate::error::Issue;
use crate::model::LabFile;
use crate::resolved::{Lab, Network, Scenario};
use crate::span::{At, Pos};
use crate::units::Dur;

/// The range of one duration key. Every duration of a lab is bounded, so
/// nothing the runner computes from them (a deadline added to the clock, a
/// probe's timeouts times its count) can overflow, and a typo (`100m` for
/// `100ms`) is caught instead of stalling a run. docs/lab-format.md lists them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DurRange {
    /// Whether `0s` means something for this key.
    pub zero: bool,
    pub max: Duration,
}

impl DurRange {
    const fn above_zero(max_secs: u64) -> Self {
        DurRange {
            zero: false,
            max: Duration::from_secs(max_secs),
        }
    }

    const fn from_zero(max_secs: u64) -> Self {
        DurRange {
            zero: true,
            max: Duration::from_secs(max_secs),
        }
    }

    fn expected(self) -> String {
        let max = humantime::format_duration(self.max);
        if self.zero {
            format!("a duration from 0s to {max}")
        } else {
            format!("a duration longer than zero and at most {max}")
        }
    }
}

/// A scenario's `deadline`.
pub(crate) const SCENARIO_DEADLINE: DurRange = DurRange::above_zero(3600);
/// A run's `deadline` (`netlab grade`).
pub(crate) const RUN_DEADLINE: DurRange = DurRange::above_zero(600);
/// A host's `ready.timeout`.
pub(crate) const READY_TIMEOUT: DurRange = DurRange::above_zero(600);
/// A probe's `timeout` and `connect_timeout`.
pub(crate) const PROBE_TIMEOUT: DurRange = DurRange::above_zero(600);
/// A probe's `interval`: 0 starts each probe as soon as the previous one has
/// ended (the client keeps one request in flight, so this is not a flood).
pub(crate) const INTERVAL: DurRange = DurRange::from_zero(60);
/// `within` of `outcome` and `exits` checks.
pub(crate) const WITHIN: DurRange = DurRange::above_zero(600);
/// `rtt` checks: `min` may be 0, `max` must be above it.
pub(crate) const RTT_MIN: DurRange = DurRange::from_zero(600);
pub(crate) const RTT_MAX: DurRange = DurRange::above_zero(600);
/// `impair` faults: `delay` and `jitter` (tc netem).
pub(crate) const LINK_DELAY: DurRange = DurRange::above_zero(60);

/// Collects issues while validating.
#[derive(Default)]
pub(crate) struct Cx {
    issues: Vec<Issue>,
}

impl Cx {
    pub(crate) fn err(&mut self, pos: Pos, what: impl Into<String>, expected: impl Into<String>) {
        self.issues.push(Issue::new(pos, what, expected));
    }

    /// Checks a name used in DNS, Docker labels or ids: `[a-z0-9][a-z0-9-]*`, at most 63 chars.
    pub(crate) fn name(&mut self, name: &At<String>, kind: &str) {
        let s = &name.value;
        let ok = !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if !ok {
            self.err(
                name.pos,
                format!("`{s}` is not a valid {kind}"),
                "lowercase letters, digits and `-` (at most 63, not starting or ending with `-`)",
            );
        }
    }

    /// Reports a second use of the same name within one set.
    pub(crate) fn unique<'a>(
        &mut self,
        seen: &mut HashSet<&'a str>,
        name: &'a At<String>,
        kind: &str,
    ) {
        if !seen.insert(&name.value) {
            self.err(
                name.pos,
                format!("duplicate {kind} `{}`", name.value),
                format!("each {kind} once"),
            );
        }
    }

    /// A duration within its key's range; out-of-range values are reported
    /// and clamped to the range.
    pub(crate) fn duration(&mut self, d: &At<Dur>, key: &str, range: DurRange) -> Duration {
        let v = d.value.0;
        if v.is_zero() && !range.zero {
            self.err(d.pos, format!("`{key}` is zero"), range.expected());
        } else if v > range.max {
            self.err(
                d.pos,
                format!(
                    "`{key}` is longer than {}",
                    humantime::format_duration(range.max)
                ),
                range.expected(),
            );
        }
        v.min(range.max)
    }

    /// An integer within `lo..=hi`; out-of-range values are reported and clamped.
    pub(crate) fn int(&mut self, v: &At<i64>, key: &str, lo: i64, hi: i64) -> i64 {
        if v.value < lo || v.value > hi {
            self.err(
                v.pos,
                format!("`{key}` {} is out of range", v.value),
                format!("{lo} to {hi}"),
            );
        }
        v.value.clamp(lo, hi)
    }
}

pub(crate) fn resolve(raw: LabFile, file: &str) -> Result<Lab, Vec<Issue>> {
    let mut cx = Cx::default();
    cx.name(&raw.name, "lab name");

    let networks = networks(&mut cx, &raw);
    let network_names: Vec<&str> = networks.iter().map(|n| n.name.as_str()).collect();
    let sub = raw
        .submission
        .as_ref()
        .map(|s| submission::submission(&mut cx, s));
    let hosts = match &raw.hosts {
        Some(h) => host::hosts(&mut cx, h, &network_names, sub.as_ref()),
        None => host::Hosts { list: Vec::new() },
    };

    if raw.scenarios.value.is_empty() {
        cx.err(raw.scenarios.pos, "no scenarios", "at least one scenario");
    }
    let mut seen = HashSet::new();
    let mut scenarios = Vec::new();
    for sc in &raw.scenarios.value {
        cx.name(&sc.value.name, "scenario name");
        cx.unique(&mut seen, &sc.value.name, "scenario name");
        let own;
        let sc_hosts = match &sc.value.hosts {
            Some(h) => {
                own = host::hosts(&mut cx, h, &network_names, sub.as_ref());
                &own
            }
            None => {
                if raw.hosts.is_none() {
                    cx.err(
                        sc.value.name.pos,
                        format!("scenario `{}` has no hosts", sc.value.name.value),
                        "`hosts` in the scenario, or lab-level `hosts`",
                    );
                }
                &hosts
            }
        };
        scenarios.push(scenario(&mut cx, sc, sc_hosts));
    }

    if !cx.issues.is_empty() {
        let mut issues = cx.issues;
        issues.sort_by_key(|i| (i.line, i.col));
        issues.dedup();
        return Err(issues);
    }
    Ok(Lab {
        name: raw.name.value,
        title: raw.title.unwrap_or_default(),
        description: raw.description.unwrap_or_default(),
        file: file.to_owned(),
        networks,
        scenarios,
        submission: sub,
        placement: raw.placement.map(|p| p.value).unwrap_or_default(),
    })
}

fn networks(cx: &mut Cx, raw: &LabFile) -> Vec<Network> {
    let Some(map) = &raw.networks else {
        return vec![Network {
            name: "lan".to_owned(),
            subnet: None,
            host_access: false,
        }];
    };
    if map.value.is_empty() {
        cx.err(
            map.pos,
            "no networks",
            "at least one network, or no `networks` key (default `lan`)",
        );
    }
    let mut out = Vec::new();
    for (name, spec) in &map.value {
        cx.name(name, "network name");
        if let Some(internal) = spec.as_ref().and_then(|s| s.internal.as_ref())
            && !internal.value
        {
            cx.err(
                internal.pos,
                "`internal: false`: netlab's lab networks never route out of the lab",
                "`internal: true` or no `internal` key",
            );
        }
        let subnet = spec.as_ref().and_then(|s| s.subnet.as_ref());
        if let Some(subnet) = subnet
            && !is_cidr(&subnet.value)
        {
            cx.err(
                subnet.pos,
                format!("`{}` is not a subnet", subnet.value),
                "a CIDR such as `10.99.0.0/24`",
            );
        }
        out.push(Network {
            name: name.value.clone(),
            subnet: subnet.map(|s| s.value.clone()),
            host_access: spec.as_ref().and_then(|s| s.host_access).unwrap_or(false),
        });
    }
    out
}

fn is_cidr(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => prefix.parse::<u8>().is_ok_and(|p| p <= 32),
        Ok(std::net::IpAddr::V6(_)) => prefix.parse::<u8>().is_ok_and(|p| p <= 128),
        Err(_) => false,
    }
}

const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

fn scenario(cx: &mut Cx, at: &At<crate::model::ScenarioSpec>, hosts: &host::Hosts) -> Scenario {
    let sc = &at.value;
    if sc.probes.is_empty() && sc.runs.is_empty() {
        cx.err(
            at.pos,
            format!("scenario `{}` has no probes and no runs", sc.name.value),
            "at least one probe (or, for `netlab grade`, one run)",
        );
    }
    let deadline = sc.deadline.as_ref().map_or(DEFAULT_DEADLINE, |d| {
        cx.duration(d, "deadline", SCENARIO_DEADLINE)
    });
    let faults = fault::faults(cx, &sc.faults, hosts);
    let probes = probe::probes(cx, &sc.probes, hosts, &faults);
    let (mut started, absent) = faults.apply(hosts);
    let runs = submission::runs(cx, &sc.runs, &mut started);
    let checks = check::checks(cx, &sc.checks, &probes, &runs);
    let capture = capture_host(cx, sc, hosts, &faults, &probes);
    Scenario {
        name: sc.name.value.clone(),
        title: sc.title.clone().unwrap_or_default(),
        description: sc.description.clone().unwrap_or_default(),
        deadline,
        hosts: started,
        absent,
        firewalls: faults.firewalls,
        impairments: faults.impairments,
        capture,
        probes,
        runs,
        checks,
    }
}

/// The host `--capture` records: `capture: HOST` (started in this
/// scenario), else the first probe's target, else (absent) its client.
fn capture_host(
    cx: &mut Cx,
    sc: &crate::model::ScenarioSpec,
    hosts: &host::Hosts,
    faults: &fault::Faults,
    probes: &[crate::resolved::Probe],
) -> String {
    if let Some(c) = &sc.capture {
        if hosts.check_ref(cx, c, "capture") && faults.is_absent(&c.value) {
            cx.err(
                c.pos,
                format!("cannot capture on absent host `{}`", c.value),
                "a host that is started in this scenario",
            );
        }
        return c.value.clone();
    }
    let Some(first) = probes.first() else {
        return String::new();
    };
    let target = first.to.split(':').next().unwrap_or_default();
    if hosts.get(target).is_some() && !faults.is_absent(target) {
        target.to_owned()
    } else {
        first.from.clone()
    }
}
