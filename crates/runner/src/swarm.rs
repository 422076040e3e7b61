//! A Docker Swarm as `netlab run --swarm` uses it: its nodes, each with the
//! engine API netlab starts containers through, and which node each host of
//! a lab goes to. The swarm itself (init, join, labels) is the school's;
//! netlab only reads it, creates overlay networks on the manager, and
//! starts standalone containers on the nodes.

use std::collections::HashMap;

use futures_util::future::join_all;
use netlab_engine::{
    ENDPOINT_LABEL, Engine, EngineAddr, EngineError, NODE_LABEL, Removed, Run, RunGuard, SwarmNode,
};
use netlab_lab::{Lab, Placement};

/// How long a manager may take to drop a removed overlay from its list.
const NETWORK_GONE_WITHIN: std::time::Duration = std::time::Duration::from_secs(15);

/// How long a node's engine has to answer before cleanup calls it lost.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

/// What keeps a swarm from being used, or a lab from being placed on it.
#[derive(Debug, thiserror::Error)]
pub enum SwarmError {
    #[error(transparent)]
    Engine(#[from] EngineError),

    #[error(
        "{url} is not a swarm manager ({why}); give `--swarm` the URL of a manager's engine (`docker node ls` works there)"
    )]
    NotManager { url: String, why: &'static str },

    #[error(
        "engine {url} is not a node of the swarm that {manager} manages; give `--engine` only the engines of the swarm's nodes"
    )]
    Stranger { url: String, manager: String },

    #[error(
        "node {node} says its engine is at {url} (engine label {ENDPOINT_LABEL}), but {why}; fix the label or give the node's engine with `--engine URL`"
    )]
    BadEndpoint {
        node: String,
        url: String,
        why: String,
    },

    #[error(
        "{file}: host `{host}` asks for node `{node}`, which no node of the swarm is (its ID, hostname or `{NODE_LABEL}` label); the nodes: {known}"
    )]
    UnknownNode {
        file: String,
        host: String,
        node: String,
        known: String,
    },

    #[error(
        "{file}: host `{host}` asks for node `{node}`, which names {count} nodes (engines on one machine share a hostname); label one: `docker node update --label-add {NODE_LABEL}=NAME NODE`"
    )]
    Ambiguous {
        file: String,
        host: String,
        node: String,
        count: usize,
    },

    #[error(
        "{file}: host `{host}` goes to node {node}, whose engine netlab cannot reach: {why}; give it with `--engine URL`, or set the engine label {ENDPOINT_LABEL}=URL on that node's dockerd"
    )]
    Unreachable {
        file: String,
        host: String,
        node: String,
        why: String,
    },

    #[error("cleanup left objects behind: {}", .0.join("; "))]
    Cleanup(Vec<String>),
}

/// One node of the swarm as netlab sees it.
#[derive(Clone, Debug)]
pub struct Node {
    pub info: SwarmNode,
    /// How reports name it (`SwarmNode::display_name`).
    pub name: String,
    /// Its engine, or why netlab has none for it.
    pub engine: Result<Engine, String>,
}

/// A swarm: its manager's engine and every node, the manager's own first.
#[derive(Clone, Debug)]
pub struct Swarm {
    pub manager: Engine,
    pub nodes: Vec<Node>,
}

impl Swarm {
    /// Reads the swarm from its manager and finds each node's engine: the
    /// manager's own; an engine in `others` whose node ID it is; or the URL
    /// in the node's `netlab.endpoint` engine label.
    pub async fn discover(manager: Engine, others: Vec<Engine>) -> Result<Swarm, SwarmError> {
        let url = manager.host().to_owned();
        let me = match manager.swarm_membership().await? {
            None => {
                return Err(SwarmError::NotManager {
                    url,
                    why: "its engine is in no swarm",
                });
            }
            Some(m) if !m.manager => {
                return Err(SwarmError::NotManager {
                    url,
                    why: "it is a worker node",
                });
            }
            Some(m) => m,
        };
        let listed = manager.swarm_nodes().await?;
        let mut engines: HashMap<String, Engine> =
            HashMap::from([(me.node_id.clone(), manager.clone())]);
        for other in others {
            let id = other.swarm_membership().await?.map(|m| m.node_id);
            match id.filter(|id| listed.iter().any(|n| &n.id == id)) {
                Some(id) => {
                    engines.insert(id, other);
                }
                None => {
                    return Err(SwarmError::Stranger {
                        url: other.host().to_owned(),
                        manager: url,
                    });
                }
            }
        }
        let mut nodes = Vec::new();
        for info in listed {
            let name = info.display_name();
            let engine = match engines.remove(&info.id) {
                Some(e) => Ok(e),
                None => endpoint(&info, &name).await?,
            };
            let engine = engine.and_then(|e| {
                if info.usable {
                    Ok(e)
                } else {
                    Err("the manager does not list it as ready".to_owned())
                }
            });
            nodes.push(Node { info, name, engine });
        }
        // The manager's node first, then by name: `spread` deals hosts out
        // in this order, the same on every run.
        nodes.sort_by_key(|n| (n.info.id != me.node_id, n.name.clone()));
        Ok(Swarm { manager, nodes })
    }

