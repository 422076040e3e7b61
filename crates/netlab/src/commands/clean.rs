//! `netlab clean`: remove what finished netlab runs left (a killed run,
//! `--keep`); `--all` also stops runs in progress. On every engine given
//! (`--engine`, `--engines`), one line each.

use std::process::ExitCode;

use anyhow::anyhow;

use crate::cli::CleanArgs;
use crate::exit::{self, Failure};
use crate::output;

pub async fn clean(args: CleanArgs) -> Result<ExitCode, Failure> {
    let engines = args.engines.all().await?;
    let several = engines.len() > 1;
    let mut text = String::new();
    for (entry, engine) in &engines {
        let removed = if args.all {
            engine.clean_all().await
        } else {
            engine.clean_finished().await
        };
        let removed = removed.map_err(|e| Failure::Infra(anyhow!("{}: {e}", entry.name)))?;
        if several {
            text.push_str(&format!("{}: ", entry.name));
        }
        text.push_str(&format!(
            "removed {} container(s) and {} network(s) of {} run(s)\n",
            removed.containers,
            removed.networks,
            removed.runs.len()
        ));
    }
    output::print(&text).map_err(Failure::Infra)?;
    Ok(ExitCode::from(exit::OK))
}
