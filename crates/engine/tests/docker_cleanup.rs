//! Cleanup by label, and the reaper: a dead owner's objects go, a live run's stay.

mod common;

use netlab_engine::labels::Owner;
use netlab_engine::{ContainerSpec, ImageKind, Run};

#[tokio::test(flavor = "multi_thread")]
async fn reaper_removes_dead_owners_objects_but_not_live_ones() {
    let engine = common::engine().await;
    let echo = common::image(&engine, ImageKind::Echo).await;

    // A run stamped with an owner that no longer exists on this host: our own
    // pid with another start time, i.e. a recycled pid.
    let me = Owner::current();
    let dead_owner = Owner {
        start: me.start + 1,
        ..me
    };
    let dead_id = Run::new(&engine, "reaper-test").id().to_string();
    let dead = Run::with_owner(&engine, &dead_id, "reaper-test", dead_owner);
    let _dead_guard = dead.guard();
    let (live, _live_guard) = common::run(&engine, "reaper-test");

    for run in [&dead, &live] {
        let net = run
            .create_network("lan", &Default::default())
            .await
            .unwrap();
        let server = run
            .start_container(
                &ContainerSpec::new("server", &echo)
                    .cmd(&["server"])
                    .network(&net.docker_name, &[]),
            )
            .await
            .unwrap();
        assert!(server.pid > 0);
    }
    assert_eq!(common::leftovers(&engine, dead.id()).await, (1, 1));

    let reaped = engine.reap_dead_runs().await.unwrap();
    assert!(
        reaped.runs.contains(dead.id()),
        "dead run reaped: {reaped:?}"
    );
    assert!(
        !reaped.runs.contains(live.id()),
        "live run spared: {reaped:?}"
    );
    assert_eq!(common::leftovers(&engine, dead.id()).await, (0, 0));
    assert_eq!(common::leftovers(&engine, live.id()).await, (1, 1));

    // The live run's own cleanup leaves nothing, and is idempotent.
    let removed = live.cleanup().await.unwrap();
    assert_eq!((removed.containers, removed.networks), (1, 1));
    let again = live.cleanup().await.unwrap();
    assert_eq!((again.containers, again.networks), (0, 0));
    assert_eq!(common::leftovers(&engine, live.id()).await, (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn guard_cleans_up_after_a_panic() {
    let engine = common::engine().await;
    let echo = common::image(&engine, ImageKind::Echo).await;
    let run = Run::new(&engine, "guard-test");
    let id = run.id().to_string();
    let task_run = run.clone();
    // The task panics while holding the guard; unwinding drops it.
    let result = tokio::spawn(async move {
        let _guard = task_run.guard();
        let net = task_run
            .create_network("lan", &Default::default())
            .await
            .unwrap();
        task_run
            .start_container(&ContainerSpec::new("idle", &echo).network(&net.docker_name, &[]))
            .await
            .unwrap();
        panic!("test failure in the middle of a run");
    })
    .await;
    assert!(result.unwrap_err().is_panic());
    assert_eq!(common::leftovers(&engine, &id).await, (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn kept_runs_survive_the_reaper_until_clean() {
    let engine = common::engine().await;
    let echo = common::image(&engine, ImageKind::Echo).await;
    let me = Owner::current();
    let ended = Owner {
        start: me.start + 1,
        ..me
    };
    let id = Run::new(&engine, "keep-test").id().to_string();
    let kept = Run::with_owner(&engine, &id, "keep-test", ended).kept();
    let _guard = kept.guard();
    let net = kept
        .create_network("lan", &Default::default())
        .await
        .unwrap();
    kept.start_container(&ContainerSpec::new("server", &echo).network(&net.docker_name, &[]))
        .await
        .unwrap();

    let reaped = engine.reap_dead_runs().await.unwrap();
    assert!(!reaped.runs.contains(&id), "kept run spared: {reaped:?}");
    assert_eq!(common::leftovers(&engine, &id).await, (1, 1));

    let cleaned = engine.clean_finished().await.unwrap();
    assert!(cleaned.runs.contains(&id), "clean removes it: {cleaned:?}");
    assert_eq!(common::leftovers(&engine, &id).await, (0, 0));
}
