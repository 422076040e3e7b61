//! The RTT figures of a probe set, the application's next to the kernel's:
//! which statistics rows every human format shows, in which order, and what
//! the gap between the application's clock and the wire amounts to. The
//! terminal, Markdown and HTML all read this, so their figures agree.

use netlab_lab::Metric;
use netlab_lab::grade::percentile;
use netlab_lab::results::{Outcome, ProbeRecord, ProbeRun, Proto, Stats};

use crate::fmt::micros;

/// What a `wire` figure shows when the kernel gave no stamp.
pub const NOT_AVAILABLE: &str = "not available";

/// One statistics row: a series and its figures; `None` only for `wire`
/// when no reply had a kernel stamp ("not available").
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub series: Metric,
    pub stats: Option<&'a Stats>,
}

/// The rows of a probe set's summary: `rtt`, for TCP `connect` and
/// `request`, and `wire` right after the application series it compares
/// with (UDP: `rtt`; TCP: `request`, since the kernel does not stamp the
/// handshake). No `wire` row when nothing came back to stamp.
pub fn rows(run: &ProbeRun) -> Vec<Row<'_>> {
    let Some(sum) = &run.summary else {
        return Vec::new();
    };
    let app: Vec<(Metric, &Option<Stats>)> = match run.proto {
        Proto::Udp => vec![(Metric::Rtt, &sum.rtt)],
        Proto::Tcp => vec![
            (Metric::Rtt, &sum.rtt),
            (Metric::Connect, &sum.connect),
            (Metric::Request, &sum.request),
        ],
    };
    let mut rows: Vec<Row<'_>> = app
        .into_iter()
        .filter_map(|(series, stats)| {
            stats.as_ref().map(|s| Row {
                series,
                stats: Some(s),
            })
        })
        .collect();
    if sum.received > 0 {
        let at = rows
            .iter()
            .position(|r| r.series == app_series(run.proto))
            .map_or(rows.len(), |i| i + 1);
        rows.insert(
            at,
            Row {
                series: Metric::Wire,
                stats: sum.wire.as_ref(),
            },
        );
    }
    rows
}

/// The application series the wire round trip compares with.
pub fn app_series(proto: Proto) -> Metric {
    match proto {
        Proto::Udp => Metric::Rtt,
        Proto::Tcp => Metric::Request,
    }
}

fn app_time(proto: Proto, r: &ProbeRecord) -> Option<f64> {
    match proto {
        Proto::Udp => r.rtt_us,
        Proto::Tcp => r.request_us,
    }
}

/// The application's time and the wire's for one probe set, reply by reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// Replies (successful probes).
    pub replies: usize,
    /// Replies with a kernel stamp: the gap is taken over these.
    pub stamped: usize,
    /// Medians over the stamped replies, µs: the application's time, the
    /// wire's, and the per-reply difference (the client's own share).
    pub app_us: f64,
    pub wire_us: f64,
    pub gap_us: f64,
}

/// The gap between the application's time and the wire's; `None` when no
/// probe got a reply, `Some(Err(replies))` when none of them was stamped.
pub fn gap(run: &ProbeRun) -> Option<Result<Gap, usize>> {
    let ok: Vec<&ProbeRecord> = run
        .records
        .iter()
        .filter(|r| r.outcome == Outcome::Ok)
        .collect();
    if ok.is_empty() {
        return None;
    }
    let pairs: Vec<(f64, f64)> = ok
        .iter()
        .filter_map(|r| Some((app_time(run.proto, r)?, r.wire_rtt_us?)))
        .filter(|(a, w)| a.is_finite() && w.is_finite())
        .collect();
    if pairs.is_empty() {
        return Some(Err(ok.len()));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        percentile(&v, 50.0)
    };
    Some(Ok(Gap {
        replies: ok.len(),
        stamped: pairs.len(),
        app_us: median(pairs.iter().map(|p| p.0).collect()),
        wire_us: median(pairs.iter().map(|p| p.1).collect()),
        gap_us: median(pairs.iter().map(|p| p.0 - p.1).collect()),
    }))
}

/// One sentence on the gap, for every human format:
/// `app rtt − wire, the client's own share: 70.0 µs (median over 30 replies: app 130 µs, wire 60.0 µs)`.
pub fn gap_line(run: &ProbeRun) -> Option<String> {
    let app = app_series(run.proto).name();
    Some(match gap(run)? {
        Err(replies) => format!(
            "wire RTT {NOT_AVAILABLE}: the kernel gave no time stamp for any of the {replies} \
             replies, so the client's own share cannot be told apart"
        ),
        Ok(g) => {
            let mut line = format!(
                "app {app} − wire, the client's own share (system calls, wake-up, scheduling): \
                 {} (median over {} replies: app {}, wire {})",
                micros(g.gap_us),
                g.stamped,
                micros(g.app_us),
                micros(g.wire_us)
            );
            if g.stamped < g.replies {
                line.push_str(&format!(
                    "; wire RTT {NOT_AVAILABLE} for {} of {} replies",
                    g.replies - g.stamped,
                    g.replies
                ));
            }
            line
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn wire_follows_the_series_it_compares_with() {
        let labs = fixtures::wire_labs();
        let probes = &labs[0].scenarios[0].probes;
        let names = |p: &ProbeRun| rows(p).iter().map(|r| r.series.name()).collect::<Vec<_>>();
        assert_eq!(names(&probes[0]), ["rtt", "wire"]);
        assert_eq!(names(&probes[1]), ["rtt", "connect", "request", "wire"]);
        assert!(rows(&probes[0]).iter().all(|r| r.stats.is_some()));
    }

    #[test]
    fn the_gap_is_taken_reply_by_reply_over_the_stamped_ones() {
        let labs = fixtures::wire_labs();
        let udp = &labs[0].scenarios[0].probes[0];
        // app 120/240/360, wire 50/100/none: gaps 70, 140.
        let g = gap(udp).unwrap().unwrap();
        assert_eq!((g.replies, g.stamped), (3, 2));
        assert_eq!((g.app_us, g.wire_us, g.gap_us), (120.0, 50.0, 70.0));
        assert_eq!(
            gap_line(udp).unwrap(),
            "app rtt − wire, the client's own share (system calls, wake-up, scheduling): \
             70.0 µs (median over 2 replies: app 120 µs, wire 50.0 µs); wire RTT not available \
             for 1 of 3 replies"
        );
        // TCP: the request, not connect + request.
        let tcp = &labs[0].scenarios[0].probes[1];
        let g = gap(tcp).unwrap().unwrap();
        assert_eq!((g.app_us, g.wire_us, g.gap_us), (160.0, 100.0, 60.0));
        assert!(gap_line(tcp).unwrap().starts_with("app request − wire"));
    }

    #[test]
    fn without_stamps_the_wire_is_not_available_never_the_app_clock() {
        let labs = fixtures::labs();
        let udp = &labs[0].scenarios[0].probes[0];
        let wire = rows(udp)
            .into_iter()
            .find(|r| r.series == Metric::Wire)
            .unwrap();
        assert!(wire.stats.is_none());
        assert_eq!(gap(udp), Some(Err(3)));
        assert!(gap_line(udp).unwrap().starts_with("wire RTT not available"));
        // Nothing came back: nothing to stamp, no row, no sentence.
        let broken = &labs[0].scenarios[1].probes[0];
        assert_eq!(gap(broken), None);
        assert!(rows(broken).iter().all(|r| r.series != Metric::Wire));
    }
}
