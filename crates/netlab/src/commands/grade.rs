//! `netlab grade`: grade every submission of a class against one lab, or
//! one folder (`--submission`, a student checking their own programs). The
//! batch logic is in netlab-grade; the output folder (`out_folder.rs`) gets
//! each student's files as soon as they are graded and the class files
//! rewritten; every run scope is cleaned up on Ctrl-C/SIGTERM.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::anyhow;
use netlab_grade::pool::EngineReport;
use netlab_grade::{Grader, StudentRecord, Submission, discover, one, select};
use netlab_lab::results::Verdict;
use netlab_report::{GradebookLayout, Options, Report, Terminal};
use netlab_runner::events::Events;

use super::pool::prepare_pool;
use super::{Ui, load_labs};
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
    if args.jobs == Some(0) {
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
    let engines = stop.race(args.engines.all()).await??;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let shown = tokio::spawn(progress::show(rx, ui.bars));
    let pool = stop
        .race(prepare_pool(engines, &lab, args.jobs, Events::new(tx)))
        .await??;
    let _ = shown.await;
    let several = pool.engines.len() > 1;
    for (pe, setup) in pool.engines.iter().zip(&pool.setup) {
        if several {
            eprintln!(
                "netlab: engine {}: {} at a time, {}",
                pe.name,
                pe.jobs,
                setup.describe()
            );
        }
    }
    let grader = Grader::new(pool.engines, lab).map_err(usage)?;

    let total = subs.len();
    eprintln!("netlab: grading {total} submission(s), {}", pool.at_a_time);
    let started = Instant::now();
    let mut done = 0usize;
    let mut ungraded: Vec<String> = Vec::new();
    let mut write_error: Option<Failure> = None;
    let mut verdicts = Vec::new();
    let mut last: Option<StudentRecord> = None;
    let on_done = |record: StudentRecord| {
        done += 1;
        let on = match (&record.engine, several) {
            (Some(e), true) => format!(" (on {e})"),
            _ => String::new(),
        };
        eprintln!("[{done}/{total}] {}{on}", line(&record));
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
    let batch = tokio::select! {
        b = grader.grade_all(subs, on_done) => Some(b),
        _ = stop.wait() => None,
    };
    let kept = match &out {
        Some(dir) => format!("the results graded so far are in {}", dir.display()),
        None => "nothing was written (no --out)".to_owned(),
    };
    let Some(batch) = batch else {
        grader.cleanup_live().await;
        eprintln!(
            "netlab: interrupted; removed the containers and networks of the submissions in progress; {kept}"
        );
        return Err(Failure::Interrupted);
    };
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
    if several || batch.engines.iter().any(|e| e.lost.is_some()) {
        for e in &batch.engines {
            eprintln!("netlab: {}", engine_line(e));
        }
    }
    for e in &batch.cleanup_errors {
        eprintln!(
            "netlab: warning: could not remove the standby reference hosts on {e}; `netlab clean` removes them"
        );
    }
    if !batch.not_graded.is_empty() {
        eprintln!(
            "netlab: not graded, every engine was lost first: {}; regrade them with --only ID once an engine answers",
            batch.not_graded.join(", ")
        );
        return Ok(ExitCode::from(exit::INFRA));
    }
    if !ungraded.is_empty() {
        eprintln!(
            "netlab: not graded because of infrastructure errors (after a retry), their grade cells are empty: {}; regrade with --only ID",
            ungraded.join(", ")
        );
        return Ok(ExitCode::from(exit::INFRA));
    }
    Ok(ExitCode::from(exit::OK))
}

/// `engine tcp://…: 14 graded, 2 at a time, first student after 0.1 s, busy for 38.2 s`.
fn engine_line(e: &EngineReport) -> String {
    let mut s = format!(
        "engine {}: {} graded, {} at a time",
        e.name, e.graded, e.jobs
    );
    if let Some(first) = e.first_start {
        s.push_str(&format!(
            ", first student after {:.1} s, busy until {:.1} s",
            first.as_secs_f64(),
            e.busy_until.as_secs_f64()
        ));
    }
    if let Some(why) = &e.lost {
        s.push_str(&format!(
            "; TAKEN OUT OF THE POOL: {why} (its students in progress were graded on the other engines)"
        ));
    }
    s
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
