//! SIGINT and SIGTERM in the middle of a run or of a grading batch: `netlab`
//! removes everything it created and exits with status 130; `netlab grade`
//! keeps the results of the submissions it finished.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{
    Finished, LabGuard, Running, assert_nothing_left, containers_of, fixture, netlab_with_echo,
    networks_of, root, wait_until,
};

#[test]
fn sigint_mid_run_exits_130_and_leaves_nothing() {
    interrupt_mid_run(Signal::SIGINT, "cli-slow-sigint");
}

#[test]
fn sigterm_mid_run_exits_130_and_leaves_nothing() {
    interrupt_mid_run(Signal::SIGTERM, "cli-slow-sigterm");
}

fn interrupt_mid_run(signal: Signal, lab: &str) {
    let _guard = LabGuard::new(lab);
    let dir = tempfile::tempdir().unwrap();
    let path = renamed(&fixture("slow.yaml"), "cli-slow", lab, dir.path());

    let mut netlab = Running::spawn(netlab_with_echo().arg("run").arg(&path));
    // Mid-run means a client is probing the firewalled server (each connect
    // waits up to 20 s, the whole run minutes): wait for that, bounded.
    let probing = wait_until(Duration::from_secs(180), || {
        netlab.exited() || containers_of(lab).iter().any(|id| runs_client(id))
    });
    assert!(
        probing && !netlab.exited(),
        "the run never reached its probes (or ended early)\n{}",
        netlab.wait(Duration::from_secs(10))
    );

    interrupt(netlab, signal);
    assert_nothing_left(lab);
}

/// A copy of the lab file `template` (named `name`) in `dir`, named `lab` so
/// that this test finds its own objects by their `netlab.lab` label.
fn renamed(template: &Path, name: &str, lab: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(template).unwrap();
    let line = format!("\nname: {name}\n");
    assert!(
        text.contains(&line),
        "{} is not named {name}",
        template.display()
    );
    let path = dir.join(format!("{lab}.yaml"));
    std::fs::write(&path, text.replace(&line, &format!("\nname: {lab}\n"))).unwrap();
    path
}

/// Sends `signal` to netlab: it exits 130 and says it was interrupted.
/// Removing what is in progress takes seconds, not minutes.
fn interrupt(netlab: Running, signal: Signal) -> Finished {
    let pid = Pid::from_raw(i32::try_from(netlab.child.id()).unwrap());
    kill(pid, signal).expect("signal netlab");
    let done = netlab.wait(Duration::from_secs(90));
    done.expect_code(130);
    assert!(done.stderr.contains("interrupted"), "{done}");
    done
}

/// True when `netlab-echo client` runs in container `id` (exec'd by netlab).
fn runs_client(id: &str) -> bool {
    Command::new("docker")
        .args(["top", id, "-o", "pid,args"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("netlab-echo client"))
}

/// Example submissions graded by the interrupted batch, in the grader's
/// (sorted) order. With `--jobs 2` each takes several seconds, so when the
/// first one finishes at least four are still to grade (s006, whose probes
/// all time out, comes after the quick ones).
const BATCH: [&str; 6] = [
    "s001-correct",
    "s002-no-uppercase",
    "s003-exits-after-one",
    "s004-no-rtt",
    "s006-silent-server-no-timeout",
    "s009-truncated",
];

#[test]
fn sigint_mid_grade_keeps_what_was_graded_and_leaves_nothing() {
    interrupt_mid_grade(Signal::SIGINT, "cli-grade-sigint");
}

#[test]
fn sigterm_mid_grade_keeps_what_was_graded_and_leaves_nothing() {
    interrupt_mid_grade(Signal::SIGTERM, "cli-grade-sigterm");
}

/// README: `netlab grade` exits 130 when interrupted and "what was graded is
/// kept"; every submission's results are written as it finishes.
fn interrupt_mid_grade(signal: Signal, lab: &str) {
    let _guard = LabGuard::new(lab);
    let dir = tempfile::tempdir().unwrap();
    let path = renamed(
        &root().join("labs/grading/handout.yaml"),
        "grade-handout",
        lab,
        dir.path(),
    );
    let subs = dir.path().join("submissions");
    for id in BATCH {
        copy_submission(
            &root().join("examples/submissions").join(id),
            &subs.join(id),
        );
    }
    let out = dir.path().join("out");

    let mut netlab = Running::spawn(
        netlab_with_echo()
            .arg("grade")
            .arg(&path)
            .arg("--submissions")
            .arg(&subs)
            .args(["--jobs", "2", "--out"])
            .arg(&out),
    );
    // Mid-batch: a submission is finished (its result.json, renamed into
    // place, is the first file written for it) while others still have
    // containers or a network. The bound covers building images on first use.
    let mut before = Vec::new();
    let mid_batch = wait_until(Duration::from_secs(240), || {
        if netlab.exited() {
            return true;
        }
        before = finished_ids(&out);
        !before.is_empty() && (!containers_of(lab).is_empty() || !networks_of(lab).is_empty())
    });
    assert!(
        mid_batch && !netlab.exited() && before.len() < BATCH.len(),
        "grading never reached the middle of the batch (or ended early); graded: {before:?}\n{}",
        netlab.wait(Duration::from_secs(10))
    );

    let done = interrupt(netlab, signal);
    // The signal can abandon a removal that Docker then finishes; cleanup
    // must wait for it, not report the container as left behind.
    assert!(
        !done.stderr.contains("cleanup of run"),
        "cleanup on interruption reported a failure\n{done}"
    );
    assert_nothing_left(lab);

    // What netlab reported graded (`[k/6] ID: ...`) is exactly what was kept:
    // at least what was graded before the signal, never everything.
    let reported: Vec<String> = done
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix('[')?.split_once("] ")?.1.split_once(':'))
        .map(|(id, _)| id.to_owned())
        .collect();
    let mut kept = graded_ids(&out);
    kept.sort();
    let mut sorted = reported.clone();
    sorted.sort();
    assert_eq!(
        kept, sorted,
        "grades.csv rows against netlab's report\n{done}"
    );
    assert!(
        before.iter().all(|id| kept.contains(id)),
        "graded before the signal: {before:?}, kept: {kept:?}"
    );
    assert!(
        kept.len() < BATCH.len(),
        "every submission was graded: the signal came too late to test anything\n{done}"
    );
    assert_class_files(&out, &kept);
}

