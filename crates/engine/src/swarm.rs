//! What an engine says about the Docker Swarm it is in: its own node, and
//! (on a manager) every node with its labels. netlab builds no cluster of
//! its own: placement reads these, and containers still start through
//! each node's own engine (Docker has no cluster-wide exec).

use std::collections::BTreeMap;

use bollard::models::{LocalNodeState, NodeSpecRoleEnum, NodeState};

use crate::docker::Engine;
use crate::error::{DockerContext, Result};

/// The label (on a node, `docker node update --label-add`, or on its engine,
/// `dockerd --label`) that names a node for `node:` in a lab file.
pub const NODE_LABEL: &str = "netlab.node";
/// The engine label that says where a node's engine API is reached
/// (`tcp://10.0.0.12:2376`): how netlab finds a worker's endpoint without
/// being told.
pub const ENDPOINT_LABEL: &str = "netlab.endpoint";

/// This engine's place in a swarm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub node_id: String,
    /// It can answer for the swarm (list nodes, create overlay networks).
    pub manager: bool,
}

/// One node of a swarm, as its manager lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    /// Node labels and engine labels together (node labels win).
    pub labels: BTreeMap<String, String>,
    /// The address other nodes reach it at (its VXLAN endpoint).
    pub addr: String,
    pub manager: bool,
    /// Ready: its engine talks to the swarm. (Availability `drain` or
    /// `pause` is about services; standalone containers still start.)
    pub usable: bool,
}

impl SwarmNode {
    /// The name reports use: its `netlab.node` label, else its hostname and
    /// the start of its ID (engines on one machine share a hostname).
    pub fn display_name(&self) -> String {
        match self.labels.get(NODE_LABEL) {
            Some(name) => name.clone(),
            None => format!("{}/{}", self.hostname, &self.id[..self.id.len().min(6)]),
        }
    }
}

impl Engine {
    /// This engine's swarm node, or `None` when it is in no swarm.
    pub async fn swarm_membership(&self) -> Result<Option<Membership>> {
        let info = self
            .docker
            .info()
            .await
            .ctx(|| "asking the engine about its swarm".to_string())?;
        let Some(swarm) = info.swarm else {
            return Ok(None);
        };
        if swarm.local_node_state != Some(LocalNodeState::ACTIVE) {
            return Ok(None);
        }
        Ok(swarm
            .node_id
            .filter(|id| !id.is_empty())
            .map(|node_id| Membership {
                node_id,
                manager: swarm.control_available.unwrap_or(false),
            }))
    }

    /// Every node of the swarm this engine manages, in the manager's order.
    pub async fn swarm_nodes(&self) -> Result<Vec<SwarmNode>> {
        let nodes = self
            .docker
            .list_nodes(None)
            .await
            .ctx(|| "listing the swarm's nodes".to_string())?;
        Ok(nodes
            .into_iter()
            .map(|n| {
                let description = n.description.unwrap_or_default();
                let spec = n.spec.unwrap_or_default();
                let status = n.status.unwrap_or_default();
                let mut labels: BTreeMap<String, String> = description
                    .engine
                    .and_then(|e| e.labels)
                    .unwrap_or_default()
                    .into_iter()
                    .collect();
                labels.extend(spec.labels.unwrap_or_default());
                SwarmNode {
                    id: n.id.unwrap_or_default(),
                    hostname: description.hostname.unwrap_or_default(),
                    labels,
                    addr: status.addr.unwrap_or_default(),
                    manager: spec.role == Some(NodeSpecRoleEnum::MANAGER),
                    usable: status.state == Some(NodeState::READY),
                }
            })
            .collect())
    }
}
