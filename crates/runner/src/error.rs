use netlab_engine::EngineError;

/// What stops a lab from running at all. Failures inside a scenario (a host
/// that never became ready, a fault that could not be applied) are recorded
/// in that scenario's result instead, so the other scenarios still run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Engine(#[from] EngineError),

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