    /// The nodes with an engine netlab can use.
    pub fn usable(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.engine.is_ok())
    }

    /// Which node each host of `lab` goes to (an index into `nodes`): the
    /// node it names, else the manager's (`together`) or the usable nodes in
    /// turn (`spread`). `placement` overrides the lab's own.
    pub fn plan(
        &self,
        lab: &Lab,
        placement: Option<Placement>,
    ) -> Result<HashMap<String, usize>, SwarmError> {
        let nodes: Vec<&SwarmNode> = self.nodes.iter().map(|n| &n.info).collect();
        let usable: Vec<usize> = self.usable().map(|(i, _)| i).collect();
        let plan = plan(lab, &nodes, &usable, placement.unwrap_or(lab.placement))?;
        for (host, &i) in &plan {
            if let Err(why) = &self.nodes[i].engine {
                return Err(SwarmError::Unreachable {
                    file: lab.file.clone(),
                    host: host.clone(),
                    node: self.nodes[i].name.clone(),
                    why: why.clone(),
                });
            }
        }
        Ok(plan)
    }

    /// The engines a run uses, each once (the manager's first).
    pub fn engines(&self) -> impl Iterator<Item = &Engine> {
        self.usable().filter_map(|(_, n)| n.engine.as_ref().ok())
    }

    /// Guards that remove `run`'s objects on every node if netlab panics.
    pub fn guards(&self, run: &Run) -> Vec<RunGuard> {
        self.engines().map(|e| run.on(e).guard()).collect()
    }

    /// Removes `run`'s objects from every node: the workers' containers
    /// first, then the manager's (which holds the overlay networks). A node
    /// that cannot be cleaned is named; the others are cleaned all the same.
    pub async fn cleanup(&self, run: &Run, interrupted: bool) -> Result<Removed, SwarmError> {
        let clean = |run: Run| async move {
            match interrupted {
                true => run.cleanup_interrupted().await,
                false => run.cleanup().await,
            }
        };
        let workers: Vec<(&Node, &Engine)> = self
            .usable()
            .filter_map(|(_, n)| Some((n, n.engine.as_ref().ok()?)))
            .filter(|(_, e)| e.host() != self.manager.host())
            .collect();
        let mut failed = Vec::new();
        let mut done = Vec::new();
        let answers = join_all(workers.iter().map(|(_, e)| e.answers(ANSWER_WITHIN))).await;
        let mut reachable = Vec::new();
        for ((node, engine), up) in workers.into_iter().zip(answers) {
            match up {
                true => reachable.push((node, engine)),
                false => failed.push(format!(
                    "node {} ({}) stopped answering, so this run's containers there were not removed; once it is back, `netlab clean --engine {}` removes them",
                    node.name,
                    engine.host(),
                    engine.host()
                )),
            }
        }
        let cleaned = join_all(reachable.iter().map(|(_, e)| clean(run.on(e)))).await;
        for ((node, _), r) in reachable.iter().zip(cleaned) {
            done.push((node.name.clone(), r));
        }
        let lost = !failed.is_empty();
        let manager = self
            .nodes
            .first()
            .map_or("manager".into(), |n| n.name.clone());
        let mut on_manager = clean(run.on(&self.manager)).await;
        if on_manager.is_ok() {
            // Not done until the overlay is off the manager's list.
            on_manager = match run
                .on(&self.manager)
                .networks_gone(NETWORK_GONE_WITHIN)
                .await
            {
                Ok(true) => on_manager,
                Ok(false) => Err(EngineError::Unexpected {
                    action: "removing the run's overlay network".into(),
                    detail: format!(
                        "the manager still lists it {NETWORK_GONE_WITHIN:?} after removing it; `netlab clean --engine {}` removes it",
                        self.manager.host()
                    ),
                }),
                Err(e) => Err(e),
            };
        }
        if let (true, Err(e)) = (lost, &on_manager) {
            // Swarm keeps a lost node's attachment to an overlay (a task of
            // that node) until the node is back or removed from the swarm.
            on_manager = Err(EngineError::Unexpected {
                action: "removing the run's overlay network".into(),
                detail: format!(
                    "{e}. The swarm holds the lost node's attachment to it until that node is back (or removed from the swarm with `docker node rm`); then `netlab clean --engine {}` removes it",
                    self.manager.host()
                ),
            });
        }
        done.push((manager, on_manager));
        let mut removed = Removed::default();
        for (node, r) in done {
            match r {
                Ok(r) => removed.add(r),
                Err(e) => failed.push(format!("node {node}: {e}")),
            }
        }
        if failed.is_empty() {
            Ok(removed)
        } else {
            Err(SwarmError::Cleanup(failed))
        }
    }
}

