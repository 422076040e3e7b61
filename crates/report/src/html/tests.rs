use netlab_lab::results::LabResult;

use super::*;
use crate::fixtures;

fn page(labs: &[LabResult]) -> String {
    Html.render(&[Report::new(labs)])
}

/// The part of `html` between the first `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in\n{html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |i| i + end.len())]
}

#[test]
fn page_is_self_contained_and_complete() {
    let labs = fixtures::labs();
    let html = page(&labs);
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
        "{html}"
    );
    assert!(html.trim_end().ends_with("</html>"));
    for banned in ["<script", "<link", "src=", "url(", "@import", "https:"] {
        assert!(
            !html.contains(banned),
            "external or active content {banned:?}"
        );
    }
    assert!(html.contains("<title>netlab report</title>"));
    assert!(html.contains("<p class=\"score fail\">score 4/10 — 2/5 checks passed</p>"));
    assert!(html.contains("<h2>task3: UDP vs TCP</h2>"));
    assert!(html.contains("labs/task3.yaml · 2.20 s"));
    assert!(html.contains("<h3>udp-vs-tcp: UDP against TCP"));
    assert!(html.contains("<strong>Note:</strong> netem unsupported here"));
    assert!(
        html.contains("The run of this scenario failed:</strong> client container exited early.")
    );
    assert!(
        html.contains(
            "stopped by the scenario deadline; could not run: exec failed: container gone"
        )
    );
}

#[test]
fn checks_table_has_a_row_per_check_with_figures() {
    let html = page(&fixtures::labs());
    assert_eq!(html.matches("<tr class=\"check ").count(), 5);
    let row = between(&html, "<tr class=\"check fail\">", "</tr>");
    assert!(
        row.contains("<span class=\"status fail\">FAIL</span>"),
        "{row}"
    );
    assert!(
        row.contains("<td>tcp slower</td><td class=\"num\">0/3</td>"),
        "{row}"
    );
    assert!(row.contains(
        "<td class=\"measured\">measured for tcp slower</td><td>expected for tcp slower</td>"
    ));
    assert!(
        row.contains("<td class=\"explain contradiction\">Why tcp slower"),
        "{row}"
    );
    let row = between(&html, "<tr class=\"check unsupported\">", "</tr>");
    assert!(
        row.contains("UNSUPPORTED") && row.contains("delay 50ms"),
        "{row}"
    );
    let row = between(&html, "<tr class=\"check pass\">", "</tr>");
    assert!(
        row.contains("<td class=\"explain\">"),
        "passed: no contradiction mark: {row}"
    );
}

