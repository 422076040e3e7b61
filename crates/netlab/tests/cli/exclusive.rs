//! `--keep` and `netlab clean`. These run alone (.config/nextest.toml gives
//! them every test thread): `netlab clean` removes every netlab object, and
//! any `netlab run` starting meanwhile would reap the kept objects of the
//! finished run.

use std::time::Duration;

use crate::support::{
    LabGuard, QUICK, assert_nothing_left, containers_of, fixture, netlab, netlab_with_echo,
    networks_of, run,
};

const LAB: &str = "cli-keep";

#[test]
fn clean_removes_what_keep_left() {
    let _guard = LabGuard::new(LAB);
    let done = run(
        netlab_with_echo()
            .arg("run")
            .arg("--keep")
            .arg(fixture("keep.yaml")),
        Duration::from_secs(180),
    );
    done.expect_code(0);
    assert!(
        done.stderr.contains("netlab clean"),
        "--keep should say how to clean\n{done}"
    );
    let (c, n) = (containers_of(LAB), networks_of(LAB));
    assert!(
        c.len() >= 2,
        "--keep left {} container(s), expected server and client",
        c.len()
    );
    assert_eq!(n.len(), 1, "--keep should leave the lab's network");

    let cleaned = run(netlab().arg("clean"), QUICK);
    cleaned.expect_code(0);
    // At least ours (an unrelated leftover would be removed too).
    let (rc, rn) = removed_counts(&cleaned.stdout);
    assert!(
        rc >= c.len() && rn >= n.len(),
        "clean removed too little\n{cleaned}"
    );
    assert_nothing_left(LAB);

    // Nothing of ours left to remove: a second clean still succeeds.
    run(netlab().arg("clean"), QUICK).expect_code(0);
}

/// (containers, networks) from `removed C container(s) and N network(s) ...`.
fn removed_counts(stdout: &str) -> (usize, usize) {
    let words: Vec<&str> = stdout.split_whitespace().collect();
    match words.as_slice() {
        ["removed", c, "container(s)", "and", n, "network(s)", ..] => {
            (c.parse().unwrap(), n.parse().unwrap())
        }
        _ => panic!("unexpected output of netlab clean: {stdout}"),
    }
}
