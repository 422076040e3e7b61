//! The gradebook of `netlab grade`: one row per student, the total and one
//! column per check, for import into Moodle or Canvas (docs/reports.md).

use netlab_lab::results::{CheckStatus, LabResult};

use crate::fmt::points;
use crate::{Exporter, Report, ReportError};

/// Column layout of the gradebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GradebookLayout {
    /// `student,total,<scenario>/<check>...`: Moodle's CSV import maps the
    /// `student` column to a user field and any other column to grade items.
    #[default]
    Plain,
    /// Canvas's gradebook columns `Student,ID,SIS User ID,SIS Login ID,Section`
    /// (the student id goes to `SIS Login ID`), then `total` and the checks,
    /// with a `Points Possible` row first.
    Canvas,
}

/// Check columns are `<scenario>/<check>` (prefixed `<lab>/` when the class
/// spans several labs), in the order checks first appear; a student without
/// a check scores 0 in its column; a check not graded (`infra_error`) leaves its
/// cell and the total empty. Numbers use a dot and at most 2 decimals.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gradebook {
    pub layout: GradebookLayout,
}

/// One check column: where it comes from, its header and its points.
struct Column {
    key: (String, String, String),
    header: String,
    points: f64,
}

fn columns(runs: &[Report<'_>]) -> Vec<Column> {
    let labs: Vec<&LabResult> = runs.iter().flat_map(|r| r.labs).collect();
    let several_labs = labs.iter().any(|l| l.name != labs[0].name);
    let mut cols: Vec<Column> = Vec::new();
    for lab in labs {
        for s in &lab.scenarios {
            for c in &s.checks {
                let key = (lab.name.clone(), s.name.clone(), c.name.clone());
                if cols.iter().any(|col| col.key == key) {
                    continue;
                }
                let base = if several_labs {
                    format!("{}/{}/{}", lab.name, s.name, c.name)
                } else {
                    format!("{}/{}", s.name, c.name)
                };
                let mut header = base.clone();
                let mut n = 2;
                while cols.iter().any(|col| col.header == header) {
                    header = format!("{base} #{n}");
                    n += 1;
                }
                cols.push(Column {
                    key,
                    header,
                    points: c.points,
                });
            }
        }
    }
    cols
}

/// Points earned in a column, as the cell shows them: empty when the check
/// was not graded (`infra_error`), so an ungraded student is visible and an
/// import leaves that grade unset instead of writing a 0.
fn earned(run: &Report<'_>, key: &(String, String, String)) -> String {
    let check = run
        .labs
        .iter()
        .filter(|l| l.name == key.0)
        .flat_map(|l| &l.scenarios)
        .filter(|s| s.name == key.1)
        .flat_map(|s| &s.checks)
        .find(|c| c.name == key.2);
    match check {
        Some(c) if c.status == CheckStatus::InfraError => String::new(),
        Some(c) => points(c.earned),
        None => points(0.0),
    }
}

/// The total, empty when some check was not graded.
fn total(run: &Report<'_>) -> String {
    let t = run.totals();
    if t.infra_errors > 0 {
        String::new()
    } else {
        points(t.score)
    }
}

impl Exporter for Gradebook {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        let cols = columns(runs);
        let ids: Vec<&str> = runs
            .iter()
            .enumerate()
            .map(|(index, r)| r.student.ok_or(ReportError::MissingStudent { index }))
            .collect::<Result<_, _>>()?;
        let lead: &[&str] = match self.layout {
            GradebookLayout::Plain => &["student"],
            GradebookLayout::Canvas => &["Student", "ID", "SIS User ID", "SIS Login ID", "Section"],
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let header = lead
            .iter()
            .copied()
            .chain(["total"])
            .chain(cols.iter().map(|c| c.header.as_str()));
        w.write_record(header)?;
        if self.layout == GradebookLayout::Canvas {
            let max: f64 = cols.iter().map(|c| c.points).sum();
            let row = ["Points Possible", "", "", "", ""]
                .map(String::from)
                .into_iter()
                .chain([points(max)])
                .chain(cols.iter().map(|c| points(c.points)));
            w.write_record(row)?;
        }
        for (run, id) in runs.iter().zip(ids) {
            let lead = match self.layout {
                GradebookLayout::Plain => vec![id.to_string()],
                GradebookLayout::Canvas => [id, "", "", id, ""].map(String::from).to_vec(),
            };
            let row = lead
                .into_iter()
                .chain([total(run)])
                .chain(cols.iter().map(|c| earned(run, &c.key)));
            w.write_record(row)?;
        }
        w.flush().map_err(::csv::Error::from)?;
        Ok(w.into_inner()
            .map_err(|e| ::csv::Error::from(e.into_error()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }

    #[test]
    fn round_trips_with_quoting_and_stable_columns() {
        let labs = fixtures::labs();
        let mut partial = fixtures::labs();
        partial[0].scenarios.truncate(1);
        partial[0].scenarios[0].checks[0].earned = 1.5;
        let runs = [
            Report::student("alice", &labs),
            Report::student("o'neil, b", &partial),
        ];
        let bytes = Gradebook::default().serialize(&runs).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            text.starts_with("student,total,udp-vs-tcp/udp replies,udp-vs-tcp/tcp replies,"),
            "{text}"
        );
        assert!(
            text.contains(r#""port-closed/refused, ""RST"" | <fast>""#),
            "{text}"
        );
        let rows = read(&bytes);
        assert_eq!(
            rows,
            [
                vec![
                    "student",
                    "total",
                    "udp-vs-tcp/udp replies",
                    "udp-vs-tcp/tcp replies",
                    "udp-vs-tcp/tcp slower",
                    "port-closed/refused, \"RST\" | <fast>",
                    "port-closed/delay 50ms",
                ],
                // An ungraded check (infra_error): empty cell and total.
                vec!["alice", "", "2", "2", "0", "", "0"],
                // Missing scenario: 0 in its columns, same column order.
                vec!["o'neil, b", "3.5", "1.5", "2", "0", "0", "0"],
            ]
        );
    }

    #[test]
    fn several_labs_prefix_the_lab_name() {
        let mut labs = fixtures::labs();
        let mut other = labs[0].clone();
        other.name = "task4".into();
        labs.push(other);
        let rows = read(
            &Gradebook::default()
                .serialize(&[Report::student("a", &labs)])
                .unwrap(),
        );
        assert_eq!(rows[0].len(), 2 + 10);
        assert_eq!(rows[0][2], "task3/udp-vs-tcp/udp replies");
        assert_eq!(rows[0][7], "task4/udp-vs-tcp/udp replies");
        assert_eq!(rows[1][1], "", "a check not graded leaves the total empty");
    }

    #[test]
    fn canvas_layout_has_its_identity_columns_and_points_possible() {
        let labs = fixtures::labs();
        let g = Gradebook {
            layout: GradebookLayout::Canvas,
        };
        let rows = read(&g.serialize(&[Report::student("s123", &labs)]).unwrap());
        assert_eq!(
            rows[0][..6],
            [
                "Student",
                "ID",
                "SIS User ID",
                "SIS Login ID",
                "Section",
                "total"
            ]
        );
        assert_eq!(rows[1][..7], ["Points Possible", "", "", "", "", "10", "2"]);
        // The fixture has a check not graded (infra_error): its cell and the
        // total stay empty, so the import leaves them unset instead of 0.
        assert_eq!(rows[2][..6], ["s123", "", "", "s123", "", ""]);
        let col = rows[0]
            .iter()
            .position(|h| h.contains("refused, \"RST\""))
            .expect("column of the ungraded check");
        assert_eq!(rows[2][col], "");
    }

    #[test]
    fn a_run_without_student_is_an_error() {
        let labs = fixtures::labs();
        let err = Gradebook::default()
            .serialize(&[Report::student("a", &labs), Report::new(&labs)])
            .unwrap_err();
        assert!(
            matches!(err, ReportError::MissingStudent { index: 1 }),
            "{err}"
        );
    }
}
