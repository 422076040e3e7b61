//! The JSON report: the serde form of the result types under a versioned
//! envelope with a top-level `summary`. Its fields are documented in
//! docs/reports.md; change them only by adding.

use netlab_lab::results::{LabResult, Totals};
use serde::Serialize;

use crate::{Exporter, NETLAB_VERSION, Report, ReportError};

/// Runs without a student id (`netlab run`) give one run document
/// `{netlab_version, summary, labs}`; runs with ids (`netlab grade`) give a
/// class document `{netlab_version, summary, students: [{student, summary, labs}]}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

#[derive(Serialize)]
struct RunDoc<'a> {
    netlab_version: &'static str,
    summary: Totals,
    labs: Vec<&'a LabResult>,
}

#[derive(Serialize)]
struct ClassDoc<'a> {
    netlab_version: &'static str,
    summary: Totals,
    students: Vec<StudentDoc<'a>>,
}

#[derive(Serialize)]
struct StudentDoc<'a> {
    student: Option<&'a str>,
    summary: Totals,
    labs: &'a [LabResult],
}

impl Exporter for Json {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        let all_labs = runs.iter().flat_map(|r| r.labs);
        let summary = Totals::of(all_labs.clone());
        let mut out = if runs.iter().all(|r| r.student.is_none()) {
            serde_json::to_vec_pretty(&RunDoc {
                netlab_version: NETLAB_VERSION,
                summary,
                labs: all_labs.collect(),
            })?
        } else {
            serde_json::to_vec_pretty(&ClassDoc {
                netlab_version: NETLAB_VERSION,
                summary,
                students: runs
                    .iter()
                    .map(|r| StudentDoc {
                        student: r.student,
                        summary: r.totals(),
                        labs: r.labs,
                    })
                    .collect(),
            })?
        };
        out.push(b'\n');
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::fixtures;

    #[test]
    fn run_document_has_summary_and_labs_that_parse_back() {
        let labs = fixtures::labs();
        let bytes = Json.serialize(&[Report::new(&labs)]).unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["netlab_version"], NETLAB_VERSION);
        let s = &v["summary"];
        assert_eq!(s["checks"], 5);
        assert_eq!(s["passed"], 2);
        assert_eq!(s["failed"], 3);
        assert_eq!(s["score"], 4.0);
        assert_eq!(s["max_score"], 10.0);
        assert!(v.get("students").is_none());
        // The labs are the result types' own serde form, so they read back.
        let back: Vec<LabResult> = serde_json::from_value(v["labs"].clone()).unwrap();
        assert_eq!(back, labs);
        assert_eq!(
            v["labs"][0]["scenarios"][0]["checks"][2]["status"], "fail",
            "statuses are snake_case words"
        );
    }

    #[test]
    fn class_document_lists_students_with_their_own_summary() {
        let labs = fixtures::labs();
        let mut perfect = fixtures::labs();
        perfect[0].scenarios.truncate(1);
        perfect[0].scenarios[0].checks.truncate(2);
        let runs = [
            Report::student("alice", &labs),
            Report::student("bob", &perfect),
        ];
        let v: Value = serde_json::from_slice(&Json.serialize(&runs).unwrap()).unwrap();
        assert!(v.get("labs").is_none());
        assert_eq!(v["summary"]["checks"], 7);
        assert_eq!(v["summary"]["score"], 8.0);
        assert_eq!(v["students"][1]["student"], "bob");
        assert_eq!(v["students"][1]["summary"]["passed"], 2);
        assert_eq!(v["students"][1]["summary"]["failed"], 0);
        assert_eq!(v["students"][0]["summary"]["max_score"], 10.0);
    }
}
