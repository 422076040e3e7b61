//! Exit statuses of `netlab`, defined once (as cargo-nextest does). The README
//! documents them; scripts and CI depend on them.

use std::process::ExitCode;

use netlab_lab::results::Verdict;

/// Every check passed (or, for `validate`/`clean`/`images`, the command succeeded).
pub const OK: u8 = 0;
/// The run completed but at least one check failed.
pub const CHECKS_FAILED: u8 = 1;
/// Bad usage or a bad lab file: nothing was started.
pub const USAGE: u8 = 2;
/// The Docker engine or other infrastructure failed (no engine, image build failed, ...).
pub const INFRA: u8 = 3;
/// Interrupted by SIGINT/SIGTERM; everything the run created was removed.
pub const INTERRUPTED: u8 = 130;

/// The status of a run that completed: 0, 1, or 3 when netlab's side failed.
pub fn of(verdict: Verdict) -> ExitCode {
    ExitCode::from(match verdict {
        Verdict::Passed => OK,
        Verdict::ChecksFailed => CHECKS_FAILED,
        Verdict::Infra => INFRA,
    })
}

/// An error that ends `netlab` with a documented status.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0:#}")]
    Usage(anyhow::Error),
    /// Lab files with mistakes; each line already says `file:line:col: error: ...`.
    #[error("{0}")]
    BadLab(String),
    #[error("{0:#}")]
    Infra(anyhow::Error),
    #[error("interrupted")]
    Interrupted,
}

impl Failure {
    /// The message for stderr: lab errors as they are, others after `netlab: error:`.
    pub fn message(&self) -> String {
        match self {
            Failure::BadLab(text) => text.clone(),
            other => format!("netlab: error: {other}"),
        }
    }

    pub fn code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Usage(_) | Failure::BadLab(_) => USAGE,
            Failure::Infra(_) => INFRA,
            Failure::Interrupted => INTERRUPTED,
        })
    }
}
