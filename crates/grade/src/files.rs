//! Every output file of a grading batch as bytes (the CLI writes them):
//! per student `students/<id>/{result.json, feedback.md, report.html,
//! results.json}`,
//! and for the class `grades.csv`, `summary.json`, `junit.xml`, merged from
//! all per-student results present, so an interrupted batch keeps what it
//! graded and `--only ID` regrades one student into the same gradebook.

use std::path::{Path, PathBuf};

use netlab_report::{Exporter, Gradebook, Gradescope, Html, Json, Junit, Markdown, Report};

use crate::{GradeError, StudentRecord};

pub const STUDENTS_DIR: &str = "students";
pub const RESULT_FILE: &str = "result.json";

/// The files of one student, paths relative to the output folder.
pub fn student_files(r: &StudentRecord) -> Result<Vec<(PathBuf, Vec<u8>)>, GradeError> {
    let dir = Path::new(STUDENTS_DIR).join(&r.student);
    let labs = std::slice::from_ref(&r.lab);
    let run = [Report::student(&r.student, labs)];
    let mut result = serde_json::to_vec_pretty(r)?;
    result.push(b'\n');
    Ok(vec![
        (dir.join(RESULT_FILE), result),
        (dir.join("feedback.md"), Markdown.serialize(&run)?),
        (dir.join("report.html"), Html.serialize(&run)?),
        (
            dir.join("results.json"),
            Gradescope::default().serialize(&run)?,
        ),
    ])
}

/// Every `students/*/result.json` under `out`, sorted by student id.
pub fn load_records(out: &Path) -> Result<Vec<StudentRecord>, GradeError> {
    let dir = out.join(STUDENTS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut records = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path().join(RESULT_FILE);
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read(&path).map_err(|source| GradeError::ReadRecord {
            path: path.clone(),
            source,
        })?;
        let record: StudentRecord = serde_json::from_slice(&text)
            .map_err(|source| GradeError::ParseRecord { path, source })?;
        records.push(record);
    }
    records.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(records)
}

/// The class files, paths relative to the output folder.
pub fn class_files(records: &[StudentRecord]) -> Result<Vec<(PathBuf, Vec<u8>)>, GradeError> {
    let runs: Vec<Report<'_>> = records
        .iter()
        .map(|r| Report::student(&r.student, std::slice::from_ref(&r.lab)))
        .collect();
    Ok(vec![
        (
            PathBuf::from("grades.csv"),
            Gradebook::default().serialize(&runs)?,
        ),
        (PathBuf::from("summary.json"), Json.serialize(&runs)?),
        (PathBuf::from("junit.xml"), Junit.serialize(&runs)?),
    ])
}
