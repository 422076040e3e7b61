//! The outcome matrix of a lab like Task 4 ([`crate::view::matrix`]) as a
//! table: each cell says what the client saw, after how long, and why (the
//! outcome checks' verdicts and explanations).

use std::fmt::Write as _;

use super::checks::{badge, status_class};
use super::escape::esc;
use crate::view::{Matrix, MatrixCell};

pub fn matrix(out: &mut String, m: &Matrix<'_>) {
    out.push_str(
        "<h3 id=\"outcomes\">Outcome matrix: what the client saw, after how long, and why</h3>\n\
         <table class=\"matrix\">\n<thead><tr><th>Case</th>",
    );
    for c in &m.columns {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &m.rows {
        let _ = write!(
            out,
            "<tr><td class=\"case\">{}<div class=\"muted\">{}</div></td>",
            esc(&row.scenario.title),
            esc(&row.scenario.name)
        );
        for (id, cell) in m.columns.iter().zip(&row.cells) {
            match cell {
                None => out.push_str("<td class=\"cell\">—</td>"),
                Some(c) => cell_html(out, id, c),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
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
    out.push_str("</td>");
}