/// The engine a node's `netlab.endpoint` label points at, checked to be
/// that node's; `Err` (inside) when the node has no label.
async fn endpoint(info: &SwarmNode, name: &str) -> Result<Result<Engine, String>, SwarmError> {
    let Some(url) = info.labels.get(ENDPOINT_LABEL) else {
        return Ok(Err(format!(
            "no `--engine` is this node's and it has no {ENDPOINT_LABEL} engine label"
        )));
    };
    let bad = |why: String| SwarmError::BadEndpoint {
        node: name.to_owned(),
        url: url.clone(),
        why,
    };
    let mut addr = EngineAddr::from_env();
    addr.tls = addr.tls.filter(|_| url.starts_with("tcp://"));
    addr.url = url.clone();
    let engine = Engine::connect_to(&addr)
        .await
        .map_err(|e| bad(format!("it does not answer: {e}")))?;
    match engine.swarm_membership().await? {
        Some(m) if m.node_id == info.id => Ok(Ok(engine)),
        _ => Err(bad(format!("the engine there is not node {}", info.id))),
    }
}

/// The pure part of [`Swarm::plan`], over the manager's node list
/// (`nodes[0]` is the manager's) and the indexes of the usable ones.
fn plan(
    lab: &Lab,
    nodes: &[&SwarmNode],
    usable: &[usize],
    placement: Placement,
) -> Result<HashMap<String, usize>, SwarmError> {
    let mut plan = HashMap::new();
    let mut turn = 0;
    for host in lab.host_names() {
        let node = match lab.node_of(host) {
            Some(wanted) => find(nodes, wanted).map_err(|count| match count {
                0 => SwarmError::UnknownNode {
                    file: lab.file.clone(),
                    host: host.to_owned(),
                    node: wanted.to_owned(),
                    known: known(nodes),
                },
                count => SwarmError::Ambiguous {
                    file: lab.file.clone(),
                    host: host.to_owned(),
                    node: wanted.to_owned(),
                    count,
                },
            })?,
            None => match placement {
                Placement::Together => 0,
                Placement::Spread => {
                    // No usable node at all: the manager's, whose own check fails.
                    let i = usable.get(turn % usable.len().max(1)).copied().unwrap_or(0);
                    turn += 1;
                    i
                }
            },
        };
        plan.insert(host.to_owned(), node);
    }
    Ok(plan)
}

