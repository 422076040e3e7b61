//! A scenario's checks: verdict, points, measured against expected, and the
//! explanation that goes with the result (a failed check's explanation says
//! that the measurement contradicts the expectation; it is marked as such).

use std::fmt::Write as _;

use netlab_lab::Metric;
use netlab_lab::results::{CheckResult, CheckStatus, ProbeRun, Stats};

use super::escape::esc;
use crate::fmt::{micros, percent, points, wire_name};
use crate::rtt;

/// The class every status is styled by: its JSON name (`pass`, `infra_error`, ...).
pub fn status_class(status: CheckStatus) -> &'static str {
    status.name()
}

/// `<span class="status fail">FAIL</span>`
pub fn badge(status: CheckStatus) -> String {
    format!(
        "<span class=\"status {}\">{}</span>",
        status_class(status),
        status.label()
    )
}

pub fn table(out: &mut String, checks: &[CheckResult]) {
    if checks.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"checks\">\n<thead><tr><th>Result</th><th>Check</th><th>Points</th>\
         <th>Measured</th><th>Expected</th><th>Explanation</th></tr></thead>\n<tbody>\n",
    );
    for c in checks {
        let contradiction = if c.status == CheckStatus::Fail {
            " contradiction"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<tr class=\"check {}\"><td>{}</td><td>{}</td><td class=\"num\">{}/{}</td>\
             <td class=\"measured\">{}</td><td>{}</td><td class=\"explain{contradiction}\">{}</td></tr>",
            status_class(c.status),
            badge(c.status),
            esc(&c.name),
            points(c.earned),
            points(c.points),
            esc(&c.measured),
            esc(&c.expected),
            esc(&c.explanation)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// One row per probe set: what was sent and what came back, and the
/// application's round trip next to the wire's.
pub fn probes(out: &mut String, probes: &[ProbeRun]) {
    if probes.is_empty() {
        return;
    }
    out.push_str(
        "<table class=\"probes\">\n<thead><tr><th>Probe</th><th>Path</th><th>Sent</th>\
         <th>Received</th><th>Loss</th><th>Outcomes</th><th>App RTT p50 / p90</th>\
         <th>Wire RTT p50 / p90<div class=\"muted\">kernel time stamps</div></th>\
         <th>App − wire<div class=\"muted\">the client's own share</div></th></tr></thead>\n<tbody>\n",
    );
    for p in probes {
        let mut path = format!("{} {} → {}", wire_name(&p.proto), p.from, p.target);
        if let Some(nodes) = crate::fmt::nodes_crossed(p) {
            path = format!("{path}, {nodes}");
        }
        let (sent, received, loss, outcomes) = match &p.summary {
            Some(s) => (
                s.sent.to_string(),
                s.received.to_string(),
                percent(s.loss_pct),
                s.outcomes
                    .iter()
                    .map(|(o, n)| format!("{} {n}", wire_name(o)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => {
                let why = match &p.not_run {
                    Some(why) => format!("not run: {why}"),
                    None => "no summary".into(),
                };
                ("-".into(), "-".into(), "-".into(), why)
            }
        };
        let mut trouble = String::new();
        if p.deadline_hit {
            trouble.push_str("; stopped by the scenario deadline");
        }
        if let Some(e) = &p.infra_error {
            let _ = write!(trouble, "; could not run: {e}");
        }
        let (app, wire, gap) = app_and_wire(p);
        let _ = writeln!(
            out,
            "<tr data-probe=\"{}\"><td>{}</td><td>{}</td><td class=\"num\">{sent}</td><td class=\"num\">{received}</td>\
             <td class=\"num\">{loss}</td><td>{}</td><td class=\"num app\">{}</td>\
             <td class=\"num wire\">{}</td><td class=\"num gap\">{}</td></tr>",
            esc(&p.id),
            esc(&p.id),
            esc(&path),
            esc(&format!("{outcomes}{trouble}")),
            esc(&app),
            esc(&wire),
            esc(&gap)
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The app cell (`request 160 µs / 200 µs` for TCP, the series the wire
/// compares with), the wire cell, and the median gap; `-` without replies,
/// `not available` without stamps.
fn app_and_wire(p: &ProbeRun) -> (String, String, String) {
    let rows = rtt::rows(p);
    let app_series = rtt::app_series(p.proto);
    let pair = |s: &Stats| format!("{} / {}", micros(s.p50_us), micros(s.p90_us));
    let app = rows
        .iter()
        .find(|r| r.series == app_series)
        .and_then(|r| r.stats)
        .map_or_else(
            || "-".to_owned(),
            |s| format!("{} {}", app_series.name(), pair(s)),
        );
    let wire = match rows.iter().find(|r| r.series == Metric::Wire) {
        None => "-".to_owned(),
        Some(r) => r.stats.map_or_else(|| rtt::NOT_AVAILABLE.to_owned(), pair),
    };
    let gap = match rtt::gap(p) {
        None => "-".to_owned(),
        Some(Err(_)) => rtt::NOT_AVAILABLE.to_owned(),
        Some(Ok(g)) => micros(g.gap_us),
    };
    (app, wire, gap)
}
