//! What a run's server saw of the program (`runs: [{server: HOST}]`): the
//! lines of the reference server's request log whose peer is the run's
//! host, and, when a firewall stands in front of the server, the packets it
//! counted from that host. Checks of the run rest on this evidence, not on
//! what the program printed.

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::time::Duration;

use netlab_contract::ServerLine;
use netlab_engine::Sidecar;
use netlab_lab::Scenario;
use netlab_lab::results::{Contact, ProgramOutput};

use crate::context::{Ctx, Live};

/// The iptables chain that counts packets per source before the firewall's
/// own rules judge them (a rule without a target only counts).
const CHAIN: &str = "netlab-seen";
/// The server's log kept in memory for reading (its Docker log holds 1 MB).
const LOG_CAP: usize = 4 << 20;
/// The server writes a log line just after its reply; Docker's log copier may
/// lag a few milliseconds behind. Only a run that seems to have reached
/// nothing waits for it.
const LOG_LAG: Duration = Duration::from_millis(250);
const LOG_READS: usize = 4;

/// Commands that count, in the firewalled host's INPUT chain, the packets
/// from each of `sources` (inserted last, so they come first).
pub(crate) fn accounting(sources: &[Ipv4Addr]) -> Vec<Vec<String>> {
    let ipt = |args: &[&str]| -> Vec<String> {
        ["iptables", "-w", "5"]
            .iter()
            .chain(args)
            .map(|s| s.to_string())
            .collect()
    };
    let mut cmds = vec![ipt(&["-N", CHAIN])];
    for s in sources {
        cmds.push(ipt(&["-A", CHAIN, "-s", &format!("{s}/32")]));
    }
    cmds.push(ipt(&["-I", "INPUT", "1", "-j", CHAIN]));
    cmds
}

/// The run hosts' addresses whose programs talk to `server`.
pub(crate) fn sources(sc: &Scenario, live: &Live, server: &str) -> Vec<Ipv4Addr> {
    sc.runs
        .iter()
        .filter(|r| r.server.as_deref() == Some(server))
        .filter_map(|r| live.hosts.get(&r.host))
        .flat_map(|c| c.ips.iter().map(|(_, a)| *a))
        .collect()
}

/// Fills in `contact` of every run that names its server.
pub(crate) async fn gather(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    outputs: &mut [ProgramOutput],
) {
    for out in outputs.iter_mut().filter(|o| o.infra_error.is_none()) {
        let Some(spec) = sc.runs.iter().find(|r| r.id == out.id) else {
            continue;
        };
        let Some(server) = &spec.server else {
            continue;
        };
        let from: Vec<Ipv4Addr> = live
            .hosts
            .get(&spec.host)
            .map(|c| c.ips.iter().map(|(_, a)| *a).collect())
            .unwrap_or_default();
        let mut contact = Contact {
            server: server.clone(),
            from: from.iter().map(Ipv4Addr::to_string).collect(),
            ..Contact::default()
        };
        if let Err(e) = observe(ctx, live, server, &from, &mut contact).await {
            contact.error = Some(e);
        }
        out.contact = Some(contact);
    }
}

async fn observe(
    ctx: &Ctx<'_>,
    live: &Live,
    server: &str,
    from: &[Ipv4Addr],
    contact: &mut Contact,
) -> Result<(), String> {
    let c = live
        .hosts
        .get(server)
        .ok_or_else(|| format!("server host `{server}` is not running"))?;
    if let Some(sidecar) = live.firewalls.get(server) {
        contact.packets = Some(counted(sidecar, from).await?);
    }
    for attempt in 0..LOG_READS {
        let logs = ctx
            .engine_of(server)
            .logs(&c.id, LOG_CAP)
            .await
            .map_err(|e| e.to_string())?;
        contact.requests = requests(&logs.stdout.text(), from);
        if contact.reached() || attempt + 1 == LOG_READS {
            break;
        }
        tokio::time::sleep(LOG_LAG).await;
    }
    Ok(())
}

/// The request lines of a server's log that came from `from`.
fn requests(log: &str, from: &[Ipv4Addr]) -> Vec<netlab_lab::results::RequestRecord> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<ServerLine>(l).ok())
        .filter_map(|line| match line {
            ServerLine::Request(r) => Some(r),
            _ => None,
        })
        .filter(|r| match r.peer.ip() {
            std::net::IpAddr::V4(a) => from.contains(&a),
            std::net::IpAddr::V6(_) => false,
        })
        .collect()
}

/// Packets the accounting chain counted from `from`.
async fn counted(sidecar: &Sidecar, from: &[Ipv4Addr]) -> Result<u64, String> {
    let out = sidecar
        .run(&["iptables", "-w", "5", "-v", "-S", CHAIN])
        .await
        .map_err(|e| e.to_string())?;
    let per_source = parse_counters(&out.stdout.text());
    Ok(from.iter().filter_map(|a| per_source.get(a)).sum())
}

/// `-A netlab-seen -s 172.18.0.3/32 -c 3 180` -> {172.18.0.3: 3}.
fn parse_counters(text: &str) -> HashMap<Ipv4Addr, u64> {
    let mut counts = HashMap::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |flag: &str| {
            words
                .iter()
                .position(|w| *w == flag)
                .and_then(|i| words.get(i + 1))
        };
        let (Some(src), Some(pkts)) = (after("-s"), after("-c")) else {
            continue;
        };
        let addr = src.split('/').next().and_then(|a| a.parse().ok());
        if let (Some(addr), Ok(n)) = (addr, pkts.parse::<u64>()) {
            *counts.entry(addr).or_default() += n;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_per_source() {
        let text = "-N netlab-seen\n-A netlab-seen -s 172.18.0.3/32 -c 3 180\n-A netlab-seen -s 172.18.0.4/32 -c 0 0\n";
        let c = parse_counters(text);
        assert_eq!(c[&"172.18.0.3".parse::<Ipv4Addr>().unwrap()], 3);
        assert_eq!(c[&"172.18.0.4".parse::<Ipv4Addr>().unwrap()], 0);
    }

    #[test]
    fn only_the_run_hosts_requests() {
        let log = concat!(
            "netlab-echo server ready: udp 0.0.0.0:12000, tcp 0.0.0.0:12000\n",
            r#"{"type":"request","proto":"udp","peer":"172.18.0.3:40211","at":"2026-12-03T09:12:03.123456Z","bytes":12,"request":"hello netlab","reply":"HELLO NETLAB","truncated":false}"#,
            "\n",
            r#"{"type":"request","proto":"udp","peer":"172.18.0.9:40000","at":"2026-12-03T09:12:03.123456Z","bytes":4,"request":"path","reply":"PATH","truncated":false}"#,
            "\n"
        );
        let from = ["172.18.0.3".parse().unwrap()];
        let r = requests(log, &from);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].reply, "HELLO NETLAB");
    }

    #[test]
    fn accounting_counts_before_the_rules() {
        let cmds = accounting(&["172.18.0.3".parse().unwrap()]);
        assert_eq!(cmds[0].join(" "), "iptables -w 5 -N netlab-seen");
        assert_eq!(
            cmds[1].join(" "),
            "iptables -w 5 -A netlab-seen -s 172.18.0.3/32"
        );
        assert_eq!(
            cmds.last().unwrap().join(" "),
            "iptables -w 5 -I INPUT 1 -j netlab-seen"
        );
    }
}
