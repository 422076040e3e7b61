//! `output`, `exits` and `served` checks: references to the scenario's runs
//! (and a served check's run names its server), a regular expression that
//! compiles, sane counts and times.

use super::Cx;
use super::refs::Refs;
use crate::model::CheckSpec;
use crate::resolved::{CheckKind, ProgramRun};
use crate::span::At;

pub(crate) fn kind(
    cx: &mut Cx,
    spec: &CheckSpec,
    runs: &[ProgramRun],
    refs: &Refs,
) -> Option<CheckKind> {
    if let Some(s) = &spec.served {
        let run = run_ref(cx, &s.value.run, runs)?;
        if run.server.is_none() {
            cx.err(
                s.value.run.pos,
                format!(
                    "run `{}` names no `server`, so nothing tells what it sent",
                    run.id
                ),
                "`server: HOST` on the run (a reference host running `[server, --log-requests]`)",
            );
        }
        let rtt_floor = match &s.value.rtt_floor {
            Some(f) => {
                let mut series = refs.series(cx, &f.value.probe, f.value.metric.as_ref(), None)?;
                series.percentile = 0.0; // the fastest round trip measured
                Some(series)
            }
            None => None,
        };
        return Some(CheckKind::Served {
            run: run.id.clone(),
            rtt_floor,
        });
    }
    if let Some(o) = &spec.output {
        let run = run_ref(cx, &o.value.run, runs)?;
        if let Err(e) = regex::Regex::new(&o.value.matches.value) {
            let first = e.to_string();
            let last = first.lines().last().unwrap_or("").trim().to_owned();
            cx.err(
                o.value.matches.pos,
                format!("`matches` is not a regular expression ({last})"),
                "a regular expression in Rust `regex` syntax, e.g. `HELLO NETLAB` or `(?i)rtt`",
            );
        }
        let at_least = o
            .value
            .at_least
            .as_ref()
            .map_or(1, |a| cx.int(a, "at_least", 1, 1000) as u32);
        return Some(CheckKind::Output {
            run: run.id.clone(),
            pattern: o.value.matches.value.clone(),
            at_least,
        });
    }
    let e = spec.exits.as_ref()?;
    let run = run_ref(cx, &e.value.run, runs)?;
    let within = match &e.value.within {
        Some(w) => {
            let d = cx.duration(w, "within", super::WITHIN);
            if d > run.deadline {
                cx.err(
                    w.pos,
                    format!(
                        "`within` is longer than run `{}`'s deadline ({})",
                        run.id,
                        humantime::format_duration(run.deadline)
                    ),
                    "`within` no longer than the run's `deadline` (the program is stopped there)",
                );
            }
            d
        }
        None => run.deadline,
    };
    Some(CheckKind::Exits {
        run: run.id.clone(),
        within,
        code: e.value.code.as_ref().map(|c| cx.int(c, "code", 0, 255)),
    })
}

fn run_ref<'a>(cx: &mut Cx, id: &At<String>, runs: &'a [ProgramRun]) -> Option<&'a ProgramRun> {
    let found = runs.iter().find(|r| r.id == id.value);
    if found.is_none() {
        let ids: Vec<String> = runs.iter().map(|r| format!("`{}`", r.id)).collect();
        cx.err(
            id.pos,
            format!("unknown run `{}`", id.value),
            if ids.is_empty() {
                "a run of this scenario (it has no `runs`)".to_owned()
            } else {
                format!("a run of this scenario: {}", ids.join(", "))
            },
        );
    }
    found
}
