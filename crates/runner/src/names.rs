//! On a swarm, a host started on one node is known to the other nodes' DNS
//! only once the overlay's records have travelled there (by gossip; seen
//! taking over 3 s when a scenario starts a host under a name the previous
//! scenario's host had). Probed too early, the name does not resolve and
//! every probe would be a `dns` outcome that says nothing about the case.
//! So before the probes each client waits, within a bound, until its
//! target's name resolves where the client is.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use netlab_engine::{ContainerSpec, ExecRequest, NetworkInfo};
use netlab_lab::Scenario;

use crate::RunError;
use crate::context::{Ctx, Live};
use crate::layout::Layout;
use crate::probe::ECHO_BIN;

/// How long a name may take to reach another node.
const LEARN_WITHIN: Duration = Duration::from_secs(20);
/// Between looks at a name that resolved to another host's address.
const RETRY: Duration = Duration::from_millis(300);

/// Keeps every node of a swarm run on the lab's networks from start to end
/// with an idle container of its own. A node whose last container leaves
/// an overlay leaves its gossip, and on coming back (the next scenario's
/// client) must first be brought up to date: a target's name was seen
/// missing there for over 20 s. Anchored, a node hears each new name as it
/// is made. Removed with the run.
pub(crate) async fn anchor(
    layout: &Layout,
    networks: &[NetworkInfo],
    echo: &str,
) -> Result<(), RunError> {
    // Numbered: a node's name may hold characters a container name may not.
    for (i, (_, _, run)) in layout.nodes().enumerate() {
        let mut spec = ContainerSpec::new(&format!("anchor{}", i + 1), echo).cmd(&["idle"]);
        for net in networks {
            spec = spec.network(&net.docker_name, &[]);
        }
        run.start_container(&spec).await?;
    }
    Ok(())
}

/// Waits until each probe's target resolves in its client, for clients on
/// another node than their target's. Absent targets are left alone (their
/// case may be that the name does not resolve). A wait is noted.
pub(crate) async fn learned(
    ctx: &Ctx<'_>,
    sc: &Scenario,
    live: &Live,
    until: Instant,
) -> Result<Vec<String>, RunError> {
    let mut notes = Vec::new();
    let pairs: BTreeSet<(&str, &str, &str)> = sc
        .probes
        .iter()
        .filter_map(|p| {
            let target = sc
                .hosts
                .iter()
                .find(|h| h.name == p.to || h.aliases.contains(&p.to))?;
            let (from, to) = (ctx.layout.node(&p.from)?, ctx.layout.node(&target.name)?);
            (from != to).then_some((p.from.as_str(), p.to.as_str(), target.name.as_str()))
        })
        .collect();
    for (from, name, target) in pairs {
        let (Some(client), Some(server)) = (live.hosts.get(from), live.hosts.get(target)) else {
            continue;
        };
        let started = Instant::now();
        let deadline = started + LEARN_WITHIN.min(until.saturating_duration_since(started));
        let mut looks = 0;
        // A name may first resolve to the address of the host that had it
        // in the previous scenario: only the target's own address will do.
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let argv: Vec<String> = [ECHO_BIN, "resolve", name, "--within"]
                .map(str::to_owned)
                .into_iter()
                .chain([format!("{}ms", left.as_millis().max(1))])
                .collect();
            let req = ExecRequest::new(&argv).timeout(left + Duration::from_secs(5));
            let out = ctx.engine_of(from).exec(&client.id, &req).await?;
            looks += 1;
            let resolved: Option<Ipv4Addr> = out.stdout.text().trim().parse().ok();
            let right = server.ips.iter().any(|(_, ip)| Some(*ip) == resolved);
            if out.exit_code == Some(0) && right {
                // `resolve` itself retries a missing name: time tells a wait.
                let waited = started.elapsed();
                if looks > 1 || waited > Duration::from_secs(1) {
                    notes.push(format!(
                        "the overlay's DNS on node {} knew `{name}` only after {:.1} s; the probes waited for it",
                        ctx.layout.node(from).unwrap_or_default(),
                        waited.as_secs_f64()
                    ));
                }
                break;
            }
            if Instant::now() + RETRY >= deadline {
                return Err(RunError::NameNotLearned {
                    name: name.to_owned(),
                    host: from.to_owned(),
                    node: ctx.layout.node(from).unwrap_or_default().to_owned(),
                    within: LEARN_WITHIN,
                });
            }
            tokio::time::sleep(RETRY).await;
        }
    }
    Ok(notes)
}
