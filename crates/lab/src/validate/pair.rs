//! The two sides of a `compare`: a ratio only means something when they
//! measure different, comparable things.

use super::Cx;
use crate::model::{CompareCheck, Series as SeriesSpec};
use crate::resolved::{Connection, Metric, Probe, Proto, Series};
use crate::span::{At, Pos};

/// Errors for a ratio that is always 1 (the same series twice), and for a
/// TCP probe's `wire` put against its own `rtt` when each probe opens a
/// connection: `rtt` then includes the handshake, which the kernel does not
/// stamp, so the ratio would not be the client's own share.
pub(super) fn check(
    cx: &mut Cx,
    cmp: &CompareCheck,
    (left, right): (&Series, &Series),
    probes: &[Probe],
) {
    if left == right {
        cx.err(
            cmp.right.pos,
            format!(
                "`left` and `right` are the same series (`{}`): the ratio is always 1",
                crate::grade::series_label(left)
            ),
            "two different series: another probe, metric or percentile",
        );
        return;
    }
    if left.probe != right.probe {
        return;
    }
    let Some(probe) = probes.iter().find(|p| p.id == left.probe) else {
        return;
    };
    if probe.proto != Proto::Tcp || probe.connection != Connection::PerProbe {
        return;
    }
    let app = match (left.metric, right.metric) {
        (Metric::Wire, Metric::Rtt) => &cmp.right,
        (Metric::Rtt, Metric::Wire) => &cmp.left,
        _ => return,
    };
    cx.err(
        metric_pos(app),
        format!(
            "`rtt` of TCP probe `{}` includes the handshake of its new connection, which the \
             kernel does not stamp: against `wire` the ratio is not the client's own share",
            probe.id
        ),
        "`metric: request` on this side (the request on the open connection, the round trip `wire` stamps)",
    );
}

/// Where a side's metric is written, or the side itself when it is left out.
fn metric_pos(side: &At<SeriesSpec>) -> Pos {
    side.value.metric.as_ref().map_or(side.pos, |m| m.pos)
}
