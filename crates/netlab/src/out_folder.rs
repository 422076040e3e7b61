//! `netlab grade`'s output folder: the records of every student graded into
//! it (read once at the start, so `--only` regrades merge into the same
//! gradebook), each student's files written as soon as that student is
//! graded, and the class files rewritten from the records in memory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::anyhow;
use netlab_grade::{GradeError, StudentRecord, files};
use netlab_report::{Options, Report};

use crate::export::ExportManager;
use crate::output;

pub struct OutFolder {
    dir: PathBuf,
    options: Options,
    records: BTreeMap<String, StudentRecord>,
}

impl OutFolder {
    /// Reads the records an earlier batch left in `dir` (none when it does
    /// not exist yet).
    pub fn open(dir: &Path, options: Options) -> anyhow::Result<OutFolder> {
        let mut records = BTreeMap::new();
        if let Ok(entries) = std::fs::read_dir(dir.join(files::STUDENTS_DIR)) {
            for entry in entries.flatten() {
                let path = entry.path().join(files::RESULT_FILE);
                if !path.is_file() {
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|source| GradeError::ReadRecord {
                    path: path.clone(),
                    source,
                })?;
                let record = files::parse_record(&bytes, &path)?;
                records.insert(record.student.clone(), record);
            }
        }
        Ok(OutFolder {
            dir: dir.to_owned(),
            options,
            records,
        })
    }

    /// Writes the student's record and files, then the class files.
    pub fn add(&mut self, record: StudentRecord) -> anyhow::Result<()> {
        let id = record.student.clone();
        output::write_file(
            &self.dir.join(files::record_path(&id)),
            &files::record_bytes(&record).map_err(|e| anyhow!(e))?,
        )?;
        let mut student = ExportManager::new(self.options.clone());
        for (format, path) in files::student_files(&id) {
            student.add(format, Some(self.dir.join(path)));
        }
        student.write(&[Report::student(&id, std::slice::from_ref(&record.lab))])?;
        self.records.insert(id, record);
        let class: Vec<Report<'_>> = self
            .records
            .values()
            .map(|r| Report::student(&r.student, std::slice::from_ref(&r.lab)))
            .collect();
        let mut exports = ExportManager::new(self.options.clone());
        for (format, name) in files::CLASS_FILES {
            exports.add(format, Some(self.dir.join(name)));
        }
        exports.write(&class)
    }
}
