//! One self-contained HTML page per run (inline CSS and SVG, no script, no
//! external asset), for a projector or a student's feedback: per lab the
//! score, the outcome matrix when the lab has outcome checks, and per
//! scenario the parts of [`crate::view`]: checks, probes and RTT plots,
//! program runs, the capture, notes.

mod capture;
mod checks;
mod class;
mod escape;
mod matrix;
mod plot;
mod program;
mod style;

use std::fmt::Write as _;

use netlab_lab::results::{LabResult, ScenarioResult};

pub use self::class::{ClassPage, student_page};
use self::escape::{esc, paragraphs, slug};
use crate::fmt::{millis, score_line};
use crate::view::{self, Part};
use crate::{Exporter, Report, ReportError};

/// Several runs (students) make one document with one `<article>` each,
/// each starting on a new printed page; `netlab grade` renders one run per
/// file.
#[derive(Debug, Clone, Copy, Default)]
pub struct Html;

impl Html {
    pub fn render(&self, runs: &[Report<'_>]) -> String {
        let title = match runs {
            [run] => heading(run),
            _ => "netlab report".to_owned(),
        };
        let body: String = runs.iter().map(article).collect();
        style::document(&title, &body)
    }
}

impl Exporter for Html {
    fn serialize(&self, runs: &[Report<'_>]) -> Result<Vec<u8>, ReportError> {
        Ok(self.render(runs).into_bytes())
    }
}

fn heading(run: &Report<'_>) -> String {
    match run.student {
        Some(id) => format!("netlab feedback: {id}"),
        None => "netlab report".to_owned(),
    }
}

fn article(run: &Report<'_>) -> String {
    let totals = run.totals();
    let verdict = if totals.all_passed() { "pass" } else { "fail" };
    let mut out = format!(
        "<article class=\"run\">\n<header><h1>{}</h1>\n<p class=\"score {verdict}\">{}</p></header>\n",
        esc(&heading(run)),
        esc(&score_line(&totals))
    );
    for lab in run.labs {
        lab_section(&mut out, lab);
    }
    out.push_str("</article>\n");
    out
}

fn lab_section(out: &mut String, lab: &LabResult) {
    let totals = netlab_lab::results::Totals::of([lab]);
    let _ = write!(
        out,
        "<section class=\"lab\" id=\"lab-{}\">\n<h2>{}: {}</h2>\n\
         <p class=\"meta\">{} · {} · {}</p>\n",
        slug(&lab.name),
        esc(&lab.name),
        esc(&lab.title),
        esc(&lab.file),
        esc(&millis(lab.duration_ms)),
        esc(&score_line(&totals))
    );
    out.push_str(&paragraphs(&lab.description, "desc"));
    if let Some(m) = view::matrix(lab) {
        matrix::matrix(out, &m);
    }
    for s in &lab.scenarios {
        scenario_section(out, s);
    }
    out.push_str("</section>\n");
}

fn scenario_section(out: &mut String, s: &ScenarioResult) {
    let _ = write!(
        out,
        "<section class=\"scenario\" id=\"scenario-{}\">\n<h3>{}: {} \
         <span class=\"meta\">({})</span></h3>\n",
        slug(&s.name),
        esc(&s.name),
        esc(&s.title),
        esc(&millis(s.duration_ms))
    );
    out.push_str(&paragraphs(&s.description, "desc"));
    for part in view::scenario(s) {
        match part {
            Part::Failed(e) => {
                let _ = writeln!(
                    out,
                    "<div class=\"box error\"><strong>The run of this scenario failed:</strong> {}. \
                     Its checks could not be graded.</div>",
                    esc(e)
                );
            }
            Part::Checks(checks) => checks::table(out, checks),
            Part::Probes(probes) => {
                plot::plots(out, probes);
                checks::probes(out, probes);
            }
            Part::Program(r) => program::section(out, r),
            Part::Capture(c) => capture::section(out, c),
            Part::Note(n) => {
                let _ = writeln!(
                    out,
                    "<div class=\"note\"><strong>Note:</strong> {}</div>",
                    esc(n)
                );
            }
        }
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests;
