//! JUnit XML for CI (quick-junit, as nextest): one testsuite per lab, one
//! testcase per check named `<scenario>::<check>`.

use std::time::Duration;

use netlab_lab::results::{CheckResult, CheckStatus, LabResult, ScenarioResult};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};

use crate::{Exporter, Report, ReportError};

/// Status mapping: `pass` → success; `fail` → failure; `unsupported` →
/// failure of type `unsupported` (never skipped: it must not look green);
/// `error` → error. So failures + errors equals the JSON `summary.failed`.
/// A testcase's time is the wall time of the scenario that produced it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Junit;

impl Junit {
    pub fn report(&self, runs: &[Report<'_>]) -> quick_junit::Report {
        let mut report = quick_junit::Report::new("netlab");
        let mut total_ms = 0;
        for run in runs {
            for lab in run.labs {
                total_ms += lab.duration_ms;
                report.add_test_suite(suite(run.student, lab));
            }
        }
        report.set_time(Duration::from_millis(total_ms));
        report
    }
}

fn suite(student: Option<&str>, lab: &LabResult) -> TestSuite {
    let name = match student {
        Some(id) => format!("{id}/{}", lab.name),
        None => lab.name.clone(),
    };
    let mut suite = TestSuite::new(name.as_str());
    suite.set_time(Duration::from_millis(lab.duration_ms));
    suite.add_property(Property::new("file", lab.file.as_str()));
    suite.add_property(Property::new("title", lab.title.as_str()));
    if let Some(id) = student {
        suite.add_property(Property::new("student", id));
    }
    let mut out = String::new();
    for s in &lab.scenarios {
        suite.add_test_cases(s.checks.iter().map(|c| case(&name, s, c)));
        for n in &s.notes {
            out.push_str(&format!("{}: note: {n}\n", s.name));
        }
        if let Some(e) = &s.error {
            out.push_str(&format!("{}: error: {e}\n", s.name));
        }
    }
    if !out.is_empty() {
        suite.set_system_out(out);
    }
    suite
}

fn case(classname: &str, s: &ScenarioResult, c: &CheckResult) -> TestCase {
    let evidence = format!("measured: {}; expected: {}", c.measured, c.expected);
    let status = match c.status {
        CheckStatus::Pass => TestCaseStatus::success(),
        CheckStatus::Fail
        | CheckStatus::Unsupported
        | CheckStatus::Timeout
        | CheckStatus::Crash => non_success(NonSuccessKind::Failure, c.status.name(), evidence),
        CheckStatus::InfraError => {
            let msg = match &s.error {
                Some(e) => format!("{e} ({evidence})"),
                None => evidence,
            };
            non_success(NonSuccessKind::Error, c.status.name(), msg)
        }
    };
    let mut case = TestCase::new(format!("{}::{}", s.name, c.name), status);
    case.set_classname(classname)
        .set_time(Duration::from_millis(s.duration_ms))
        .add_property(Property::new("points", c.points.to_string()))
        .add_property(Property::new("earned", c.earned.to_string()));
    if !c.explanation.is_empty() {
        case.set_system_out(c.explanation.as_str());
    }
    case
}

fn non_success(kind: NonSuccessKind, ty: &str, message: String) -> TestCaseStatus {
    let mut status = TestCaseStatus::non_success(kind);
    status.set_type(ty).set_message(message);
    status
}

impl Exporter for Junit {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        let mut buf = Vec::new();
        self.report(runs).serialize(&mut buf)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn parse(bytes: &[u8]) -> quick_junit::Report {
        let text = std::str::from_utf8(bytes).unwrap();
        quick_junit::Report::deserialize_from_str(text)
            .unwrap_or_else(|e| panic!("not JUnit XML: {e}\n{text}"))
    }

    #[test]
    fn parses_back_with_the_right_counts() {
        let labs = fixtures::labs();
        let xml = Junit.serialize(&[Report::new(&labs)]).unwrap();
        let report = parse(&xml);
        assert_eq!(report.tests, 5);
        assert_eq!(report.failures, 2, "fail + unsupported");
        assert_eq!(report.errors, 1);
        assert_eq!(report.skipped, 0);
        assert_eq!(report.time, Some(Duration::from_millis(2_200)));
        let [suite] = report.test_suites.as_slice() else {
            panic!("one suite per lab")
        };
        assert_eq!(suite.name.as_str(), "task3");
        let names: Vec<&str> = suite.test_cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "udp-vs-tcp::udp replies",
                "udp-vs-tcp::tcp replies",
                "udp-vs-tcp::tcp slower",
                "port-closed::refused, \"RST\" | <fast>",
                "port-closed::delay 50ms",
            ]
        );
    }

    #[test]
    fn failure_says_measured_vs_expected_and_explains() {
        let labs = fixtures::labs();
        let report = parse(&Junit.serialize(&[Report::new(&labs)]).unwrap());
        let cases = &report.test_suites[0].test_cases;
        let slower = &cases[2];
        let TestCaseStatus::NonSuccess { kind, message, .. } = &slower.status else {
            panic!("tcp slower must fail: {:?}", slower.status)
        };
        assert_eq!(*kind, NonSuccessKind::Failure);
        assert_eq!(
            message.as_ref().unwrap().as_str(),
            "measured: measured for tcp slower; expected: expected for tcp slower"
        );
        assert!(
            slower
                .system_out
                .as_ref()
                .unwrap()
                .as_str()
                .starts_with("Why tcp slower")
        );
        assert_eq!(slower.time, Some(Duration::from_millis(1_500)));
        let TestCaseStatus::NonSuccess { message, .. } = &cases[3].status else {
            panic!("errored check must not succeed")
        };
        assert!(
            message
                .as_ref()
                .unwrap()
                .as_str()
                .starts_with("client container exited early")
        );
    }

    #[test]
    fn students_get_their_own_suites() {
        let labs = fixtures::labs();
        let runs = [
            Report::student("alice", &labs),
            Report::student("bob", &labs),
        ];
        let report = parse(&Junit.serialize(&runs).unwrap());
        let names: Vec<&str> = report.test_suites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["alice/task3", "bob/task3"]);
        assert_eq!(report.tests, 10);
    }
}
