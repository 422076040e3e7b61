use std::time::Duration;

use indexmap::IndexMap;

use super::Image;

/// Port the student's server listens on and clients are told about.
pub const SUBMISSION_PORT: u16 = super::DEFAULT_PORT;
/// The reference or student server's DNS name in grading labs.
pub const SERVER_HOST: &str = "server";

/// How a submission runs (`netlab grade`).
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub image: Image,
    /// Role name -> its command, templates already filled in.
    pub roles: IndexMap<String, Role>,
    pub limits: SandboxLimits,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    pub command: Vec<String>,
}

/// Limits of every role container.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SandboxLimits {
    pub memory_bytes: u64,
    pub cpus: f64,
    pub pids: u32,
    /// Cap per output stream of a run (first and last half kept).
    pub output_bytes: u64,
}

impl Default for SandboxLimits {
    /// Same as the engine's `Limits::sandbox()`, plus a 64 KiB output cap.
    fn default() -> Self {
        SandboxLimits {
            memory_bytes: 256 << 20,
            cpus: 0.5,
            pids: 64,
            output_bytes: 64 << 10,
        }
    }
}

/// A program of the submission run once: the role's command, exec'd in the
/// idle role host with `stdin`, stopped at `deadline`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramRun {
    pub id: String,
    pub host: String,
    pub role: String,
    pub command: Vec<String>,
    pub stdin: Option<String>,
    pub deadline: Duration,
    /// The reference host the program talks to (`server:` in the lab).
    pub server: Option<String>,
}
