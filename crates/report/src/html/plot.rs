//! RTT plots as inline SVG, written by hand (no fonts, no dependencies):
//! the distribution (CDF) of every probe set's round trips on one pair of
//! axes, so UDP and TCP compare at a glance, each with its wire round trip
//! from the kernel's time stamps (dashed, same colour) on the same axes, so
//! the client's own share is the gap between the two; and the median TCP
//! time broken into its handshake (`connect`) and the request on the open
//! connection.

use std::fmt::Write as _;

use netlab_lab::grade::percentile;
use netlab_lab::results::{Outcome, ProbeRecord, ProbeRun, Proto};

use super::escape::esc;
use crate::fmt::micros;

/// Okabe–Ito colours: distinguishable with the common colour blindnesses.
const PALETTE: [&str; 6] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
];

const W: f64 = 640.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 16.0;
const PLOT_H: f64 = 260.0;

/// The samples of one series, sorted.
struct Samples {
    label: String,
    color: &'static str,
    /// The kernel's (wire) round trips: drawn dashed, next to the app's.
    wire: bool,
    sorted: Vec<f64>,
}

fn ok_values(records: &[ProbeRecord], get: impl Fn(&ProbeRecord) -> Option<f64>) -> Vec<f64> {
    let mut v: Vec<f64> = records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .filter_map(get)
        .filter(|v| v.is_finite())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// The plots of a scenario, or nothing when no probe got a reply.
pub fn plots(out: &mut String, probes: &[ProbeRun]) {
    let series: Vec<Samples> = probes
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            let color = PALETTE[i % PALETTE.len()];
            [
                Samples {
                    label: format!("{} rtt", p.id),
                    color,
                    wire: false,
                    sorted: ok_values(&p.records, |r| r.rtt_us),
                },
                Samples {
                    label: format!("{} wire", p.id),
                    color,
                    wire: true,
                    sorted: ok_values(&p.records, |r| r.wire_rtt_us),
                },
            ]
        })
        .filter(|s| !s.sorted.is_empty())
        .collect();
    if series.is_empty() {
        return;
    }
    out.push_str("<div class=\"plots\">\n");
    let caption = if series.iter().any(|s| s.wire) {
        "Round-trip times: share of probes answered within x (left and up is faster); solid: \
         the application's clock, dashed: the wire, from the kernel's time stamps (TCP: the \
         request); the gap between a pair is the client's own share"
    } else {
        "Round-trip times: share of probes answered within x (left and up is faster)"
    };
    let _ = write!(
        out,
        "<figure class=\"cdf\"><figcaption>{caption}</figcaption>\n{}</figure>\n",
        cdf(&series)
    );
    if let Some(svg) = breakdown(probes) {
        let _ = write!(
            out,
            "<figure class=\"breakdown\"><figcaption>Median time per probe: TCP's handshake \
             (connect) and request shown apart</figcaption>\n{svg}</figure>\n"
        );
    }
    out.push_str("</div>\n");
}

/// 1, 2, 2.5 or 5 times a power of ten, at least `v`.
fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&c| c >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// An x axis from 0 to `max` µs, five ticks, gridlines `height` tall.
fn x_axis(out: &mut String, max: f64, width: f64, top: f64, height: f64, left: f64) {
    out.push_str("<g class=\"axis x\">");
    for i in 0..=5 {
        let v = max * f64::from(i) / 5.0;
        let x = left + width * f64::from(i) / 5.0;
        let _ = write!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            top + height,
            top + height + 18.0,
            if i == 0 {
                "0".to_owned()
            } else {
                esc(&micros(v))
            }
        );
    }
    out.push_str("</g>\n");
}

