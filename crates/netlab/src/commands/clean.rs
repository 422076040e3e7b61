//! `netlab clean`: remove whatever netlab runs left (a killed run, `--keep`).

use std::process::ExitCode;

use anyhow::anyhow;

use super::connect;
use crate::exit::{self, Failure};
use crate::output;

pub async fn clean() -> Result<ExitCode, Failure> {
    let engine = connect().await?;
    let removed = engine
        .clean_all()
        .await
        .map_err(|e| Failure::Infra(anyhow!(e)))?;
    output::print(&format!(
        "removed {} container(s) and {} network(s) of {} run(s)\n",
        removed.containers,
        removed.networks,
        removed.runs.len()
    ))
    .map_err(Failure::Infra)?;
    Ok(ExitCode::from(exit::OK))
}