/// The one node called `wanted` (ID, unique ID prefix of 6 or more,
/// `netlab.node` label, hostname); `Err(count)` when not exactly one.
fn find(nodes: &[&SwarmNode], wanted: &str) -> Result<usize, usize> {
    let by = |hit: &dyn Fn(&SwarmNode) -> bool| -> Vec<usize> {
        (0..nodes.len()).filter(|&i| hit(nodes[i])).collect()
    };
    let tries: [&dyn Fn(&SwarmNode) -> bool; 4] = [
        &|n| n.id == wanted,
        &|n| wanted.len() >= 6 && n.id.starts_with(wanted),
        &|n| n.labels.get(NODE_LABEL).is_some_and(|l| l == wanted),
        &|n| n.hostname == wanted,
    ];
    let mut found = Vec::new();
    for hit in tries {
        found = by(hit);
        if !found.is_empty() {
            break;
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        many => Err(many.len()),
    }
}

fn known(nodes: &[&SwarmNode]) -> String {
    nodes
        .iter()
        .map(|n| format!("{} (ID {})", n.display_name(), n.id))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn node(id: &str, label: Option<&str>) -> SwarmNode {
        SwarmNode {
            id: id.into(),
            hostname: "vm".into(),
            labels: label
                .map(|l| BTreeMap::from([(NODE_LABEL.to_owned(), l.to_owned())]))
                .unwrap_or_default(),
            addr: "198.18.0.11".into(),
            manager: id == "aaaaaaaaaa",
            usable: true,
        }
    }

    fn lab(yaml: &str) -> Lab {
        netlab_lab::parse(yaml, "lab.yaml").expect("valid lab")
    }

    const THREE: &str = "name: l\nhosts:\n  server: {command: [server], ready: {log: ready}}\n  client: {}\n  other: {}\nscenarios:\n  - name: s\n    probes: [{id: p, from: client, to: server, proto: udp}]\n    checks: [{name: c, outcome: {probe: p, is: ok}}]\n";

    #[test]
    fn spread_deals_hosts_out_in_file_order_and_together_keeps_them_home() {
        let nodes = [node("aaaaaaaaaa", None), node("bbbbbbbbbb", None)];
        let refs: Vec<&SwarmNode> = nodes.iter().collect();
        let l = lab(THREE);
        let spread = plan(&l, &refs, &[0, 1], Placement::Spread).unwrap();
        assert_eq!(
            (spread["server"], spread["client"], spread["other"]),
            (0, 1, 0)
        );
        let together = plan(&l, &refs, &[0, 1], Placement::Together).unwrap();
        assert!(together.values().all(|&i| i == 0));
        // The lab's own `placement: spread` applies without an override.
        let own = lab(&THREE.replace("name: l\n", "name: l\nplacement: spread\n"));
        assert_eq!(
            plan(&own, &refs, &[0, 1], own.placement).unwrap()["client"],
            1
        );
    }

    #[test]
    fn a_node_is_found_by_label_id_or_prefix_and_a_shared_hostname_is_ambiguous() {
        let nodes = [
            node("aaaaaaaaaa", Some("pc1")),
            node("bbbbbbbbbb", Some("pc2")),
        ];
        let refs: Vec<&SwarmNode> = nodes.iter().collect();
        assert_eq!(find(&refs, "pc2"), Ok(1));
        assert_eq!(find(&refs, "bbbbbbbbbb"), Ok(1));
        assert_eq!(find(&refs, "bbbbbb"), Ok(1));
        assert_eq!(find(&refs, "bbb"), Err(0), "short prefixes are not IDs");
        assert_eq!(find(&refs, "vm"), Err(2));
        let pinned = lab(&THREE.replace("  client: {}", "  client: {node: pc2}"));
        let p = plan(&pinned, &refs, &[0, 1], Placement::Spread).unwrap();
        // The pinned host does not take a turn: server 0, other 1.
        assert_eq!((p["server"], p["client"], p["other"]), (0, 1, 1));
        let shared = lab(&THREE.replace("  client: {}", "  client: {node: vm}"));
        let e = plan(&shared, &refs, &[0, 1], Placement::Together).unwrap_err();
        assert!(e.to_string().contains("names 2 nodes"), "{e}");
        let unknown = lab(&THREE.replace("  client: {}", "  client: {node: pc9}"));
        let e = plan(&unknown, &refs, &[0, 1], Placement::Together).unwrap_err();
        assert!(e.to_string().contains("pc1 (ID aaaaaaaaaa)"), "{e}");
    }

    #[test]
    fn spread_skips_nodes_that_cannot_be_used() {
        let nodes = [
            node("aaaaaaaaaa", None),
            node("bbbbbbbbbb", None),
            node("cccccccccc", None),
        ];
        let refs: Vec<&SwarmNode> = nodes.iter().collect();
        let p = plan(&lab(THREE), &refs, &[0, 2], Placement::Spread).unwrap();
        assert_eq!((p["server"], p["client"], p["other"]), (0, 2, 0));
    }
}
