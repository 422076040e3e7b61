//! References from a scenario's checks to its probes: unknown ids and
//! metrics a probe's protocol does not have are errors at their position.

use super::Cx;
use crate::model::Metric;
use crate::resolved::{Probe, Proto, Series};
use crate::span::At;

pub(super) struct Refs<'a> {
    probes: &'a [Probe],
}

impl<'a> Refs<'a> {
    pub(super) fn new(probes: &'a [Probe]) -> Self {
        Refs { probes }
    }

    pub(super) fn probe(&self, cx: &mut Cx, id: &At<String>) -> Option<&'a Probe> {
        let found = self.probes.iter().find(|p| p.id == id.value);
        if found.is_none() {
            let ids: Vec<String> = self.probes.iter().map(|p| format!("`{}`", p.id)).collect();
            cx.err(
                id.pos,
                format!("unknown probe `{}`", id.value),
                format!("a probe of this scenario: {}", ids.join(", ")),
            );
        }
        found
    }

    pub(super) fn series(
        &self,
        cx: &mut Cx,
        id: &At<String>,
        metric: Option<&At<Metric>>,
        percentile: Option<&At<f64>>,
    ) -> Option<Series> {
        let probe = self.probe(cx, id)?;
        if let Some(m) = metric
            && matches!(m.value, Metric::Connect | Metric::Request)
            && probe.proto == Proto::Udp
        {
            cx.err(
                m.pos,
                format!("UDP probe `{}` has no `{}` time", probe.id, m.value.name()),
                "`metric: rtt` or `wire` for a UDP probe (`connect` and `request` are TCP only)",
            );
        }
        let percentile = percentile.map_or(50.0, |p| {
            if !(0.0..=100.0).contains(&p.value) {
                cx.err(
                    p.pos,
                    format!("percentile {} is out of range", p.value),
                    "0 to 100",
                );
            }
            p.value
        });
        Some(Series {
            probe: probe.id.clone(),
            metric: metric.map(|m| m.value).unwrap_or_default(),
            percentile,
        })
    }
}
