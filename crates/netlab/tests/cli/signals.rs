//! SIGINT and SIGTERM in the middle of a run: `netlab` removes everything
//! the run created and exits with status 130.

use std::process::Command;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::support::{
    LabGuard, Running, assert_nothing_left, containers_of, fixture, netlab_with_echo, wait_until,
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
    let path = dir.path().join(format!("{lab}.yaml"));
    let template = std::fs::read_to_string(fixture("slow.yaml")).unwrap();
    assert!(template.contains("\nname: cli-slow\n"));
    std::fs::write(
        &path,
        template.replace("\nname: cli-slow\n", &format!("\nname: {lab}\n")),
    )
    .unwrap();

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

    let pid = Pid::from_raw(i32::try_from(netlab.child.id()).unwrap());
    kill(pid, signal).expect("signal netlab");
    // Removing a few containers and a network takes seconds, not minutes.
    let done = netlab.wait(Duration::from_secs(90));
    done.expect_code(130);
    assert!(done.stderr.contains("interrupted"), "{done}");
    assert_nothing_left(lab);
}

/// True when `netlab-echo client` runs in container `id` (exec'd by netlab).
fn runs_client(id: &str) -> bool {
    Command::new("docker")
        .args(["top", id, "-o", "pid,args"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("netlab-echo client"))
}
