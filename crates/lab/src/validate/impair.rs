//! An `impair` fault: delay, jitter, loss and rate of one host's link.

use super::Cx;
use crate::model::FaultSpec;
use crate::resolved::Impairment;
use crate::span::At;

/// The impairment, or `None` (reported) when it asks for nothing.
pub(crate) fn impairment(
    cx: &mut Cx,
    spec: &FaultSpec,
    f: &At<FaultSpec>,
    host: String,
) -> Option<Impairment> {
    if spec.delay.is_none() && spec.loss.is_none() && spec.rate.is_none() {
        cx.err(
            f.pos,
            "impair fault without `delay`, `loss` or `rate`",
            "at least one of `delay: 20ms`, `loss: 30%`, `rate: 1mbit`",
        );
        return None;
    }
    if let (Some(j), None) = (&spec.jitter, &spec.delay) {
        cx.err(
            j.pos,
            "`jitter` without `delay`",
            "`delay` too: jitter varies the delay",
        );
    }
    let delay = spec
        .delay
        .as_ref()
        .map(|d| cx.duration(d, "delay", super::LINK_DELAY));
    let jitter = spec
        .jitter
        .as_ref()
        .map(|j| cx.duration(j, "jitter", super::LINK_DELAY));
    let loss = spec.loss.as_ref().map(|l| {
        if l.value.0 == 0.0 {
            cx.err(l.pos, "`loss` is 0%", "a share above 0%, such as `30%`");
        }
        l.value.0
    });
    Some(Impairment {
        host,
        delay,
        jitter,
        loss,
        rate: spec.rate.as_ref().map(|r| r.value.0),
    })
}
