//! `netlab clean`: remove what finished netlab runs left (a killed run,
//! `--keep`); `--all` also stops runs in progress.

use std::process::ExitCode;

use anyhow::anyhow;

use super::connect;
use crate::exit::{self, Failure};
use crate::output;

pub async fn clean(all: bool) -> Result<ExitCode, Failure> {
    let engine = connect().await?;
    let removed = if all {
        engine.clean_all().await
    } else {
        engine.clean_finished().await
    };
    let removed = removed.map_err(|e| Failure::Infra(anyhow!(e)))?;
    output::print(&format!(
        "removed {} container(s) and {} network(s) of {} run(s)\n",
        removed.containers,
        removed.networks,
        removed.runs.len()
    ))
    .map_err(Failure::Infra)?;
    Ok(ExitCode::from(exit::OK))
}
