//! One student's graded submission: what `students/<id>/result.json` holds,
//! and what the class outputs are merged from.

use netlab_lab::results::{CheckStatus, LabResult};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentRecord {
    pub student: String,
    /// 1, or 2 when the first attempt hit an infrastructure error.
    pub attempts: u32,
    /// Why earlier attempts were not kept (their infrastructure errors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retried_after: Vec<String>,
    /// The engine that graded it, when a pool of engines did (`--engine`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    pub lab: LabResult,
}

impl StudentRecord {
    /// `(check columns key, status)` of every check: what "identical grades" compares.
    pub fn grades(&self) -> Vec<(String, CheckStatus, f64)> {
        self.lab
            .scenarios
            .iter()
            .flat_map(|s| {
                s.checks
                    .iter()
                    .map(move |c| (format!("{}/{}", s.name, c.name), c.status, c.earned))
            })
            .collect()
    }
}