/// The class and per-student files of an interrupted batch: complete, for
/// exactly the students in `kept`, and nothing half-written.
fn assert_class_files(out: &Path, kept: &[String]) {
    let mut csv = csv::Reader::from_path(out.join("grades.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    assert_eq!((&header[0], &header[1]), ("student", "total"));
    let checks = header.len() - 2;
    assert!(checks > 0, "{header:?}");
    for row in csv.records() {
        let row = row.expect("every row has a cell per column");
        for cell in row.iter().skip(1) {
            assert!(
                cell.parse::<f64>().is_ok(),
                "not a grade: {cell:?} in {row:?}"
            );
        }
    }

    let mut students: Vec<String> = std::fs::read_dir(out.join("students"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    students.sort();
    assert_eq!(
        students, kept,
        "students/ holds the graded submissions only"
    );
    for id in kept {
        let dir = out.join("students").join(id);
        let result = json(&dir.join("result.json"));
        assert_eq!(result["student"], id.as_str());
        assert!(json(&dir.join("results.json"))["tests"].is_array(), "{id}");
        for file in ["feedback.md", "report.html"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(text.contains(id.as_str()), "{id}/{file}");
        }
    }

    let summary = json(&out.join("summary.json"));
    let listed: Vec<&str> = summary["students"]
        .as_array()
        .expect("summary.json lists students")
        .iter()
        .map(|s| s["student"].as_str().unwrap())
        .collect();
    assert_eq!(listed, kept, "summary.json");
    assert_eq!(summary["summary"]["checks"], checks * kept.len());
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    assert!(kept.iter().all(|id| junit.contains(id.as_str())), "{junit}");

    // Files are written to a hidden temporary, then renamed.
    let mut hidden = Vec::new();
    for d in
        std::iter::once(out.to_owned()).chain(kept.iter().map(|id| out.join("students").join(id)))
    {
        for e in std::fs::read_dir(&d).unwrap() {
            let name = e.unwrap().file_name();
            if name.to_string_lossy().starts_with('.') {
                hidden.push(d.join(name));
            }
        }
    }
    assert!(hidden.is_empty(), "half-written files left: {hidden:?}");
}

/// Students with a `<out>/students/<id>/result.json`, sorted.
fn finished_ids(out: &Path) -> Vec<String> {
    let Ok(dirs) = std::fs::read_dir(out.join("students")) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = dirs
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("result.json").is_file())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    ids.sort();
    ids
}

/// Student ids of the rows of `<out>/grades.csv` (none before it exists).
fn graded_ids(out: &Path) -> Vec<String> {
    let Ok(mut csv) = csv::Reader::from_path(out.join("grades.csv")) else {
        return Vec::new();
    };
    csv.records()
        .map(|r| r.expect("grades.csv parses")[0].to_owned())
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Copies an example submission, readable by the sandbox user (uid 65534)
/// whatever the umask.
fn copy_submission(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        assert!(e.file_type().unwrap().is_file(), "{:?}", e.path());
        let dest = to.join(e.file_name());
        std::fs::copy(e.path(), &dest).unwrap();
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}
