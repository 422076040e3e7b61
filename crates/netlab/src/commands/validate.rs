//! `netlab validate`: parse and check lab files; no Docker needed.

use std::path::PathBuf;
use std::process::ExitCode;

use super::load_labs;
use crate::exit::{self, Failure};
use crate::output;

pub fn validate(paths: &[PathBuf]) -> Result<ExitCode, Failure> {
    let labs = load_labs(paths)?;
    let mut text = String::new();
    for lab in &labs {
        let probes: usize = lab.scenarios.iter().map(|s| s.probes.len()).sum();
        let checks: usize = lab.scenarios.iter().map(|s| s.checks.len()).sum();
        text.push_str(&format!(
            "ok: {} ({}): {} scenario(s), {probes} probe set(s), {checks} check(s)\n",
            lab.file,
            lab.name,
            lab.scenarios.len()
        ));
    }
    output::print(&text).map_err(Failure::Infra)?;
    Ok(ExitCode::from(exit::OK))
}
