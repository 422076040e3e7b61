//! Internal lab networks: Docker allocates the subnet unless the lab asks for one.

use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;
use std::time::Duration;

use bollard::models::{Ipam, IpamConfig, NetworkCreateRequest};
use bollard::query_parameters::InspectNetworkOptions;

use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result};
use crate::run::Run;

/// A created network.
#[derive(Clone, Debug)]
pub struct NetworkInfo {
    /// Logical name (as in the lab file).
    pub name: String,
    /// Docker's name (`netlab-<run>-<name>`); use it in [`crate::NetAttach`].
    pub docker_name: String,
    pub id: String,
    /// IPv4 subnet, e.g. `172.18.0.0/16` (whatever Docker allocated).
    pub subnet: Ipv4Net,
    pub gateway: Option<Ipv4Addr>,
}

/// An IPv4 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Net {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Ipv4Net {
    pub fn parse(s: &str) -> Option<Ipv4Net> {
        let (a, p) = s.split_once('/')?;
        let prefix: u8 = p.parse().ok()?;
        (prefix <= 32).then_some(())?;
        Some(Ipv4Net {
            addr: a.parse().ok()?,
            prefix,
        })
    }

    fn mask(&self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix))
            .unwrap_or(0)
    }

    /// Host addresses, highest first (Docker allocates from the bottom, so the
    /// top is the least likely to be handed out later).
    pub fn hosts_descending(&self) -> impl Iterator<Item = Ipv4Addr> {
        let net = u32::from(self.addr) & self.mask();
        let broadcast = net | !self.mask();
        ((net + 1)..broadcast).rev().map(Ipv4Addr::from)
    }
}

impl std::fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// How a lab network is made. The default is what every lab gets: a subnet
/// Docker allocates, and no way to the engine's machine.
#[derive(Clone, Debug, Default)]
pub struct NetworkOptions {
    /// A fixed subnet, only when the lab asks for one.
    pub subnet: Option<String>,
    /// Give the bridge (the engine's machine) the gateway address. Without
    /// it, Docker still lets an `internal` network's containers reach the
    /// host's services through the gateway; with the bridge holding no IPv4
    /// address, nobody answers there (containers get no IPv6 on these networks).
    pub host_access: bool,
    /// Through a swarm manager, an attachable overlay (VXLAN) network, so
    /// that standalone containers on every node of the swarm join it.
    /// Still internal: no `docker_gwbridge` way out. `host_access` does not
    /// apply (the overlay's gateway lives in its own namespace).
    pub overlay: bool,
}

/// Looks (100 ms apart) for the subnet of an overlay just created.
const OVERLAY_LOOKS: usize = 100;

/// The bridge driver option that leaves the bridge without an IPv4 address.
const INHIBIT_IPV4: &str = "com.docker.network.bridge.inhibit_ipv4";

impl Run {
    /// Creates an internal network labelled with this run: a bridge, or an
    /// overlay across a swarm (`opts.overlay`, on a manager).
    pub async fn create_network(&self, name: &str, opts: &NetworkOptions) -> Result<NetworkInfo> {
        let docker_name = self.object_name(name);
        let ipam = opts.subnet.as_ref().map(|s| Ipam {
            config: Some(vec![IpamConfig {
                subnet: Some(s.to_string()),
                ..Default::default()
            }]),
            ..Default::default()
        });
        let request = match opts.overlay {
            false => NetworkCreateRequest {
                name: docker_name.clone(),
                driver: Some("bridge".into()),
                internal: Some(true),
                options: (!opts.host_access)
                    .then(|| HashMap::from([(INHIBIT_IPV4.to_string(), "true".to_string())])),
                ipam,
                labels: Some(self.labels()),
                ..Default::default()
            },
            true => NetworkCreateRequest {
                name: docker_name.clone(),
                driver: Some("overlay".into()),
                internal: Some(true),
                attachable: Some(true),
                ipam,
                labels: Some(self.labels()),
                ..Default::default()
            },
        };
        let created = self
            .engine
            .docker
            .create_network(request)
            .await
            .ctx(|| format!("creating network {docker_name}"))?;
        let mut info = self.engine.inspect_network(&created.id).await;
        // A swarm allocates an overlay's subnet a moment after creating it
        // (seen on a swarm just made): look again, within a bound.
        for _ in 0..OVERLAY_LOOKS {
            match info {
                Err(EngineError::Unexpected { .. }) if opts.overlay => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    info = self.engine.inspect_network(&created.id).await;
                }
                _ => break,
            }
        }
        let mut info = info?;
        info.name = name.to_string();
        Ok(info)
    }
}

impl Engine {
    /// Subnet, gateway and names of a network.
    pub async fn inspect_network(&self, id: &str) -> Result<NetworkInfo> {
        let net = self
            .docker
            .inspect_network(id, None::<InspectNetworkOptions>)
            .await
            .ctx(|| format!("inspecting network {id}"))?;
        let unexpected = |detail: &str| EngineError::Unexpected {
            action: format!("inspecting network {id}"),
            detail: detail.to_string(),
        };
        let cfg = net
            .ipam
            .and_then(|i| i.config)
            .and_then(|c| {
                c.into_iter()
                    .find(|c| c.subnet.as_deref().and_then(Ipv4Net::parse).is_some())
            })
            .ok_or_else(|| unexpected("no IPv4 subnet in its IPAM config"))?;
        let docker_name = net.name.unwrap_or_default();
        Ok(NetworkInfo {
            name: docker_name.clone(),
            docker_name,
            id: net.id.unwrap_or_else(|| id.to_string()),
            subnet: cfg
                .subnet
                .as_deref()
                .and_then(Ipv4Net::parse)
                .ok_or_else(|| unexpected("bad subnet"))?,
            gateway: cfg.gateway.and_then(|g| g.parse().ok()),
        })
    }

    /// An address in the network's subnet that no container and no gateway
    /// holds now: traffic to it finds nobody (ARP fails → host unreachable).
    pub async fn free_address(&self, network: &NetworkInfo) -> Result<Ipv4Addr> {
        let net = self
            .docker
            .inspect_network(&network.id, None::<InspectNetworkOptions>)
            .await
            .ctx(|| format!("inspecting network {}", network.docker_name))?;
        let held: HashSet<Ipv4Addr> = net
            .containers
            .unwrap_or_default()
            .values()
            .filter_map(|c| c.ipv4_address.as_deref())
            .filter_map(|a| a.split('/').next()?.parse().ok())
            .chain(network.gateway)
            .collect();
        network
            .subnet
            .hosts_descending()
            .find(|a| !held.contains(a))
            .ok_or_else(|| EngineError::NoFreeAddress {
                network: network.docker_name.clone(),
                subnet: network.subnet.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_skip_network_and_broadcast() {
        let n = Ipv4Net::parse("192.0.2.0/30").unwrap();
        let v: Vec<_> = n.hosts_descending().collect();
        assert_eq!(
            v,
            [
                "192.0.2.2".parse::<Ipv4Addr>().unwrap(),
                "192.0.2.1".parse().unwrap()
            ]
        );
        assert_eq!(Ipv4Net::parse("192.0.2.0/33"), None);
        assert_eq!(Ipv4Net::parse("x/24"), None);
    }
}
