//! Reporters turn run results into bytes and do no I/O (as hyperfine's
//! exporters); the `netlab` binary decides where the bytes go. Every format
//! implements [`Exporter`] over a slice of [`Report`]s: one for `netlab run`,
//! one per student for `netlab grade`.

pub mod fmt;

mod cited;
mod csv;
mod gradescope;
mod html;
mod json;
mod junit;
mod markdown;
mod rtt;
mod terminal;
mod view;

use std::str::FromStr;

use netlab_lab::results::{LabResult, Totals};

pub use crate::csv::{Gradebook, GradebookLayout};
pub use crate::gradescope::{Gradescope, Visibility};
pub use crate::html::{ClassPage, Html, student_page};
pub use crate::json::Json;
pub use crate::junit::Junit;
pub use crate::markdown::Markdown;
pub use crate::terminal::Terminal;

/// The version written into reports (`netlab_version`).
pub const NETLAB_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What one report is about: the labs of one `netlab run`, or one student's
/// submission graded by `netlab grade` (then `student` is the id).
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    pub student: Option<&'a str>,
    pub labs: &'a [LabResult],
}

impl<'a> Report<'a> {
    /// A run of `netlab run`: no student.
    pub fn new(labs: &'a [LabResult]) -> Self {
        Report {
            student: None,
            labs,
        }
    }

    /// One student's graded submission.
    pub fn student(id: &'a str, labs: &'a [LabResult]) -> Self {
        Report {
            student: Some(id),
            labs,
        }
    }

    pub fn totals(&self) -> Totals {
        Totals::of(self.labs)
    }
}

/// A pure serializer: results in, bytes out, no I/O.
pub trait Exporter {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError>;
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{format} report: expected the results of exactly one run, got {got}; render each student's results separately"
    )]
    OneRunExpected { format: &'static str, got: usize },
    #[error(
        "gradebook: run {index} has no student id; every gradebook row needs one (use Report::student)"
    )]
    MissingStudent { index: usize },
    #[error("JSON report: serialization failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("JUnit report: XML serialization failed: {0}")]
    Junit(#[from] quick_junit::SerializeError),
    #[error("gradebook: CSV writing failed: {0}")]
    Csv(#[from] ::csv::Error),
}

/// Every output format netlab writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Human report for the terminal (comfy-table).
    Terminal,
    /// The documented JSON report (docs/reports.md).
    Json,
    /// JUnit XML for CI.
    Junit,
    /// Gradebook CSV for Moodle/Canvas.
    Csv,
    /// Per-student feedback page.
    Markdown,
    /// Gradescope `results.json`.
    Gradescope,
    /// Self-contained HTML page with plots (one article per run).
    Html,
    /// The class page of `netlab grade`: distribution, pass rates, links.
    ClassHtml,
}

/// Settings the formats take; `Default` suits files (no colour).
#[derive(Debug, Clone)]
pub struct Options {
    /// ANSI colour in the terminal report. The caller decides (TTY,
    /// `NO_COLOR`); reporters never look at the environment.
    pub color: bool,
    /// Width the terminal report wraps to, in columns.
    pub width: u16,
    pub gradebook: GradebookLayout,
    /// Gradescope visibility of every test.
    pub visibility: Visibility,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            color: false,
            width: terminal::DEFAULT_WIDTH,
            gradebook: GradebookLayout::Plain,
            visibility: Visibility::Visible,
        }
    }
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Terminal,
        Format::Json,
        Format::Junit,
        Format::Csv,
        Format::Markdown,
        Format::Gradescope,
        Format::Html,
        Format::ClassHtml,
    ];

    /// The exporter of this format with the given settings.
    pub fn exporter(self, opts: &Options) -> Box<dyn Exporter> {
        match self {
            Format::Terminal => Box::new(Terminal {
                color: opts.color,
                width: opts.width,
            }),
            Format::Json => Box::new(Json),
            Format::Junit => Box::new(Junit),
            Format::Csv => Box::new(Gradebook {
                layout: opts.gradebook,
            }),
            Format::Markdown => Box::new(Markdown),
            Format::Gradescope => Box::new(Gradescope {
                visibility: opts.visibility,
            }),
            Format::Html => Box::new(Html),
            Format::ClassHtml => Box::new(ClassPage),
        }
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Gradescope => "gradescope",
            Format::Html => "html",
            Format::ClassHtml => "class-html",
        }
    }

    /// The usual file extension of its output.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Terminal => "txt",
            Format::Json | Format::Gradescope => "json",
            Format::Junit => "xml",
            Format::Csv => "csv",
            Format::Markdown => "md",
            Format::Html | Format::ClassHtml => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "unknown report format `{0}`; expected one of terminal, json, junit, csv, markdown, gradescope, html, class-html"
)]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "terminal" | "text" => Format::Terminal,
            "json" => Format::Json,
            "junit" | "xml" => Format::Junit,
            "csv" | "gradebook" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            "gradescope" => Format::Gradescope,
            "html" | "htm" => Format::Html,
            "class-html" => Format::ClassHtml,
            _ => return Err(UnknownFormat(s.to_string())),
        })
    }
}

/// Requires exactly one run, for formats that describe a single submission.
fn single<'r, 'a>(
    format: &'static str,
    runs: &'r [Report<'a>],
) -> Result<&'r Report<'a>, ReportError> {
    match runs {
        [run] => Ok(run),
        _ => Err(ReportError::OneRunExpected {
            format,
            got: runs.len(),
        }),
    }
}

#[cfg(test)]
mod fixtures;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>().unwrap(), f);
            assert_eq!(f.to_string(), f.name());
        }
        assert_eq!("MD".parse::<Format>().unwrap(), Format::Markdown);
        let err = "pdf".parse::<Format>().unwrap_err();
        assert!(err.to_string().contains("`pdf`"), "{err}");
    }

    /// A student's HTML page and Markdown feedback show the same parts: the
    /// program runs (the HTML page lacked them) and the capture (the
    /// Markdown lacked it).
    #[test]
    fn html_and_markdown_show_the_same_parts() {
        let mut labs = fixtures::labs();
        let s = &mut labs[0].scenarios[1];
        s.capture = Some(fixtures::capture_syn_rst());
        s.runs = vec![fixtures::program_run()];
        let reports = [Report::student("alice", &labs)];
        for f in [Format::Html, Format::Markdown, Format::Terminal] {
            let bytes = f.exporter(&Options::default()).serialize(&reports).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.contains("UDPClient.py"), "{f}: no run\n{text}");
            assert!(
                text.contains("exited with code 1 after 0.1 s"),
                "{f}: no ending"
            );
            assert!(text.contains("SYN"), "{f}: no capture\n{text}");
            if f != Format::Terminal {
                assert!(text.contains("From Server: HELLO"), "{f}: no output");
            }
        }
    }

    #[test]
    fn every_format_renders_a_fixture() {
        let labs = fixtures::labs();
        let runs = [Report::student("alice", &labs)];
        for f in Format::ALL {
            let bytes = f.exporter(&Options::default()).serialize(&runs).unwrap();
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.is_empty(), "{f} rendered nothing");
        }
    }
}
