//! Checks of one scenario: exactly one kind, references to the scenario's
//! probes, metrics that the probe's protocol has, sane bounds.

use super::Cx;
use super::refs::Refs;
use crate::model::CheckSpec;
use crate::resolved::{Bound, Check, CheckKind, Probe, ProgramRun};
use crate::span::{At, Pos};

pub(crate) fn checks(
    cx: &mut Cx,
    raw: &[At<CheckSpec>],
    probes: &[Probe],
    runs: &[ProgramRun],
) -> Vec<Check> {
    raw.iter()
        .filter_map(|c| check(cx, c, probes, runs))
        .collect()
}

const KINDS: &str =
    "exactly one of `outcome`, `replies`, `loss`, `rtt`, `compare`, `output`, `exits`, `served`";

fn check(cx: &mut Cx, c: &At<CheckSpec>, probes: &[Probe], runs: &[ProgramRun]) -> Option<Check> {
    let spec = &c.value;
    if spec.name.value.trim().is_empty() {
        cx.err(
            spec.name.pos,
            "empty check `name`",
            "a few words saying what the check asserts",
        );
    }
    let points = spec.points.as_ref().map_or(1.0, |p| {
        if !(p.value.is_finite() && p.value >= 0.0) {
            cx.err(
                p.pos,
                format!("`points` {} is negative", p.value),
                "0 or more",
            );
        }
        p.value
    });
    let kinds = [
        spec.outcome.is_some(),
        spec.replies.is_some(),
        spec.loss.is_some(),
        spec.rtt.is_some(),
        spec.compare.is_some(),
        spec.output.is_some(),
        spec.exits.is_some(),
        spec.served.is_some(),
    ];
    let n = kinds.iter().filter(|k| **k).count();
    if n != 1 {
        cx.err(
            c.pos,
            if n == 0 {
                format!("check `{}` has no kind", spec.name.value)
            } else {
                format!("check `{}` has {n} kinds", spec.name.value)
            },
            KINDS,
        );
        return None;
    }
    let refs = Refs::new(probes);
    if spec.output.is_some() || spec.exits.is_some() || spec.served.is_some() {
        let kind = super::run_check::kind(cx, spec, runs, &refs)?;
        return Some(Check {
            name: spec.name.value.clone(),
            points,
            explain: text(&spec.explain),
            explain_fail: text(&spec.explain_fail),
            kind,
        });
    }
    let kind = if let Some(o) = &spec.outcome {
        let probe = refs.probe(cx, &o.value.probe)?;
        let at_least = o.value.at_least.as_ref().map(|a| {
            let max = i64::from(probe.count.max(1));
            cx.int(a, "at_least", 1, max) as u32
        });
        CheckKind::Outcome {
            probe: probe.id.clone(),
            is: o.value.is,
            at_least,
            within: o
                .value
                .within
                .as_ref()
                .map(|d| cx.duration(d, "within", super::WITHIN)),
        }
    } else if let Some(r) = &spec.replies {
        CheckKind::Replies {
            probe: refs.probe(cx, &r.value.probe)?.id.clone(),
        }
    } else if let Some(l) = &spec.loss {
        let max_pct = l.value.max.0;
        let min_pct = l.value.min.as_ref().map_or(0.0, |m| {
            if m.value.0 > max_pct {
                cx.err(
                    m.pos,
                    format!("`min` {}% is above `max` {max_pct}%", m.value.0),
                    "`min` at most `max`",
                );
            }
            m.value.0
        });
        CheckKind::Loss {
            probe: refs.probe(cx, &l.value.probe)?.id.clone(),
            min_pct,
            max_pct,
        }
    } else if let Some(r) = &spec.rtt {
        let series = refs.series(
            cx,
            &r.value.probe,
            r.value.metric.as_ref(),
            r.value.percentile.as_ref(),
        )?;
        let bound = Bound {
            min: r
                .value
                .min
                .as_ref()
                .map(|d| cx.duration(d, "min", super::RTT_MIN)),
            max: r
                .value
                .max
                .as_ref()
                .map(|d| cx.duration(d, "max", super::RTT_MAX)),
        };
        bounds(
            cx,
            r.pos,
            bound.min,
            bound.max,
            r.value.min.as_ref().map(|m| m.pos),
        );
        CheckKind::Rtt { series, bound }
    } else {
        let cmp = &spec.compare.as_ref()?.value;
        let left = refs.series(
            cx,
            &cmp.left.value.probe,
            cmp.left.value.metric.as_ref(),
            cmp.left.value.percentile.as_ref(),
        );
        let right = refs.series(
            cx,
            &cmp.right.value.probe,
            cmp.right.value.metric.as_ref(),
            cmp.right.value.percentile.as_ref(),
        );
        let ratio = Bound {
            min: cmp.ratio.value.min.as_ref().map(|v| v.value),
            max: cmp.ratio.value.max.as_ref().map(|v| v.value),
        };
        for v in [&cmp.ratio.value.min, &cmp.ratio.value.max]
            .into_iter()
            .flatten()
        {
            if !(v.value.is_finite() && v.value > 0.0) {
                cx.err(
                    v.pos,
                    format!("ratio bound {} is not positive", v.value),
                    "a number above 0, such as 1.2",
                );
            }
        }
        bounds(
            cx,
            cmp.ratio.pos,
            ratio.min,
            ratio.max,
            cmp.ratio.value.min.as_ref().map(|m| m.pos),
        );
        let (left, right) = (left?, right?);
        super::pair::check(cx, cmp, (&left, &right), probes);
        CheckKind::Compare { left, right, ratio }
    };
    Some(Check {
        name: spec.name.value.clone(),
        points,
        explain: text(&spec.explain),
        explain_fail: text(&spec.explain_fail),
        kind,
    })
}

/// An optional author's text, without the newline a YAML block leaves.
fn text(t: &Option<String>) -> String {
    t.as_deref().unwrap_or_default().trim_end().to_owned()
}

/// At least one of min and max, and min <= max.
fn bounds<T: PartialOrd>(
    cx: &mut Cx,
    pos: Pos,
    min: Option<T>,
    max: Option<T>,
    min_pos: Option<Pos>,
) {
    match (min, max) {
        (None, None) => cx.err(pos, "no bound", "`min`, `max` or both"),
        (Some(lo), Some(hi)) if lo > hi => cx.err(
            min_pos.unwrap_or(pos),
            "`min` is greater than `max`",
            "`min` <= `max`",
        ),
        _ => {}
    }
}