#[test]
fn every_text_from_the_results_is_escaped() {
    let mut labs = fixtures::labs();
    let evil = "<script>alert('x')</script>\"&";
    labs[0].title = evil.into();
    labs[0].description = evil.into();
    let s = &mut labs[0].scenarios[0];
    s.notes = vec![evil.into()];
    s.probes[0].id = evil.into();
    s.probes[0].target = evil.into();
    for c in &mut s.checks {
        c.name = evil.into();
        c.measured = evil.into();
        c.explanation = evil.into();
    }
    let html = Html.render(&[Report::student(evil, &labs)]);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("alert('x')"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"));
    assert!(html.contains("<title>netlab feedback: &lt;script&gt;"));
    // Escaped inside the SVG too (legend and data attributes).
    let svg = between(&html, "<svg", "</svg>");
    assert!(svg.contains("data-series=\"&lt;script&gt;"), "{svg}");
}

#[test]
fn rtt_plots_have_one_curve_and_one_bar_per_probe_set() {
    let html = page(&fixtures::labs());
    let scenario = between(
        &html,
        "<section class=\"scenario\" id=\"scenario-udp-vs-tcp\">",
        "</section>",
    );
    assert_eq!(scenario.matches("<svg ").count(), 2, "CDF and breakdown");
    let cdf = between(scenario, "<figure class=\"cdf\">", "</figure>");
    assert_eq!(cdf.matches("<g class=\"series\"").count(), 2);
    assert_eq!(cdf.matches("<path ").count(), 2);
    assert!(cdf.contains("data-series=\"udp rtt\"") && cdf.contains("data-series=\"tcp rtt\""));
    // UDP 120/240/360 µs: median 240 µs; both on one x axis up to 1 ms
    // (TCP's p99 is 750 µs).
    assert!(cdf.contains("udp rtt: median 240 µs, 3 probes"), "{cdf}");
    assert!(cdf.contains(">1.00 ms</text>"), "{cdf}");
    let bars = between(scenario, "<figure class=\"breakdown\">", "</figure>");
    assert_eq!(bars.matches("<g class=\"bar\"").count(), 2);
    let tcp = between(bars, "<g class=\"bar\" data-probe=\"tcp\">", "</g>");
    assert_eq!(tcp.matches("<rect ").count(), 2, "{tcp}");
    assert!(tcp.contains("class=\"connect\"") && tcp.contains("class=\"request\""));
    assert!(
        tcp.contains("tcp: connect 90.0 µs + request 160 µs (total median 500 µs)"),
        "{tcp}"
    );
    let udp = between(bars, "<g class=\"bar\" data-probe=\"udp\">", "</g>");
    assert_eq!(udp.matches("<rect ").count(), 1);
    // No reply, no plot: the fault scenario has none.
    let fault = between(&html, "id=\"scenario-port-closed\"", "</section>");
    assert!(!fault.contains("<svg"));
}

#[test]
fn app_and_wire_rtt_share_the_axes_and_the_probe_table() {
    let html = page(&fixtures::wire_labs());
    let cdf = between(&html, "<figure class=\"cdf\">", "</figure>");
    // Each probe set: its app curve (solid) and its wire curve (dashed, same colour).
    assert_eq!(cdf.matches("<g class=\"series\"").count(), 4, "{cdf}");
    let udp_wire = between(cdf, "data-series=\"udp wire\"", "</g>");
    assert!(udp_wire.contains("stroke-dasharray=\"7 4\""), "{udp_wire}");
    assert!(
        udp_wire.contains("udp wire: median 50.0 µs, 2 probes"),
        "{udp_wire}"
    );
    let udp_app = between(cdf, "data-series=\"udp rtt\"", "</g>");
    assert!(!udp_app.contains("dasharray=\"7 4\""), "{udp_app}");
    assert!(cdf.contains("data-series=\"tcp wire\""));
    assert!(cdf.contains("dashed: the wire, from the kernel's time stamps"));
    let row = between(&html, "<tr data-probe=\"udp\">", "</tr>");
    assert!(
        row.contains(
            "<td class=\"num app\">rtt 130 µs / 160 µs</td><td class=\"num wire\">60.0 µs / 90.0 µs</td>\
             <td class=\"num gap\">70.0 µs</td>"
        ),
        "{row}"
    );
    let row = between(&html, "<tr data-probe=\"tcp\">", "</tr>");
    assert!(
        row.contains("<td class=\"num app\">request 170 µs / 200 µs</td>"),
        "{row}"
    );
    // Without stamps: no dashed curve, and the table says so.
    let plain = page(&fixtures::labs());
    assert!(!plain.contains("data-series=\"udp wire\""));
    let row = between(&plain, "<tr data-probe=\"udp\">", "</tr>");
    assert!(
        row.contains(
            "<td class=\"num wire\">not available</td><td class=\"num gap\">not available</td>"
        ),
        "{row}"
    );
}

#[test]
fn outcome_matrix_has_a_cell_per_case_and_protocol() {
    let html = page(&fixtures::outcome_lab());
    let m = between(&html, "<table class=\"matrix\">", "</table>");
    assert!(
        m.contains(
            "<th>Case</th><th>udp<div class=\"muted\">UDP, connected socket</div></th>\
             <th>tcp<div class=\"muted\">TCP</div></th>\
             <th>udp-unconnected<div class=\"muted\">UDP, unconnected socket</div></th>"
        ),
        "{m}"
    );
    assert_eq!(m.matches("<tr><td class=\"case\">").count(), 2, "{m}");
    assert!(m.contains("<div class=\"saw\">ok 3/3</div>"), "{m}");
    assert!(m.contains("Port closed<div class=\"muted\">port-closed</div>"));
    let port_closed = between(m, "Port closed", "</tr>");
    let tcp = between(port_closed, "data-probe=\"tcp\">", "</td>");
    assert!(
        tcp.contains("<div class=\"saw\">refused 3/3</div>"),
        "{tcp}"
    );
    assert!(
        tcp.contains("<div class=\"after\">after 400 µs (median of 3)</div>"),
        "{tcp}"
    );
    assert!(
        tcp.contains("PASS</span> The kernel answers the SYN with RST."),
        "{tcp}"
    );
    let udp_cell = between(
        port_closed,
        "<td class=\"cell fail\" data-probe=\"udp\">",
        "</td>",
    );
    assert!(udp_cell.contains("refused 2/3, timeout 1/3"), "{udp_cell}");
    assert!(
        udp_cell.contains("FAIL</span> Measured 2/3 refused contradicts"),
        "{udp_cell}"
    );
    // The handout's client: measured on Linux, then what Windows would say
    // there, labelled as cited.
    let handout = between(port_closed, "data-probe=\"udp-unconnected\">", "</td>");
    assert!(
        handout.contains("<div class=\"saw\">timeout 3/3</div>"),
        "{handout}"
    );
    let cited = between(handout, "<div class=\"cited\">", "</ul>");
    assert!(
        cited.contains("<div class=\"label\">cited, not measured</div>"),
        "{cited}"
    );
    assert!(
        cited.contains("<li>Linux: no error (waits)</li>"),
        "{cited}"
    );
    assert!(
        cited.contains("<li>Windows: WSAECONNRESET (10054)</li>"),
        "{cited}"
    );
    assert!(
        between(tcp, "<div class=\"cited\">", "</ul>")
            .contains("<li>Windows: WSAECONNREFUSED (10061)</li>")
    );
    // No case, nothing to cite: the comparison scenario's cells.
    let compare = between(m, "data-probe=\"udp\">", "</td>");
    assert!(!compare.contains("class=\"cited\""), "{compare}");
    assert!(
        html.contains("<p class=\"cited-legend\">cited, not measured: what the same client"),
        "the legend says where the figures come from"
    );
    // One case is no matrix (Task 3 checks that probes were answered).
    let mut labs = fixtures::outcome_lab();
    labs[0].scenarios.truncate(1);
    assert!(!page(&labs).contains("class=\"matrix\""));
}

#[test]
fn several_runs_make_one_article_each() {
    let labs = fixtures::labs();
    let html = Html.render(&[
        Report::student("alice", &labs),
        Report::student("bob", &labs),
    ]);
    assert_eq!(html.matches("<article class=\"run\">").count(), 2);
    assert!(html.contains("<h1>netlab feedback: alice</h1>"));
    assert!(html.contains("<h1>netlab feedback: bob</h1>"));
    assert!(html.contains("<title>netlab report</title>"));
}

#[test]
fn the_packets_behind_a_scenario_are_on_the_page() {
    let mut labs = fixtures::labs();
    labs[0].scenarios[0].capture = Some(fixtures::capture_syn_rst());
    let html = page(&labs);
    let wire = between(&html, "<pre class=\"wire\">", "</pre>");
    assert!(
        wire.contains("tcp 10.0.0.2:40000 → 10.0.0.3:9000 @0 ms: → SYN, ← RST"),
        "{wire}"
    );
    assert!(html.contains("captured on server"));
    assert!(html.contains("netlab-captures/task3-port-closed.pcap"));
}
