//! `netlab run --swarm`: the swarm read from its manager, each node's
//! engine found, every lab placed before anything starts (a placement that
//! cannot work is a usage error, exit 2), and what goes where said once.

use anyhow::anyhow;
use futures_util::future::join_all;
use netlab_engine::EngineAddr;
use netlab_lab::Lab;
use netlab_runner::{Swarm, SwarmError};

use crate::cli::RunArgs;
use crate::engines::connect;
use crate::exit::Failure;

/// The swarm of `--swarm`, or `None` without it.
pub async fn prepare(args: &RunArgs, labs: &[Lab]) -> Result<Option<Swarm>, Failure> {
    let Some(url) = &args.swarm else {
        return Ok(None);
    };
    let mut addr = EngineAddr::from_env();
    addr.tls = addr.tls.filter(|_| url.starts_with("tcp://"));
    addr.url = url.clone();
    let manager = connect(&addr).await?;
    let entries = args.engines.entries()?;
    let others = join_all(entries.iter().map(|e| connect(&e.addr))).await;
    let others = others
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|e| e.host() != manager.host())
        .collect();
    let swarm = Swarm::discover(manager, others).await.map_err(failure)?;
    let placement = args.placement.map(Into::into);
    for lab in labs {
        let plan = swarm.plan(lab, placement).map_err(failure)?;
        eprintln!("netlab: {}", describe(&swarm, lab, &plan));
    }
    for node in &swarm.nodes {
        if let Err(why) = &node.engine {
            eprintln!("netlab: swarm node {} is not used: {why}", node.name);
        }
    }
    Ok(Some(swarm))
}

/// A swarm that is not one, or a lab that cannot be placed, is the user's
/// to fix (exit 2); an engine that fails on the way is infrastructure (3).
fn failure(e: SwarmError) -> Failure {
    match e {
        SwarmError::Engine(_) | SwarmError::Cleanup(_) => Failure::Infra(anyhow!(e)),
        _ => Failure::Usage(anyhow!(e)),
    }
}

/// `lab task3 on the swarm: server on eng1, client on eng2`.
fn describe(swarm: &Swarm, lab: &Lab, plan: &std::collections::HashMap<String, usize>) -> String {
    let hosts: Vec<String> = lab
        .host_names()
        .into_iter()
        .map(|h| format!("{h} on {}", swarm.nodes[plan[h]].name))
        .collect();
    format!("lab {} on the swarm: {}", lab.name, hosts.join(", "))
}
