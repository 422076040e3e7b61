//! Gradescope's `results.json` for one submission (autograder_samples
//! docs/specs.md): a top-level score and one test per check.

use netlab_lab::results::{CheckResult, CheckStatus, ScenarioResult};
use serde::Serialize;

use crate::{Exporter, NETLAB_VERSION, Report, ReportError, single};

/// When Gradescope shows a test to the student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Hidden,
    AfterDueDate,
    AfterPublished,
    #[default]
    Visible,
}

/// Needs exactly one run (one student's submission).
#[derive(Debug, Clone, Copy, Default)]
pub struct Gradescope {
    pub visibility: Visibility,
}

#[derive(Serialize)]
struct Results {
    score: f64,
    /// Whole seconds, as Gradescope expects.
    execution_time: u64,
    output: String,
    tests: Vec<Test>,
    /// Gradescope stores it; `max_score` here lets other tools check totals.
    extra_data: Extra,
}

#[derive(Serialize)]
struct Extra {
    netlab_version: &'static str,
    max_score: f64,
    student: Option<String>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    number: String,
    score: f64,
    max_score: f64,
    status: &'static str,
    output: String,
    visibility: Visibility,
}

impl Gradescope {
    fn test(&self, number: String, lab: &str, s: &ScenarioResult, c: &CheckResult) -> Test {
        let mut output = format!(
            "{}\nMeasured: {}\nExpected: {}\n",
            c.status.label(),
            c.measured,
            c.expected
        );
        if let (CheckStatus::InfraError, Some(e)) = (c.status, &s.error) {
            output.push_str(&format!("The run failed: {e}\n"));
        }
        if !c.explanation.trim().is_empty() {
            output.push('\n');
            output.push_str(c.explanation.trim());
            output.push('\n');
        }
        Test {
            name: format!("{lab}: {}::{}", s.name, c.name),
            number,
            score: c.earned,
            max_score: c.points,
            status: if c.status == CheckStatus::Pass {
                "passed"
            } else {
                "failed"
            },
            output,
            visibility: self.visibility,
        }
    }
}

impl Exporter for Gradescope {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        let run = single("gradescope", runs)?;
        let mut tests = Vec::new();
        let mut notes = Vec::new();
        for (li, lab) in run.labs.iter().enumerate() {
            // Numbers stay unique when a submission is graded on several labs.
            let prefix = if run.labs.len() > 1 {
                format!("{}.", li + 1)
            } else {
                String::new()
            };
            for (si, s) in lab.scenarios.iter().enumerate() {
                for (ci, c) in s.checks.iter().enumerate() {
                    let number = format!("{prefix}{}.{}", si + 1, ci + 1);
                    tests.push(self.test(number, &lab.name, s, c));
                }
                notes.extend(s.notes.iter().map(|n| format!("{}: {n}", s.name)));
            }
        }
        let totals = run.totals();
        let mut output = crate::fmt::score_line(&totals);
        for n in notes {
            output.push_str("\nnote: ");
            output.push_str(&n);
        }
        let ms: u64 = run.labs.iter().map(|l| l.duration_ms).sum();
        let results = Results {
            score: totals.score,
            execution_time: ms.div_ceil(1_000),
            output,
            tests,
            extra_data: Extra {
                netlab_version: NETLAB_VERSION,
                max_score: totals.max_score,
                student: run.student.map(String::from),
            },
        };
        let mut out = serde_json::to_vec_pretty(&results)?;
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
    fn results_json_has_gradescope_fields() {
        let labs = fixtures::labs();
        let g = Gradescope::default();
        let v: Value =
            serde_json::from_slice(&g.serialize(&[Report::student("alice", &labs)]).unwrap())
                .unwrap();
        assert_eq!(v["score"], 4.0);
        assert_eq!(v["execution_time"], 3, "2.2 s rounds up");
        assert_eq!(v["extra_data"]["max_score"], 10.0);
        assert_eq!(v["extra_data"]["student"], "alice");
        assert!(
            v["output"]
                .as_str()
                .unwrap()
                .starts_with("score 4/10 — 2/5 checks passed\nnote: udp-vs-tcp: netem")
        );
        let tests = v["tests"].as_array().unwrap();
        assert_eq!(tests.len(), 5);
        let t = &tests[2];
        assert_eq!(t["name"], "task3: udp-vs-tcp::tcp slower");
        assert_eq!(t["number"], "1.3");
        assert_eq!(t["score"], 0.0);
        assert_eq!(t["max_score"], 3.0);
        assert_eq!(t["status"], "failed");
        assert_eq!(t["visibility"], "visible");
        let out = t["output"].as_str().unwrap();
        assert!(
            out.starts_with(
                "FAIL\nMeasured: measured for tcp slower\nExpected: expected for tcp slower\n\nWhy"
            ),
            "{out}"
        );
        assert_eq!(tests[0]["status"], "passed");
        assert!(
            tests[3]["output"]
                .as_str()
                .unwrap()
                .contains("The run failed: client container exited early")
        );
    }

    #[test]
    fn visibility_is_configurable_and_one_run_is_required() {
        let labs = fixtures::labs();
        let g = Gradescope {
            visibility: Visibility::AfterDueDate,
        };
        let v: Value =
            serde_json::from_slice(&g.serialize(&[Report::new(&labs)]).unwrap()).unwrap();
        assert_eq!(v["tests"][0]["visibility"], "after_due_date");
        assert!(v["extra_data"]["student"].is_null());
        let mut two_labs = fixtures::labs();
        two_labs.extend(fixtures::labs());
        let v: Value =
            serde_json::from_slice(&g.serialize(&[Report::new(&two_labs)]).unwrap()).unwrap();
        assert_eq!(v["tests"][5]["number"], "2.1.1");
        let two = [Report::new(&labs), Report::new(&labs)];
        let err = g.serialize(&two).unwrap_err();
        assert!(
            matches!(err, ReportError::OneRunExpected { got: 2, .. }),
            "{err}"
        );
    }
}
