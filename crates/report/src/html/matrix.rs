//! The outcome matrix of a lab like Task 4 ([`crate::view::matrix`]) as a
//! table: each cell says what the client saw, after how long, and why (the
//! outcome checks' verdicts and explanations), then what other systems show
//! there, labelled as cited.

use std::fmt::Write as _;

use super::checks::{badge, status_class};
use super::escape::esc;
use crate::cited;
use crate::view::{Matrix, MatrixCell};

pub fn matrix(out: &mut String, m: &Matrix<'_>) {
    out.push_str(
        "<h3 id=\"outcomes\">Outcome matrix: what the client saw, after how long, and why</h3>\n\
         <table class=\"matrix\">\n<thead><tr><th>Case</th>",
    );
    for c in &m.columns {
        let _ = write!(out, "<th>{}", esc(c.id));
        if !c.what.is_empty() {
            let _ = write!(out, "<div class=\"muted\">{}</div>", esc(&c.what));
        }
        out.push_str("</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &m.rows {
        let _ = write!(
            out,
            "<tr><td class=\"case\">{}<div class=\"muted\">{}</div></td>",
            esc(&row.scenario.title),
            esc(&row.scenario.name)
        );
        for (col, cell) in m.columns.iter().zip(&row.cells) {
            match cell {
                None => out.push_str("<td class=\"cell\">—</td>"),
                Some(c) => cell_html(out, col.id, c),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    if m.cites() {
        let _ = writeln!(
            out,
            "<p class=\"cited-legend\">{}</p>",
            esc(&cited::legend())
        );
    }
}

fn cell_html(out: &mut String, id: &str, c: &MatrixCell<'_>) {
    let _ = write!(
        out,
        "<td class=\"cell {}\" data-probe=\"{}\"><div class=\"saw\">{}</div>",
        status_class(c.status),
        esc(id),
        esc(&c.saw)
    );
    if !c.after.is_empty() {
        let _ = write!(out, "<div class=\"after\">{}</div>", esc(&c.after));
    }
    for check in &c.checks {
        let _ = write!(
            out,
            "<div class=\"why\">{} {}",
            badge(check.status),
            esc(&check.explanation)
        );
        if check.explanation.trim().is_empty() {
            out.push_str(&esc(&check.name));
        }
        out.push_str("</div>");
    }
    if let Some(row) = c.cited {
        let _ = write!(
            out,
            "<div class=\"cited\"><div class=\"label\">{}</div><ul>",
            cited::LABEL
        );
        for line in cited::systems(row) {
            let _ = write!(out, "<li>{}</li>", esc(&line));
        }
        let _ = write!(
            out,
            "</ul><div class=\"muted\">{}</div></div>",
            esc(row.note)
        );
    }
    out.push_str("</td>");
}
