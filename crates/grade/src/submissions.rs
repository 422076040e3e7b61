//! Finding the submissions: each sub-folder of the submissions folder is one
//! student, named by the folder. Files and hidden folders are skipped; ids are
//! sorted so every batch grades (and lists) them in the same order.

use std::path::{Path, PathBuf};

use crate::GradeError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The student's id: the folder's name.
    pub id: String,
    /// The folder, absolute (it is bind-mounted into the role containers).
    pub dir: PathBuf,
}

pub fn discover(dir: &Path) -> Result<Vec<Submission>, GradeError> {
    let read_err = |source| GradeError::ReadSubmissions {
        path: dir.to_owned(),
        source,
    };
    let base = std::fs::canonicalize(dir).map_err(read_err)?;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&base).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let Some(id) = entry.file_name().to_str().map(str::to_owned) else {
            continue; // not UTF-8: cannot be a gradebook id
        };
        if id.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        out.push(Submission {
            id,
            dir: entry.path(),
        });
    }
    if out.is_empty() {
        return Err(GradeError::NoSubmissions {
            path: dir.to_owned(),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// One folder graded on its own (`--submission DIR`): the folder's name is
/// the id.
pub fn one(dir: &Path) -> Result<Submission, GradeError> {
    let read_err = |source| GradeError::ReadSubmissions {
        path: dir.to_owned(),
        source,
    };
    let dir = std::fs::canonicalize(dir).map_err(read_err)?;
    if !dir.is_dir() {
        return Err(read_err(std::io::Error::other("not a folder")));
    }
    let id = dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("submission")
        .to_owned();
    Ok(Submission { id, dir })
}

/// The submissions named in `only` (all when empty); an unknown id is an error.
pub fn select(
    all: Vec<Submission>,
    only: &[String],
    dir: &Path,
) -> Result<Vec<Submission>, GradeError> {
    if only.is_empty() {
        return Ok(all);
    }
    for id in only {
        if !all.iter().any(|s| &s.id == id) {
            let known: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
            return Err(GradeError::UnknownStudent {
                id: id.clone(),
                path: dir.to_owned(),
                known: known.join(", "),
            });
        }
    }
    Ok(all.into_iter().filter(|s| only.contains(&s.id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_sorted_files_and_hidden_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        for d in ["s2", "s1", ".git"] {
            std::fs::create_dir(tmp.path().join(d)).unwrap();
        }
        std::fs::write(tmp.path().join("README.md"), "x").unwrap();
        let subs = discover(tmp.path()).unwrap();
        let ids: Vec<&str> = subs.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["s1", "s2"]);
        assert!(subs[0].dir.is_absolute());
        let one = select(subs.clone(), &["s2".into()], tmp.path()).unwrap();
        assert_eq!(one.len(), 1);
        let err = select(subs, &["nobody".into()], tmp.path()).unwrap_err();
        assert!(err.to_string().contains("known ids: s1, s2"), "{err}");
    }

    #[test]
    fn empty_folder_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = discover(tmp.path()).unwrap_err();
        assert!(matches!(err, GradeError::NoSubmissions { .. }));
    }
}
