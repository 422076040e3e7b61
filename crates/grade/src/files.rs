//! The layout of `netlab grade`'s output folder, as formats and paths (the
//! CLI's export manager writes them): per student
//! `students/<id>/{result.json, feedback.md, report.html, results.json}`,
//! and for the class `grades.csv`, `summary.json`, `junit.xml` and
//! `class.html`, merged from every student's record, so an interrupted batch
//! keeps what it graded and `--only ID` regrades one student into the same
//! gradebook. `result.json` is the record itself, the one file read back.

use std::path::{Path, PathBuf};

use netlab_report::{Format, student_page};

use crate::{GradeError, StudentRecord};

pub const STUDENTS_DIR: &str = "students";
pub const RESULT_FILE: &str = "result.json";

/// The class files, relative to the output folder.
pub const CLASS_FILES: [(Format, &str); 4] = [
    (Format::Csv, "grades.csv"),
    (Format::Json, "summary.json"),
    (Format::Junit, "junit.xml"),
    (Format::ClassHtml, "class.html"),
];

/// A student's report files, relative to the output folder. The HTML page
/// is where the class page links.
pub fn student_files(id: &str) -> Vec<(Format, PathBuf)> {
    let dir = Path::new(STUDENTS_DIR).join(id);
    vec![
        (Format::Markdown, dir.join("feedback.md")),
        (Format::Html, PathBuf::from(student_page(id))),
        (Format::Gradescope, dir.join("results.json")),
    ]
}

/// Where a student's record goes, relative to the output folder.
pub fn record_path(id: &str) -> PathBuf {
    Path::new(STUDENTS_DIR).join(id).join(RESULT_FILE)
}

/// The record as `result.json` holds it.
pub fn record_bytes(r: &StudentRecord) -> Result<Vec<u8>, GradeError> {
    let mut bytes = serde_json::to_vec_pretty(r)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A record read back from `path` (named in errors).
pub fn parse_record(bytes: &[u8], path: &Path) -> Result<StudentRecord, GradeError> {
    serde_json::from_slice(bytes).map_err(|source| GradeError::ParseRecord {
        path: path.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_class_page_links_to_the_student_pages() {
        let html = student_files("s1")
            .into_iter()
            .find(|(f, _)| *f == Format::Html)
            .unwrap();
        assert_eq!(html.1, Path::new("students/s1/report.html"));
        assert_eq!(record_path("s1"), Path::new("students/s1/result.json"));
    }
}
