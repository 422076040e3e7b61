//! No Docker engine answering: exit status 3 and a message that says where
//! netlab looked and what to do.

use crate::support::{QUICK, netlab, run};

const NOWHERE: &str = "unix:///nonexistent.sock";

#[test]
fn every_docker_command_exits_3_when_no_engine_answers() {
    for args in [
        &["run", "labs/task1.yaml"][..],
        &["clean"],
        &["images", "--list"],
    ] {
        let done = run(netlab().env("DOCKER_HOST", NOWHERE).args(args), QUICK);
        done.expect_code(3);
        for says in ["no Docker engine answers", NOWHERE, "DOCKER_HOST"] {
            assert!(
                done.stderr.contains(says),
                "`netlab {}`: no `{says}` in\n{done}",
                args.join(" ")
            );
        }
    }
}

/// An empty `DOCKER_HOST` means the default socket, as for the docker CLI.
#[test]
fn docker_an_empty_docker_host_is_the_local_engine() {
    let done = run(
        netlab().env("DOCKER_HOST", "").args(["images", "--list"]),
        QUICK,
    );
    done.expect_code(0);
}
