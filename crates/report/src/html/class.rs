//! The class page of `netlab grade` (`class.html`), for the instructor: the
//! score distribution as a histogram, the pass rate of each check (which part
//! of the lab the class missed), the students whose grading hit an
//! infrastructure error, and a link to each student's page. Self-contained
//! like every page: inline CSS and SVG, no script.

use std::fmt::Write as _;

use netlab_lab::results::{CheckStatus, Totals};

use super::checks::badge;
use super::escape::esc;
use super::style;
use crate::fmt::{percent, points};
use crate::{Exporter, Report, ReportError};

/// One page over every student's report; each report must name its student.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClassPage;

/// Where a student's own page is, relative to the class page.
pub fn student_page(id: &str) -> String {
    format!("students/{id}/report.html")
}

impl ClassPage {
    pub fn render(&self, reports: &[Report<'_>]) -> Result<String, ReportError> {
        let mut students = Vec::new();
        for (index, r) in reports.iter().enumerate() {
            let id = r.student.ok_or(ReportError::MissingStudent { index })?;
            students.push((id, r.totals(), r));
        }
        let mut body =
            String::from("<article class=\"run\">\n<header><h1>netlab class report</h1>\n");
        let all = Totals::of(reports.iter().flat_map(|r| r.labs));
        let _ = writeln!(
            body,
            "<p class=\"meta\">{} student(s) · {} check result(s) · {} passed</p></header>",
            students.len(),
            all.checks,
            all.passed
        );
        histogram(&mut body, &students);
        pass_rates(&mut body, reports);
        infra(&mut body, &students);
        roster(&mut body, &students);
        body.push_str("</article>\n");
        Ok(style::document("netlab class report", &body))
    }
}

impl Exporter for ClassPage {
    fn serialize(&self, reports: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        Ok(self.render(reports)?.into_bytes())
    }
}

type Student<'r, 'a> = (&'a str, Totals, &'r Report<'a>);

/// Ten bins of the score as a share of the maximum, as SVG bars with their
/// counts written on them.
fn histogram(out: &mut String, students: &[Student<'_, '_>]) {
    const BINS: usize = 10;
    let mut counts = [0usize; BINS];
    for (_, t, _) in students {
        let share = if t.max_score > 0.0 {
            t.score / t.max_score
        } else {
            0.0
        };
        counts[((share * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, left, bottom) = (640.0, 220.0, 40.0, 30.0);
    let bar = (w - left) / BINS as f64;
    out.push_str("<h2>Score distribution</h2>\n");
    let _ = write!(
        out,
        "<svg class=\"histogram\" viewBox=\"0 0 {w} {}\" width=\"{w}\" role=\"img\" \
         aria-label=\"number of students per score band\">",
        h + bottom
    );
    for (i, n) in counts.iter().enumerate() {
        let bh = (h - 20.0) * *n as f64 / most as f64;
        let x = left + i as f64 * bar;
        let _ = write!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" fill=\"#0072B2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"13\" text-anchor=\"middle\">{n}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}–{}</text>",
            x + 2.0,
            h - bh,
            bar - 4.0,
            x + bar / 2.0,
            h - bh - 4.0,
            x + bar / 2.0,
            h + 18.0,
            i * 10,
            (i + 1) * 10
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{left}\" y1=\"{h}\" x2=\"{w}\" y2=\"{h}\" stroke=\"#57606a\"/></svg>\n\
         <p class=\"meta\">Students per band of the score, in % of the maximum.</p>\n"
    );
}

/// Per check (`scenario/check`, in the order checks first appear): how many
/// students passed it, of those graded (infrastructure errors are not grades).
fn pass_rates(out: &mut String, reports: &[Report<'_>]) {
    let mut rows: Vec<(String, usize, usize, usize)> = Vec::new();
    for r in reports {
        for lab in r.labs {
            for s in &lab.scenarios {
                for c in &s.checks {
                    let key = format!("{}/{}", s.name, c.name);
                    let i = match rows.iter().position(|row| row.0 == key) {
                        Some(i) => i,
                        None => {
                            rows.push((key, 0, 0, 0));
                            rows.len() - 1
                        }
                    };
                    match c.status {
                        CheckStatus::InfraError => rows[i].3 += 1,
                        CheckStatus::Pass => {
                            rows[i].1 += 1;
                            rows[i].2 += 1;
                        }
                        _ => rows[i].2 += 1,
                    }
                }
            }
        }
    }
    out.push_str(
        "<h2>Pass rate per check</h2>\n<p class=\"meta\">Lowest first: the parts of the lab \
         the class missed.</p>\n<table class=\"rates\"><thead><tr><th>check</th>\
         <th>passed</th><th>rate</th><th>not graded</th></tr></thead><tbody>\n",
    );
    rows.sort_by(|a, b| rate(a).total_cmp(&rate(b)).then_with(|| a.0.cmp(&b.0)));
    for (key, passed, graded, infra) in &rows {
        let pct = rate(&(String::new(), *passed, *graded, 0)) * 100.0;
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{passed}/{graded}</td><td>\
             <span class=\"barbox\"><span class=\"bar\" style=\"width:{:.0}%\"></span></span> {}</td><td class=\"num\">{infra}</td></tr>",
            esc(key),
            pct,
            percent(pct)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn rate(row: &(String, usize, usize, usize)) -> f64 {
    if row.2 == 0 {
        0.0
    } else {
        row.1 as f64 / row.2 as f64
    }
}

fn infra(out: &mut String, students: &[Student<'_, '_>]) {
    let hit: Vec<&Student<'_, '_>> = students
        .iter()
        .filter(|(_, t, _)| t.infra_errors > 0)
        .collect();
    out.push_str("<h2>Infrastructure errors</h2>\n");
    if hit.is_empty() {
        out.push_str("<p>None: every check of every student was graded.</p>\n");
        return;
    }
    out.push_str(
        "<p>These students have checks netlab could not grade (they cost no points; regrade \
         them with <code>--only ID</code>):</p>\n<ul>\n",
    );
    for (id, t, _) in hit {
        let _ = writeln!(
            out,
            "<li><a href=\"{}\">{}</a>: {} check(s) {}</li>",
            esc(&student_page(id)),
            esc(id),
            t.infra_errors,
            badge(CheckStatus::InfraError)
        );
    }
    out.push_str("</ul>\n");
}

fn roster(out: &mut String, students: &[Student<'_, '_>]) {
    out.push_str(
        "<h2>Students</h2>\n<table><thead><tr><th>student</th><th>score</th>\
         <th>checks passed</th></tr></thead><tbody>\n",
    );
    for (id, t, _) in students {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td class=\"num\">{}/{}</td><td class=\"num\">{}/{}</td></tr>",
            esc(&student_page(id)),
            esc(id),
            points(t.score),
            points(t.max_score),
            t.passed,
            t.checks
        );
    }
    out.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn shows_distribution_rates_infra_errors_and_links() {
        let labs = fixtures::labs();
        let reports = [
            Report::student("alice", &labs),
            Report::student("bob", &labs),
        ];
        let page = ClassPage.render(&reports).unwrap();
        assert!(page.contains("<svg class=\"histogram\""));
        assert!(page.contains("Pass rate per check"));
        assert!(page.contains("href=\"students/alice/report.html\""));
        // The fixture has a check not graded for infrastructure reasons.
        assert!(
            page.contains("check(s) <span class=\"status infra_error\">"),
            "{page}"
        );
        assert!(!page.contains("<script"));
        let err = ClassPage.render(&[Report::new(&labs)]).unwrap_err();
        assert!(matches!(err, ReportError::MissingStudent { index: 0 }));
    }
}
