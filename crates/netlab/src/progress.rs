//! Progress on stderr, fed by the runner's event stream. Bars only on a
//! terminal outside CI (as nextest decides); otherwise one plain line per
//! scenario so a CI log still shows where a run is.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use netlab_runner::events::Event;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::cli::When;

pub fn bars_wanted(when: When) -> bool {
    match when {
        When::Always => true,
        When::Never => false,
        When::Auto => std::io::stderr().is_terminal() && !is_ci::uncached(),
    }
}

/// Consumes events until the sender side is dropped.
pub async fn show(mut rx: UnboundedReceiver<Event>, bars: bool) {
    let multi = if bars {
        MultiProgress::new()
    } else {
        MultiProgress::with_draw_target(ProgressDrawTarget::hidden())
    };
    let style = ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed}")
        .expect("static template");
    let mut current: Option<ProgressBar> = None;
    while let Some(event) = rx.recv().await {
        match event {
            Event::ImageBuilding { image, step } => {
                let bar = current.get_or_insert_with(|| new_bar(&multi, &style));
                bar.set_prefix(format!("image {image}"));
                bar.set_message(step);
            }
            Event::ImageReady { image, tag } => {
                finish(&mut current);
                plain(bars, format!("image {image}: {tag}"));
            }
            Event::LabStarted {
                lab,
                title,
                scenarios,
            } => {
                plain(bars, format!("lab {lab}: {title} ({scenarios} scenarios)"));
            }
            Event::ScenarioStarted { lab, scenario, .. } => {
                finish(&mut current);
                let bar = new_bar(&multi, &style);
                bar.set_prefix(format!("{lab}/{scenario}"));
                current = Some(bar);
            }
            Event::Step { text, .. } => {
                if let Some(bar) = &current {
                    bar.set_message(text);
                }
            }
            Event::ScenarioFinished {
                lab,
                scenario,
                passed,
                checks,
                duration_ms,
            } => {
                let line = format!(
                    "{lab}/{scenario}: {passed}/{checks} checks passed in {:.1} s",
                    duration_ms as f64 / 1000.0
                );
                match current.take() {
                    Some(bar) => bar.finish_with_message(line),
                    None => plain(bars, line),
                }
            }
            Event::LabFinished { .. } => finish(&mut current),
        }
    }
    finish(&mut current);
}

fn new_bar(multi: &MultiProgress, style: &ProgressStyle) -> ProgressBar {
    let bar = multi.add(ProgressBar::new_spinner().with_style(style.clone()));
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn finish(current: &mut Option<ProgressBar>) {
    if let Some(bar) = current.take() {
        bar.finish_and_clear();
    }
}

/// Plain progress lines are for logs without bars (CI); with bars the
/// bars say it already.
fn plain(bars: bool, line: String) {
    if !bars {
        eprintln!("{line}");
    }
}
