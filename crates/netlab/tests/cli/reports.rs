//! Reading what `netlab run --json/--junit` wrote, independently of the
//! product's own types: serde_json for the JSON report, quick-xml for JUnit.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use serde_json::Value;

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("--json file {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("--json file {} is not JSON: {e}", path.display()))
}

/// `summary.<field>` as an integer.
pub fn summary(doc: &Value, field: &str) -> u64 {
    doc["summary"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("summary.{field} missing in {}", doc["summary"]))
}

/// The JSON `labs[]` entry named `lab`.
pub fn lab<'a>(doc: &'a Value, lab: &str) -> &'a Value {
    doc["labs"]
        .as_array()
        .expect("labs[]")
        .iter()
        .find(|l| l["name"] == lab)
        .unwrap_or_else(|| panic!("lab {lab} missing from the JSON report"))
}

/// Every check of a report as `lab/scenario::check` → status.
pub fn check_statuses(doc: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for lab in doc["labs"].as_array().expect("labs[]") {
        for sc in lab["scenarios"].as_array().expect("scenarios[]") {
            for c in sc["checks"].as_array().expect("checks[]") {
                out.insert(
                    format!(
                        "{}/{}::{}",
                        lab["name"].as_str().unwrap(),
                        sc["name"].as_str().unwrap(),
                        c["name"].as_str().unwrap()
                    ),
                    c["status"].as_str().expect("status").to_owned(),
                );
            }
        }
    }
    out
}

/// Outcome → count over the records of probe `probe` of `scenario`.
pub fn outcomes(lab: &Value, scenario: &str, probe: &str) -> BTreeMap<String, usize> {
    let run = self::probe(lab, scenario, probe);
    let mut counts = BTreeMap::new();
    for r in run["records"].as_array().expect("records[]") {
        *counts
            .entry(r["outcome"].as_str().expect("outcome").to_owned())
            .or_insert(0) += 1;
    }
    counts
}

/// The probe set `probe` of `scenario` in a lab of the JSON report.
pub fn probe<'a>(lab: &'a Value, scenario: &str, probe: &str) -> &'a Value {
    let sc = lab["scenarios"]
        .as_array()
        .expect("scenarios[]")
        .iter()
        .find(|s| s["name"] == scenario)
        .unwrap_or_else(|| panic!("scenario {scenario} missing"));
    sc["probes"]
        .as_array()
        .expect("probes[]")
        .iter()
        .find(|p| p["id"] == probe)
        .unwrap_or_else(|| panic!("probe {probe} missing from scenario {scenario}"))
}

/// One `<testsuite>` of a JUnit file, as read from the XML.
#[derive(Debug, Default)]
pub struct Suite {
    pub name: String,
    /// The `tests`, `failures` and `errors` attributes.
    pub tests: usize,
    pub failures: usize,
    pub errors: usize,
    /// `<testcase>` names; those with a `<failure>` or `<error>` child.
    pub cases: Vec<String>,
    pub failed_cases: Vec<String>,
}

/// Parses a JUnit XML file into its suites; panics on malformed XML.
pub fn read_junit(path: &Path) -> Vec<Suite> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("--junit file {}: {e}", path.display()));
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut suites: Vec<Suite> = Vec::new();
    let mut root_seen = false;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("--junit file {} is not XML: {e}", path.display()));
        match event {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuites" => root_seen = true,
                b"testsuite" => suites.push(Suite {
                    name: attr(&e, "name"),
                    tests: attr(&e, "tests").parse().expect("tests count"),
                    failures: attr(&e, "failures").parse().expect("failures count"),
                    errors: attr(&e, "errors").parse().expect("errors count"),
                    ..Suite::default()
                }),
                b"testcase" => {
                    let suite = suites.last_mut().expect("testcase inside a testsuite");
                    suite.cases.push(attr(&e, "name"));
                }
                b"failure" | b"error" => {
                    let suite = suites.last_mut().expect("failure inside a testsuite");
                    let case = suite
                        .cases
                        .last()
                        .expect("failure inside a testcase")
                        .clone();
                    suite.failed_cases.push(case);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(root_seen, "{}: no <testsuites> root", path.display());
    suites
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.try_get_attribute(name)
        .expect("well-formed attributes")
        .unwrap_or_else(|| {
            panic!(
                "<{}> without {name}",
                String::from_utf8_lossy(e.name().as_ref())
            )
        })
        .normalized_value(XmlVersion::Implicit1_0)
        .expect("attribute value")
        .into_owned()
}
