//! `--keep`, `netlab clean` and `netlab images --prune`. These run alone
//! (.config/nextest.toml gives them every test thread): `netlab clean`
//! removes every netlab object, any `netlab run` starting meanwhile would
//! reap the kept objects of the finished run, and a prune removes every
//! netlab image but the current ones.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use netlab_engine::{ImageKind, labels};

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

/// Two stale netlab images (what an earlier build of netlab leaves): one is
/// pruned, one stays because a container uses it; the current ones stay.
#[test]
fn images_prune_removes_stale_images_but_not_current_or_used_ones() {
    let _guard = StaleImages;
    let (stale_free, stale_used) = (stale_tag(1), stale_tag(2));
    stale_image(&stale_free);
    stale_image(&stale_used);
    let used = docker(&[
        "create",
        "--label",
        "netlab.test=prune",
        &stale_used,
        "/none",
    ]);
    assert!(used.status.success(), "docker create failed");

    let pruned = run(netlab_with_echo().args(["images", "--prune"]), BUILD);
    pruned.expect_code(0);
    assert!(
        pruned
            .stdout
            .contains(&format!("removed {stale_free} (0.0 MB)")),
        "{pruned}"
    );
    assert!(
        pruned.stdout.contains(&format!(
            "kept    {stale_used} (0.0 MB): a container uses it"
        )),
        "{pruned}"
    );
    assert!(!image_exists(&stale_free), "{stale_free} is still there");
    assert!(image_exists(&stale_used), "an image in use was removed");

    // The current images are untouched: nothing to build, all present.
    let listed = run(netlab_with_echo().args(["images", "--list"]), QUICK);
    listed.expect_code(0);
    assert_eq!(listed.stdout.matches("  present").count(), 3, "{listed}");
    assert!(!listed.stdout.contains("missing"), "{listed}");
}

/// A tag of the echo image that no build of netlab makes.
fn stale_tag(n: u8) -> String {
    format!("{}:000000prune{n}", ImageKind::Echo.repository())
}

/// `netlab images` may have to build the current images first.
const BUILD: Duration = Duration::from_secs(900);

/// An empty image labelled like netlab's echo image, under `tag`.
fn stale_image(tag: &str) {
    let mut import = Command::new("docker")
        .args(["import", "--change"])
        .arg(format!(
            "LABEL {}={}",
            labels::IMAGE,
            ImageKind::Echo.name()
        ))
        .args(["-", tag])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("docker CLI (the tests need Docker)");
    // An empty tar archive: ten blocks of zeros.
    import
        .stdin
        .take()
        .unwrap()
        .write_all(&[0u8; 10240])
        .unwrap();
    assert!(
        import.wait().unwrap().success(),
        "docker import {tag} failed"
    );
}

fn docker(args: &[&str]) -> std::process::Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("docker CLI (the tests need Docker)")
}

fn image_exists(tag: &str) -> bool {
    docker(&["image", "inspect", tag]).status.success()
}

/// Removes the test's container and images however the test ends.
struct StaleImages;

impl Drop for StaleImages {
    fn drop(&mut self) {
        let ids = docker(&["ps", "-aq", "--filter", "label=netlab.test=prune"]);
        for id in String::from_utf8_lossy(&ids.stdout).split_whitespace() {
            docker(&["rm", "-f", id]);
        }
        docker(&["rmi", "-f", &stale_tag(1), &stale_tag(2)]);
    }
}
