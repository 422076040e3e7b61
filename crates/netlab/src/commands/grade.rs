//! `netlab grade`: grade every submission of a class against one lab. The
//! batch logic is in netlab-grade; this writes each student's files as soon
//! as they are graded, rewrites the class files from every result present,
//! and cleans up every run scope on Ctrl-C/SIGTERM.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::anyhow;
use netlab_grade::{Grader, StudentRecord, discover, files, select};
use netlab_lab::results::Verdict;
use netlab_runner::events::Events;
use netlab_runner::{RunOptions, Runner, images};

use super::{Ui, connect, image_sources, load_labs};
use crate::cli::GradeArgs;
use crate::exit::{self, Failure};
use crate::interrupt::Interrupt;
use crate::{output, progress};

pub async fn grade(args: GradeArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let usage = |e: netlab_grade::GradeError| Failure::Usage(anyhow!(e));
    let lab = load_labs(std::slice::from_ref(&args.lab))?.remove(0);
    if lab.submission.is_none() {
        return Err(usage(netlab_grade::GradeError::NotAGradingLab {
            lab: lab.name,
        }));
    }
    let all = discover(&args.submissions).map_err(usage)?;
    let subs = select(all, &args.only, &args.submissions).map_err(usage)?;
    if args.jobs == 0 {
        return Err(Failure::Usage(anyhow!("--jobs must be at least 1")));
    }

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
    let on_done = |record: StudentRecord| {
        done += 1;
        eprintln!("[{done}/{total}] {}", line(&record));
        if Verdict::of([&record.lab]) == Verdict::Infra {
            ungraded.push(record.student.clone());
        }
        if write_error.is_none()
            && let Err(e) = write_student(&args.out, &record)
        {
            write_error = Some(e);
        }
    };
    let finished = tokio::select! {
        _ = grader.grade_all(subs, on_done) => true,
        _ = stop.wait() => false,
    };
    if !finished {
        grader.cleanup_live().await;
        eprintln!(
            "netlab: interrupted; removed the containers and networks of the submissions in progress; the results graded so far are in {}",
            args.out.display()
        );
        return Err(Failure::Interrupted);
    }
    if let Some(e) = write_error {
        return Err(e);
    }
    if stop.happened() {
        eprintln!(
            "netlab: interrupted after the last submission; every result is in {}",
            args.out.display()
        );
        return Err(Failure::Interrupted);
    }
    eprintln!(
        "netlab: graded {total} submission(s) in {:.1} s; gradebook: {}",
        started.elapsed().as_secs_f64(),
        args.out.join("grades.csv").display()
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

/// The student's files, then the class files merged from every result in `out`.
fn write_student(out: &Path, record: &StudentRecord) -> Result<(), Failure> {
    let infra = |e: netlab_grade::GradeError| Failure::Infra(anyhow!(e));
    for (rel, bytes) in files::student_files(record).map_err(infra)? {
        output::write_file(&out.join(rel), &bytes).map_err(Failure::Infra)?;
    }
    let records = files::load_records(out).map_err(infra)?;
    for (rel, bytes) in files::class_files(&records).map_err(infra)? {
        output::write_file(&out.join(rel), &bytes).map_err(Failure::Infra)?;
    }
    Ok(())
}
