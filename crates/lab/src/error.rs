//! netlab's own error type for lab files, so serde-saphyr's types stay private.

use std::fmt;
use std::path::PathBuf;

use crate::span::Pos;

/// One problem in a lab file: where, what is wrong, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub line: u64,
    pub col: u64,
    /// What is wrong, e.g. "unknown key `cmd`".
    pub what: String,
    /// What would be right, e.g. "one of `image`, `command`, ...". Empty when nothing useful can be said.
    pub expected: String,
}

impl Issue {
    pub fn new(pos: Pos, what: impl Into<String>, expected: impl Into<String>) -> Self {
        Issue {
            line: pos.line,
            col: pos.col,
            what: what.into(),
            expected: expected.into(),
        }
    }

    /// `line:col: error: <what>; expected <expected>` (no file name).
    pub fn message(&self) -> String {
        if self.expected.is_empty() {
            format!("{}:{}: error: {}", self.line, self.col, self.what)
        } else {
            format!(
                "{}:{}: error: {}; expected {}",
                self.line, self.col, self.what, self.expected
            )
        }
    }
}

/// Why a lab file could not be loaded. Display prints one line per problem:
/// `file:line:col: error: <what>; expected <what>`.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("{}: error: cannot read the lab file: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{}: error: not a regular file ({kind}); expected a lab file (a regular YAML file), not a FIFO, device or directory",
        path.display()
    )]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error(
        "{}: error: the lab file is {}, over the {limit} limit; expected a lab file of at most {limit} ({max} bytes): is this the right file?",
        path.display(),
        size_text(*size, *max),
        limit = mib(*max)
    )]
    TooLarge {
        path: PathBuf,
        /// `None` when the file said it was smaller but reading found more.
        size: Option<u64>,
        /// The limit (the parser's `MAX_LAB_BYTES`).
        max: u64,
    },
    #[error("{}", render(file, issues))]
    Invalid { file: String, issues: Vec<Issue> },
}

impl LabError {
    /// The problems found, in file order (empty when the file was not read).
    pub fn issues(&self) -> &[Issue] {
        match self {
            LabError::Read { .. } | LabError::NotAFile { .. } | LabError::TooLarge { .. } => &[],
            LabError::Invalid { issues, .. } => issues,
        }
    }
}

fn size_text(size: Option<u64>, max: u64) -> String {
    match size {
        Some(s) => format!("{s} bytes"),
        None => format!("more than {max} bytes"),
    }
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

fn render(file: &str, issues: &[Issue]) -> String {
    let mut out = String::new();
    for (i, issue) in issues.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(file);
        out.push(':');
        out.push_str(&issue.message());
    }
    out
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}
