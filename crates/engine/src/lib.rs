//! Everything netlab asks of Docker, through bollard: images, networks,
//! containers, NET_ADMIN sidecars, exec, readiness and label-based cleanup.
//!
//! ```no_run
//! # async fn demo() -> netlab_engine::Result<()> {
//! use netlab_engine::{ContainerSpec, Engine, Run};
//! let engine = Engine::connect().await?;
//! let run = Run::new(&engine, "task1");
//! let _guard = run.guard(); // removes everything of the run even on panic
//! let net = run.create_network("lan", &Default::default()).await?;
//! let spec = ContainerSpec::new("server", "netlab/echo:0123456789ab")
//!     .cmd(&["server"])
//!     .network(&net.docker_name, &[]);
//! let server = run.start_container(&spec).await?;
//! engine.wait_for_log(&server, "ready", std::time::Duration::from_secs(10)).await?;
//! run.cleanup().await?;
//! # Ok(()) }
//! ```

mod attach;
mod capture;
mod cleanup;
mod container;
mod docker;
mod error;
mod exec;
mod image;
pub mod labels;
mod limits;
mod memory;
mod network;
mod ready;
mod run;
mod sidecar;
mod sockets;
mod spec;
mod swarm;
mod timeouts;
mod volume;

pub use capture::{Capture, Saved};
pub use cleanup::{Removed, RunGuard};
pub use container::{Container, ExitStatus, Logs};
pub use docker::{Engine, EngineAddr};
pub use error::{EngineError, Result};
pub use exec::{Captured, ExecOutput, ExecRequest};
pub use image::{
    BASE_PACKAGES, ImageEvent, ImageInfo, ImageKind, ImageRef, ImageSources, Progress, Pruned,
};
pub use limits::LimitCounters;
pub use network::{Ipv4Net, NetworkInfo, NetworkOptions};
pub use run::Run;
pub use sidecar::Sidecar;
pub use sockets::{BoundSocket, Proto};
pub use spec::{Bind, ContainerSpec, Limits, NetAttach};
pub use swarm::{ENDPOINT_LABEL, Membership, NODE_LABEL, SwarmNode};
pub use timeouts::REQUEST_TIMEOUT;
pub use volume::MAX_FOLDER_BYTES;
