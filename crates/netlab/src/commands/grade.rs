//! `netlab grade`: grade every submission of a class against one lab, or
//! one folder (`--submission`, a student checking their own programs). The
//! batch logic is in netlab-grade; the output folder (`out_folder.rs`) gets
//! each student's files as soon as they are graded and the class files
//! rewritten; every run scope is cleaned up on Ctrl-C/SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::anyhow;
use netlab_grade::{Grader, StudentRecord, Submission, discover, one, select};
use netlab_lab::results::Verdict;
use netlab_report::{GradebookLayout, Options, Report, Terminal};
use netlab_runner::events::Events;
use netlab_runner::{RunOptions, Runner, images};

use super::{Ui, connect, image_sources, load_labs};
use crate::cli::{GradeArgs, GradebookArg};
use crate::exit::{self, Failure};
use crate::interrupt::Interrupt;
use crate::out_folder::OutFolder;
use crate::{output, progress};

/// Where `--submissions` writes when `--out` is not given.
const DEFAULT_OUT: &str = "netlab-grades";

pub async fn grade(args: GradeArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let usage = |e: netlab_grade::GradeError| Failure::Usage(anyhow!(e));
    let lab = load_labs(std::slice::from_ref(&args.lab))?.remove(0);
    if lab.submission.is_none() {
        return Err(usage(netlab_grade::GradeError::NotAGradingLab {
            lab: lab.name,
        }));
    }
    let (subs, out): (Vec<Submission>, Option<PathBuf>) =
        match (&args.submissions, &args.submission) {
            (Some(dir), _) => {
                let all = discover(dir).map_err(usage)?;
                let out = args.out.clone().unwrap_or_else(|| DEFAULT_OUT.into());
                (select(all, &args.only, dir).map_err(usage)?, Some(out))
            }
            (None, Some(dir)) => (vec![one(dir).map_err(usage)?], args.out.clone()),
            (None, None) => unreachable!("clap requires --submissions or --submission"),
        };
    let single = args.submission.is_some();
    if args.jobs == 0 {
        return Err(Failure::Usage(anyhow!("--jobs must be at least 1")));
    }
    let options = Options {
        gradebook: match args.gradebook {
            GradebookArg::Plain => GradebookLayout::Plain,
            GradebookArg::Canvas => GradebookLayout::Canvas,
        },
        ..Options::default()
    };
    // Read what an earlier batch left before any work: a damaged result is
    // an error now, not after an hour of grading.
    let mut folder = match &out {
        Some(dir) => Some(OutFolder::open(dir, options).map_err(Failure::Infra)?),
        None => None,
    };

    let stop = Interrupt::install();
    let engine = stop.race(connect()).await??;
    let infra = |e: anyhow::Error| Failure::Infra(e);
    stop.race(engine.reap_dead_runs())
        .await?
        .map_err(|e| infra(anyhow!(e)))?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let shown = tokio::spawn(progress::show(rx, ui.bars));
    let kinds = images::needed([&lab]);
    let image_set = stop
        .race(images::ensure(
            &engine,
            &kinds,
            &image_sources(),
            &Events::new(tx),
        ))
        .await?
        .map_err(|e| infra(anyhow!(e)))?;
    let _ = shown.await;
    // Per-student progress is one line each; scenario events of parallel jobs would interleave.
    let runner = Runner::new(
        engine.clone(),
        image_set,
        RunOptions::default(),
        Events::none(),
    );
    let grader = Grader::new(engine, runner, lab, args.jobs).map_err(usage)?;

    let total = subs.len();
    eprintln!(
        "netlab: grading {total} submission(s), {} at a time",
        args.jobs
    );
    let started = Instant::now();
    let mut done = 0usize;
    let mut ungraded: Vec<String> = Vec::new();
    let mut write_error: Option<Failure> = None;
    let mut verdicts = Vec::new();
    let mut last: Option<StudentRecord> = None;
    let on_done = |record: StudentRecord| {
        done += 1;
        eprintln!("[{done}/{total}] {}", line(&record));
        let verdict = Verdict::of([&record.lab]);
        if verdict == Verdict::Infra {
            ungraded.push(record.student.clone());
        }
        verdicts.push(verdict);
        if write_error.is_none()
            && let Some(f) = folder.as_mut()
            && let Err(e) = f.add(record.clone())
        {
            write_error = Some(Failure::Infra(e));
        }
        last = Some(record);
    };
    let finished = tokio::select! {
        _ = grader.grade_all(subs, on_done) => true,
        _ = stop.wait() => false,
    };
    let kept = match &out {
        Some(dir) => format!("the results graded so far are in {}", dir.display()),
        None => "nothing was written (no --out)".to_owned(),
    };
    if !finished {
        grader.cleanup_live().await;
        eprintln!(
            "netlab: interrupted; removed the containers and networks of the submissions in progress; {kept}"
        );
        return Err(Failure::Interrupted);
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    if stop.happened() {
        eprintln!("netlab: interrupted after the last submission; {kept}");
        return Err(Failure::Interrupted);
    }
    if single && let Some(record) = &last {
        // A student checking their own folder reads the report itself.
        let labs = std::slice::from_ref(&record.lab);
        let report = Terminal::new(ui.color).render(&[Report::student(&record.student, labs)]);
        output::print(&report).map_err(Failure::Infra)?;
        return Ok(exit::of(Verdict::of(labs)));
    }
    eprintln!(
        "netlab: graded {total} submission(s) in {:.1} s; {}",
        started.elapsed().as_secs_f64(),
        match &out {
            Some(dir) => format!("gradebook: {}", dir.join("grades.csv").display()),
            None => "no --out, no files".to_owned(),
        }
    );
    if !ungraded.is_empty() {
        eprintln!(
            "netlab: not graded because of infrastructure errors (after a retry), their grade cells are empty: {}; regrade with --only ID",
            ungraded.join(", ")
        );
        return Ok(ExitCode::from(exit::INFRA));
    }
    Ok(ExitCode::from(exit::OK))
}

/// `s001: 20/20 points, 18/18 checks passed (1 attempt)`.
fn line(r: &StudentRecord) -> String {
    let t = netlab_lab::results::Totals::of(std::slice::from_ref(&r.lab));
    let mut s = format!(
        "{}: {}/{} points, {}/{} checks passed",
        r.student,
        netlab_report::fmt::points(t.score),
        netlab_report::fmt::points(t.max_score),
        t.passed,
        t.checks
    );
    if r.attempts > 1 {
        s.push_str(&format!(
            " ({} attempts; retried after: {})",
            r.attempts,
            r.retried_after.join("; ")
        ));
    }
    if t.infra_errors > 0 {
        s.push_str(&format!(
            ", {} not graded (infrastructure error)",
            t.infra_errors
        ));
    }
    s
}
