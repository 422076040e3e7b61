use netlab_engine::EngineError;

/// What stops a lab from running at all. Failures inside a scenario (a host
/// that never became ready, a fault that could not be applied) are recorded
/// in that scenario's result instead, so the other scenarios still run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),

    #[error(transparent)]
    Swarm(#[from] crate::swarm::SwarmError),

    /// A swarm's DNS did not learn a host's name on its client's node.
    #[error(
        "the overlay's DNS on node {node} did not learn the name `{name}` within {within:?} (a swarm's name records travel between nodes by gossip), so probes from {host} could only fail as `dns`; the scenario is not graded. Check the nodes' gossip ports (7946/tcp+udp) and run it again"
    )]
    NameNotLearned {
        name: String,
        host: String,
        node: String,
        within: std::time::Duration,
    },

    /// An overlay's gateway is in its own namespace, not on any machine.
    #[error(
        "network `{network}` has `host_access: true`, which an overlay network across a swarm cannot give (its gateway is no machine's); run this lab without `--swarm`"
    )]
    HostAccessOnOverlay { network: String },

    /// A lab names an image kind that was not prepared.
    #[error("image `{0}` was not built for this run; this is a netlab bug, please report it")]
    ImageNotPrepared(&'static str),

    /// Probes run `netlab-echo`, which only the echo image carries.
    #[error(
        "probe `{probe}` runs from host `{host}`, which does not use the echo image; probes run netlab-echo, so run them from a host with `image: echo` (the default)"
    )]
    ProbeHost { probe: String, host: String },

    /// A role host (`netlab grade`) in a run without a submission.
    #[error(
        "host `{host}` runs a role of a student's submission, but no submission was given; grade it with `netlab grade LAB --submissions DIR`"
    )]
    NoSubmission { host: String },
}
