//! Usage mistakes exit with status 2 and say what is wrong; `--help` works.

use crate::support::{QUICK, netlab, run};

fn usage_error(args: &[&str], says: &str) {
    let done = run(netlab().args(args), QUICK);
    done.expect_code(2);
    assert!(
        done.stderr.contains(says),
        "`netlab {}`: no `{says}` in\n{done}",
        args.join(" ")
    );
}

#[test]
fn unknown_flag() {
    usage_error(
        &["run", "--frobnicate", "labs/task1.yaml"],
        "unexpected argument '--frobnicate'",
    );
}

#[test]
fn missing_lab() {
    usage_error(&["run"], "<LAB>");
    usage_error(&["validate"], "<LAB>");
}

#[test]
fn missing_or_unknown_subcommand() {
    usage_error(&[], "Usage: netlab");
    usage_error(&["frobnicate"], "unrecognized subcommand 'frobnicate'");
}

#[test]
fn nonexistent_lab_file() {
    for cmd in ["run", "validate"] {
        usage_error(
            &[cmd, "labs/task1.yaml", "labs/no-such-lab.yaml"],
            "labs/no-such-lab.yaml: error: cannot read the lab file",
        );
    }
}

#[test]
fn help_documents_exit_statuses() {
    let done = run(netlab().arg("--help"), QUICK);
    done.expect_code(0);
    assert!(
        done.stdout.contains("Exit status: 0 all checks passed"),
        "{done}"
    );
    run(netlab().args(["run", "--help"]), QUICK).expect_code(0);
}
