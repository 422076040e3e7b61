//! The one place that writes report files, as hyperfine's export manager:
//! each export is a format and a path; the reporters turn results into bytes
//! (no I/O), this writes them atomically. `netlab run` and `netlab grade`
//! both describe their files as exports.

use std::path::PathBuf;

use anyhow::anyhow;
use netlab_report::{Format, Options, Report};

use crate::output;

#[derive(Debug, Default)]
pub struct ExportManager {
    exports: Vec<(Format, PathBuf)>,
    options: Options,
}

impl ExportManager {
    pub fn new(options: Options) -> ExportManager {
        ExportManager {
            exports: Vec::new(),
            options,
        }
    }

    /// Adds `path` in `format`; `None` adds nothing (an absent flag).
    pub fn add(&mut self, format: Format, path: Option<PathBuf>) -> &mut Self {
        if let Some(path) = path {
            self.exports.push((format, path));
        }
        self
    }

    /// Serializes `reports` in every format and writes each file.
    pub fn write(&self, reports: &[Report<'_>]) -> anyhow::Result<()> {
        for (format, path) in &self.exports {
            let bytes = format
                .exporter(&self.options)
                .serialize(reports)
                .map_err(|e| anyhow!("{}: {e}", path.display()))?;
            output::write_file(path, &bytes)?;
        }
        Ok(())
    }
}
