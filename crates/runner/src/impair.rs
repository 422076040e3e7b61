//! A host's link impairments through its NET_ADMIN sidecar: loss with the
//! iptables `statistic` match on packets arriving at the host (works on every
//! kernel with netfilter), delay/jitter with tc netem and rate with tc tbf on
//! every interface's egress. What the kernel cannot do is reported as
//! unsupported, never skipped quietly.

use netlab_engine::{EngineError, Sidecar};
use netlab_lab::Impairment;

use crate::RunError;

/// What applying an impairment came to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Applied {
    /// In place; a line for the report.
    Done(String),
    /// The kernel lacks what it needs; nothing of it may be trusted.
    Unsupported(String),
}

pub(crate) async fn apply(sidecar: &Sidecar, imp: &Impairment) -> Result<Applied, RunError> {
    if imp.needs_netem() && !sidecar.netem_supported().await? {
        return Ok(Applied::Unsupported(format!(
            "{} on {} needs the kernel's sch_netem qdisc, which this machine lacks (tc: \"Specified qdisc kind is unknown\"); the scenario's probes were not run",
            describe(imp),
            imp.host
        )));
    }
    let links = interfaces(sidecar).await?;
    for cmd in tc_commands(imp, &links) {
        if let Err(e) = sidecar.run(&cmd).await {
            return match e {
                EngineError::SidecarCommand { ref stderr, .. } if e.is_missing_qdisc() => {
                    Ok(Applied::Unsupported(format!(
                        "{} on {} needs a qdisc this kernel lacks (`{}`: {stderr}); the scenario's probes were not run",
                        describe(imp),
                        imp.host,
                        cmd.join(" ")
                    )))
                }
                e => Err(e.into()),
            };
        }
    }
    if let Some(cmd) = loss_command(imp) {
        sidecar.run(&cmd).await?;
    }
    Ok(Applied::Done(format!(
        "link of {}: {}",
        imp.host,
        describe(imp)
    )))
}

/// The namespace's interfaces but `lo` (`ip -o link` lines: `2: eth0@if9: <...`).
async fn interfaces(sidecar: &Sidecar) -> Result<Vec<String>, RunError> {
    let out = sidecar.run(&["ip", "-o", "link", "show"]).await?;
    Ok(parse_links(&out.stdout.text()))
}

fn parse_links(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split(": ").nth(1))
        .map(|name| name.split('@').next().unwrap_or(name).to_string())
        .filter(|name| name != "lo")
        .collect()
}

/// netem (delay, jitter) as the root qdisc with tbf (rate) as its child, or
/// tbf alone; per interface.
fn tc_commands(imp: &Impairment, links: &[String]) -> Vec<Vec<String>> {
    let netem = imp.delay.map(|d| {
        let jitter = imp
            .jitter
            .map_or(String::new(), |j| format!(" {}us", j.as_micros()));
        format!("root handle 1: netem delay {}us{jitter}", d.as_micros())
    });
    let tbf = imp.rate.map(|rate| {
        let parent = if netem.is_some() { "parent 1:" } else { "root" };
        // Burst: at least 10 ms of traffic and a few full-size frames.
        let burst = (rate / 8 / 100).max(4 * 1514);
        format!("{parent} handle 2: tbf rate {rate}bit burst {burst} latency 400ms")
    });
    let mut cmds = Vec::new();
    for dev in links {
        for args in netem.iter().chain(&tbf) {
            let line = format!("tc qdisc add dev {dev} {args}");
            cmds.push(line.split_whitespace().map(String::from).collect());
        }
    }
    cmds
}

/// Random drop of arriving packets; `statistic` draws per packet.
fn loss_command(imp: &Impairment) -> Option<Vec<String>> {
    let p = imp.loss? / 100.0;
    Some(
        [
            "iptables",
            "-w",
            "5",
            "-I",
            "INPUT",
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            &format!("{p:.4}"),
            "-j",
            "DROP",
        ]
        .map(String::from)
        .into(),
    )
}

/// `delay 20 ms ± 5 ms, loss 30% (incoming), rate 1 mbit/s (outgoing)`.
pub(crate) fn describe(imp: &Impairment) -> String {
    let mut parts = Vec::new();
    if let Some(d) = imp.delay {
        let mut s = format!("delay {}", humantime::format_duration(d));
        if let Some(j) = imp.jitter {
            s.push_str(&format!(" ± {}", humantime::format_duration(j)));
        }
        parts.push(s + " (outgoing, tc netem)");
    }
    if let Some(l) = imp.loss {
        parts.push(format!(
            "loss {l}% of incoming packets (iptables statistic)"
        ));
    }
    if let Some(r) = imp.rate {
        parts.push(format!("rate {} (outgoing, tc tbf)", rate_text(r)));
    }
    parts.join(", ")
}

fn rate_text(bits: u64) -> String {
    match bits {
        b if b >= 1_000_000_000 && b % 1_000_000_000 == 0 => {
            format!("{} gbit/s", b / 1_000_000_000)
        }
        b if b >= 1_000_000 && b % 1_000_000 == 0 => format!("{} mbit/s", b / 1_000_000),
        b if b >= 1_000 && b % 1_000 == 0 => format!("{} kbit/s", b / 1_000),
        b => format!("{b} bit/s"),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn imp() -> Impairment {
        Impairment {
            host: "server".into(),
            delay: None,
            jitter: None,
            loss: None,
            rate: None,
        }
    }

    #[test]
    fn links_but_loopback() {
        let text = "1: lo: <LOOPBACK,UP> mtu 65536\n2: eth0@if41: <BROADCAST> mtu 1500\n3: eth1@if43: <BROADCAST>\n";
        assert_eq!(parse_links(text), ["eth0", "eth1"]);
    }

    #[test]
    fn loss_is_an_iptables_statistic_rule() {
        let i = Impairment {
            loss: Some(30.0),
            ..imp()
        };
        assert_eq!(
            loss_command(&i).unwrap().join(" "),
            "iptables -w 5 -I INPUT -m statistic --mode random --probability 0.3000 -j DROP"
        );
        assert!(tc_commands(&i, &["eth0".into()]).is_empty());
        assert_eq!(
            describe(&i),
            "loss 30% of incoming packets (iptables statistic)"
        );
    }

    #[test]
    fn delay_with_jitter_and_rate_chain_netem_and_tbf() {
        let i = Impairment {
            delay: Some(Duration::from_millis(20)),
            jitter: Some(Duration::from_millis(5)),
            rate: Some(1_000_000),
            ..imp()
        };
        let cmds: Vec<String> = tc_commands(&i, &["eth0".into()])
            .iter()
            .map(|c| c.join(" "))
            .collect();
        assert_eq!(
            cmds,
            [
                "tc qdisc add dev eth0 root handle 1: netem delay 20000us 5000us",
                "tc qdisc add dev eth0 parent 1: handle 2: tbf rate 1000000bit burst 6056 latency 400ms",
            ]
        );
        assert!(loss_command(&i).is_none());
    }

    #[test]
    fn rate_alone_is_a_root_tbf() {
        let i = Impairment {
            rate: Some(100_000_000),
            ..imp()
        };
        assert_eq!(
            tc_commands(&i, &["eth0".into()])[0].join(" "),
            "tc qdisc add dev eth0 root handle 2: tbf rate 100000000bit burst 125000 latency 400ms"
        );
        assert_eq!(describe(&i), "rate 100 mbit/s (outgoing, tc tbf)");
    }
}
