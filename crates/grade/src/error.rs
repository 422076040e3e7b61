use std::path::PathBuf;

/// What stops a grading batch (a student's failing program never does).
#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error("cannot read the submissions folder {}: {source}; give a folder with one sub-folder per student", path.display())]
    ReadSubmissions {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no submissions in {}: it has no sub-folders; each student's files go in a folder named by the student's id", path.display())]
    NoSubmissions { path: PathBuf },
    #[error("no submission `{id}` in {}; known ids: {known}", path.display())]
    UnknownStudent {
        id: String,
        path: PathBuf,
        known: String,
    },
    #[error(
        "lab `{lab}` has no `submission` section, so it grades no submissions; add `submission:` with `roles` (docs/lab-format.md) or use `netlab run`"
    )]
    NotAGradingLab { lab: String },
    #[error("no engine to grade on; give one with --engine URL, or none for the local engine")]
    NoEngine,
    #[error("cannot read the earlier result {}: {source}; delete it to regrade that student", path.display())]
    ReadRecord {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the earlier result {} is not a netlab result: {source}; delete it to regrade that student", path.display())]
    ParseRecord {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot serialize a result: {0}")]
    Json(#[from] serde_json::Error),
}
