//! `netlab run`: validate every lab, prepare images, run each lab in its own
//! labelled scope, and always clean up (success, failure, Ctrl-C, SIGTERM).

use std::process::ExitCode;

use anyhow::anyhow;
use netlab_engine::{Engine, ImageKind, Run, RunGuard};
use netlab_lab::results::{LabResult, Verdict};
use netlab_report::{Format, Options, Report, Terminal};
use netlab_runner::events::Events;
use netlab_runner::{RunOptions, Runner, images};

use super::{Ui, image_sources, load_labs, swarm};
use crate::cli::RunArgs;
use crate::exit::{self, Failure};
use crate::export::ExportManager;
use crate::interrupt::Interrupt;
use crate::{output, progress};

pub async fn run(args: RunArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let labs = load_labs(&args.labs)?;
    if let Some(lab) = labs.iter().find(|l| l.submission.is_some()) {
        return Err(Failure::Usage(anyhow!(
            "{}: lab `{}` grades submissions (it has a `submission` section); run it with `netlab grade {} --submissions DIR`",
            lab.file,
            lab.name,
            lab.file
        )));
    }
    let stop = Interrupt::install();
    let swarm = stop.race(swarm::prepare(&args, &labs)).await??;
    let engine = match &swarm {
        Some(s) => s.manager.clone(),
        None => stop.race(args.engines.one()).await??,
    };
    let engines: Vec<Engine> = match &swarm {
        Some(s) => s.engines().cloned().collect(),
        None => vec![engine.clone()],
    };
    let infra = |e: netlab_runner::RunError| Failure::Infra(anyhow!(e));
    // Leftovers of runs whose process died (kill -9, power loss) go first.
    // One that cannot go yet (an overlay a lost swarm node still holds) is
    // said, not fatal: this run's objects are its own.
    for e in &engines {
        if let Err(why) = stop.race(e.reap_dead_runs()).await? {
            eprintln!(
                "netlab: warning: leftovers of earlier runs on {} could not all be removed: {why}",
                e.host()
            );
        }
    }

    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let events = Events::new(tx);
    let shown = tokio::spawn(progress::show(rx, ui.bars));
    let mut kinds = images::needed(&labs);
    if args.capture && !kinds.contains(&ImageKind::Tools) {
        kinds.push(ImageKind::Tools); // tcpdump lives in the tools image
    }
    let images = stop
        .race(images::ensure(&engine, &kinds, &image_sources(), &events))
        .await?
        .map_err(infra)?;
    // No registry: a swarm's other nodes get the images through the API.
    for other in engines.iter().filter(|e| e.host() != engine.host()) {
        stop.race(images::distribute(&engine, other, &images))
            .await?
            .map_err(infra)?;
    }
    let runner = Runner::new(
        engine.clone(),
        images,
        RunOptions {
            keep: args.keep,
            capture_dir: args.capture.then(|| args.capture_dir.clone()),
            swarm: swarm.clone(),
            placement: args.placement.map(Into::into),
        },
        events,
    );

    let mut results: Vec<LabResult> = Vec::new();
    let mut stopped = None;
    for lab in &labs {
        if stop.happened() {
            stopped = Some(Failure::Interrupted);
            break;
        }
        let run = Run::new(&engine, &lab.name);
        let run = if args.keep { run.kept() } else { run };
        // Remove the run's objects (on every node) if we panic.
        let guards = match &swarm {
            Some(s) => s.guards(&run),
            None => vec![run.guard()],
        };
        let outcome = stop.race(runner.run_lab(lab, &run)).await.ok();
        let keep = args.keep && outcome.is_some();
        let mut left_behind = None;
        if !keep {
            let interrupted = outcome.is_none();
            let cleaned = match &swarm {
                Some(s) => s.cleanup(&run, interrupted).await.map_err(|e| anyhow!(e)),
                None if interrupted => run.cleanup_interrupted().await.map_err(|e| anyhow!(e)),
                None => run.cleanup().await.map_err(|e| anyhow!(e)),
            };
            left_behind = cleaned.err();
        }
        guards.into_iter().for_each(RunGuard::disarm);
        if let Some(e) = left_behind {
            // What the lab measured is kept and shown; the run still fails (3).
            let e = match outcome {
                Some(Ok(result)) => {
                    results.push(result);
                    write_files(&args, &results)?;
                    e
                }
                Some(Err(run_error)) => anyhow!("{run_error}; then {e}"),
                None => e,
            };
            stopped = Some(Failure::Infra(e));
            break;
        }
        match outcome {
            Some(Ok(result)) => results.push(result),
            Some(Err(e)) => {
                stopped = Some(infra(e));
                break;
            }
            None => {
                eprintln!(
                    "netlab: interrupted; removed the containers and network of lab {}",
                    lab.name
                );
                stopped = Some(Failure::Interrupted);
                break;
            }
        }
        // After each lab, so an interrupted or failed batch keeps what ran.
        write_files(&args, &results)?;
    }
    drop(runner);
    let _ = shown.await;
    // A signal during the last lab's cleanup still means "stop": say so and
    // exit 130 (the finished labs' files are written).
    if stopped.is_none() && stop.happened() {
        eprintln!("netlab: interrupted after the last lab; its results are complete");
        stopped = Some(Failure::Interrupted);
    }

    let report = Terminal::new(ui.color).render(&[Report::new(&results)]);
    output::print(&report).map_err(Failure::Infra)?;
    if args.keep {
        eprintln!(
            "netlab: --keep: containers and networks were left in place; `netlab clean` removes them"
        );
    }
    if let Some(failure) = stopped {
        return Err(failure);
    }
    Ok(exit_code(&results))
}

/// 3 when something could not be graded (a scenario could not run, a
/// probe could not run), else 0 when every check passed, else 1.
fn exit_code(results: &[LabResult]) -> ExitCode {
    exit::of(Verdict::of(results))
}

fn write_files(args: &RunArgs, results: &[LabResult]) -> Result<(), Failure> {
    let mut exports = ExportManager::new(Options::default());
    exports
        .add(Format::Json, args.json.clone())
        .add(Format::Junit, args.junit.clone())
        .add(Format::Html, args.html.clone());
    exports
        .write(&[Report::new(results)])
        .map_err(Failure::Infra)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A lab whose scenario ran (no scenario error) but one of whose checks
    /// could not be graded: its probe hit an infrastructure error.
    fn probe_infra_error() -> LabResult {
        serde_json::from_str(
            r#"{"name": "lab", "title": "", "description": "", "file": "lab.yaml",
                "duration_ms": 5, "scenarios": [{
                  "name": "udp", "title": "", "description": "", "probes": [],
                  "duration_ms": 5, "error": null, "notes": [],
                  "checks": [
                    {"name": "every probe gets a reply", "kind": "outcome", "status": "pass",
                     "points": 1, "earned": 1, "measured": "", "expected": "", "explanation": ""},
                    {"name": "median RTT", "kind": "rtt", "status": "infra_error",
                     "points": 1, "earned": 0, "expected": "", "explanation": "",
                     "measured": "not measured: probe `udp` could not run: exec failed"}]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_check_level_infra_error_exits_3() {
        assert_eq!(
            exit_code(&[probe_infra_error()]),
            ExitCode::from(exit::INFRA)
        );
    }
}
