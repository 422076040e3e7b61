//! Moving a running container between networks: a grader keeps idle
//! reference hosts (they hold no student state) and attaches them to each
//! student's lab network in turn, instead of creating them anew; a
//! container start costs far more than a network connect on an engine.

use bollard::models::{EndpointSettings, NetworkConnectRequest, NetworkDisconnectRequest};
use bollard::query_parameters::{InspectContainerOptions, InspectNetworkOptions};

use crate::container::Container;
use crate::docker::Engine;
use crate::error::{DockerContext, Result, is_not_found};

impl Engine {
    /// Connects `c` to `network` under the DNS names `aliases`; returns the
    /// container with its addresses as they now are.
    pub async fn join_network(
        &self,
        c: &Container,
        network: &str,
        aliases: &[String],
    ) -> Result<Container> {
        let req = NetworkConnectRequest {
            container: c.id.clone(),
            endpoint_config: Some(EndpointSettings {
                aliases: Some(aliases.to_vec()),
                ..Default::default()
            }),
        };
        self.docker
            .connect_network(network, req)
            .await
            .ctx(|| format!("connecting {} to network {network}", c.docker_name))?;
        let info = self
            .docker
            .inspect_container(&c.id, None::<InspectContainerOptions>)
            .await
            .ctx(|| format!("inspecting container {}", c.docker_name))?;
        Ok(Container {
            ips: crate::container::addresses(info.network_settings),
            ..c.clone()
        })
    }

    /// Disconnects `c` from `network` (forced: it may be ending). A network
    /// or container already gone counts as done.
    pub async fn leave_network(&self, container_id: &str, network: &str) -> Result<()> {
        let req = NetworkDisconnectRequest {
            container: container_id.to_string(),
            force: Some(true),
        };
        match self.docker.disconnect_network(network, req).await {
            Err(e) if is_not_found(&e) => Ok(()),
            other => other.ctx(|| format!("disconnecting {container_id} from network {network}")),
        }
    }

    /// Disconnects every container still attached to `network`, so that it
    /// can be removed: a borrowed host whose scenario was interrupted.
    pub(crate) async fn empty_network(&self, network: &str) -> Result<()> {
        let info = match self
            .docker
            .inspect_network(network, None::<InspectNetworkOptions>)
            .await
        {
            Err(e) if is_not_found(&e) => return Ok(()),
            other => other.ctx(|| format!("inspecting network {network}"))?,
        };
        for id in info.containers.unwrap_or_default().into_keys() {
            self.leave_network(&id, network).await?;
        }
        Ok(())
    }
}