fn cdf(series: &[Samples]) -> String {
    let plot_w = W - LEFT - RIGHT;
    // Cut a little after the slowest p90 so a few outliers do not squash
    // the curves; the legend counts the probes beyond the cut.
    let p90 = series
        .iter()
        .map(|s| percentile(&s.sorted, 90.0))
        .fold(0.0, f64::max);
    let xmax = nice_ceil(p90 * 1.25);
    let legend_top = TOP + PLOT_H + 62.0;
    let h = legend_top + 22.0 * series.len() as f64 + 8.0;
    let x = |v: f64| LEFT + plot_w * (v.min(xmax) / xmax);
    let y = |f: f64| TOP + PLOT_H * (1.0 - f);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h:.0}\" role=\"img\" \
         aria-label=\"CDF of round-trip times\">\n"
    );
    x_axis(&mut svg, xmax, plot_w, TOP, PLOT_H, LEFT);
    svg.push_str("<g class=\"axis y\">");
    for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\"/>\
             <text x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"end\">{4}%</text>",
            y(q),
            LEFT + plot_w,
            LEFT - 6.0,
            y(q) + 4.0,
            q * 100.0
        );
    }
    let _ = write!(
        svg,
        "</g>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">round-trip time</text>\n",
        LEFT + plot_w / 2.0,
        TOP + PLOT_H + 38.0
    );
    for (i, s) in series.iter().enumerate() {
        let n = s.sorted.len() as f64;
        let mut d = format!("M{:.1},{:.1}", x(s.sorted[0]), y(0.0));
        for (k, v) in s.sorted.iter().enumerate() {
            let _ = write!(d, "H{:.1}V{:.1}", x(*v), y((k + 1) as f64 / n));
        }
        let _ = write!(d, "H{:.1}", LEFT + plot_w);
        let cut = s.sorted.iter().filter(|v| **v > xmax).count();
        let p50 = percentile(&s.sorted, 50.0);
        let ly = legend_top + 22.0 * i as f64;
        // The caption says what dashed means; the legend stays short enough
        // for the longest probe ids.
        let mut legend = format!(
            "{}: median {}, {} probes",
            s.label,
            micros(p50),
            s.sorted.len()
        );
        if cut > 0 {
            let _ = write!(legend, " ({cut} beyond {})", micros(xmax));
        }
        let dash = if s.wire {
            " stroke-dasharray=\"7 4\""
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            "<g class=\"series\" data-series=\"{label}\">\
             <path d=\"{d}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"3\"{dash}/>\
             <line x1=\"{m:.1}\" y1=\"{y0:.1}\" x2=\"{m:.1}\" y2=\"{y50:.1}\" stroke=\"{c}\" \
             stroke-dasharray=\"4 3\"/>\
             <line x1=\"{LEFT}\" y1=\"{ly:.1}\" x2=\"{l2:.1}\" y2=\"{ly:.1}\" stroke=\"{c}\" \
             stroke-width=\"4\"{dash}/>\
             <text x=\"{lt:.1}\" y=\"{lty:.1}\">{text}</text></g>",
            label = esc(&s.label),
            c = s.color,
            m = x(p50),
            y0 = y(0.0),
            y50 = y(0.5),
            l2 = LEFT + 28.0,
            lt = LEFT + 36.0,
            lty = ly + 5.0,
            text = esc(&legend),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// One bar of the breakdown: the probe and its median segments.
struct Bar {
    probe: String,
    color: &'static str,
    /// (what, median µs, opacity)
    segments: Vec<(&'static str, f64, f64)>,
    text: String,
}

fn bar_of(i: usize, p: &ProbeRun) -> Option<Bar> {
    let color = PALETTE[i % PALETTE.len()];
    let rtt = ok_values(&p.records, |r| r.rtt_us);
    if rtt.is_empty() {
        return None;
    }
    let med = |v: &[f64]| percentile(v, 50.0);
    let total = med(&rtt);
    let bar = |segments, text| Bar {
        probe: p.id.clone(),
        color,
        segments,
        text,
    };
    if p.proto == Proto::Udp {
        return Some(bar(
            vec![("rtt", total, 1.0)],
            format!("{}: one round trip, {}", p.id, micros(total)),
        ));
    }
    let connect = ok_values(&p.records, |r| r.connect_us);
    let request = ok_values(&p.records, |r| r.request_us);
    if request.is_empty() {
        return Some(bar(
            vec![("rtt", total, 1.0)],
            format!("{}: {}", p.id, micros(total)),
        ));
    }
    let (c, q) = (connect.first().map(|_| med(&connect)), med(&request));
    Some(match c {
        // A handshake for every probe: it is part of each probe's time.
        Some(c) if connect.len() == rtt.len() => bar(
            vec![("connect", c, 1.0), ("request", q, 0.45)],
            format!(
                "{}: connect {} + request {} (total median {})",
                p.id,
                micros(c),
                micros(q),
                micros(total)
            ),
        ),
        // One connection for many probes: its handshake was paid once.
        Some(c) => bar(
            vec![("request", q, 0.45)],
            format!(
                "{}: request {} (handshake {} paid once, not per probe)",
                p.id,
                micros(q),
                micros(c)
            ),
        ),
        None => bar(
            vec![("request", q, 0.45)],
            format!("{}: request {}", p.id, micros(q)),
        ),
    })
}

/// Horizontal bars of median times; only when some probe is TCP (for UDP
/// alone the CDF says it all).
fn breakdown(probes: &[ProbeRun]) -> Option<String> {
    if !probes.iter().any(|p| p.proto == Proto::Tcp) {
        return None;
    }
    let bars: Vec<Bar> = probes
        .iter()
        .enumerate()
        .filter_map(|(i, p)| bar_of(i, p))
        .collect();
    if !bars
        .iter()
        .any(|b| b.segments.len() > 1 || b.segments[0].0 != "rtt")
    {
        return None;
    }
    let longest = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.1).sum::<f64>())
        .fold(0.0, f64::max);
    let xmax = nice_ceil(longest * 1.02);
    let left = 16.0;
    let plot_w = W - left - RIGHT;
    let row = 64.0;
    let plot_h = row * bars.len() as f64;
    let h = TOP + plot_h + 72.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {h:.0}\" role=\"img\" \
         aria-label=\"median time per probe, TCP connect and request apart\">\n"
    );
    x_axis(&mut svg, xmax, plot_w, TOP, plot_h, left);
    for (i, b) in bars.iter().enumerate() {
        let top = TOP + row * i as f64;
        let _ = write!(
            svg,
            "<g class=\"bar\" data-probe=\"{}\"><text x=\"{left}\" y=\"{:.1}\">{}</text>",
            esc(&b.probe),
            top + 18.0,
            esc(&b.text)
        );
        let mut at = 0.0;
        for (what, v, opacity) in &b.segments {
            let x0 = left + plot_w * at / xmax;
            let w = (plot_w * v / xmax).max(1.0);
            let _ = write!(
                svg,
                "<rect class=\"{what}\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"26\" \
                 fill=\"{}\" fill-opacity=\"{opacity}\" stroke=\"{}\"><title>{what} {}</title></rect>",
                top + 26.0,
                b.color,
                b.color,
                esc(&micros(*v))
            );
            at += v;
        }
        svg.push_str("</g>\n");
    }
    let _ = write!(
        svg,
        "<text x=\"{left}\" y=\"{:.1}\">solid: connect (the three-way handshake) · light: \
         request on the open connection</text>\n</svg>\n",
        TOP + plot_h + 48.0
    );
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(93.0), 100.0);
        assert_eq!(nice_ceil(101.0), 200.0);
        assert_eq!(nice_ceil(2100.0), 2500.0);
        assert_eq!(nice_ceil(3000.0), 5000.0);
        assert_eq!(nice_ceil(500.0), 500.0);
    }
}
