//! Faults through a NET_ADMIN sidecar in the target's network namespace.

mod common;

use bollard::query_parameters::InspectContainerOptions;
use netlab_contract::Outcome;
use netlab_engine::{EngineError, ImageKind};

#[tokio::test(flavor = "multi_thread")]
async fn sidecar_drop_rule_turns_probes_into_timeouts() {
    let engine = common::engine().await;
    let tools = common::image(&engine, ImageKind::Tools).await;
    let (run, _guard) = common::run(&engine, "sidecar-test");
    let lab = common::echo_lab(&engine, &run).await;

    let before = common::probe(&engine, &lab.client, "udp", "server:12000", 2).await;
    assert!(
        before.iter().all(|r| r.outcome == Outcome::Ok),
        "{before:?}"
    );

    let fx = run.start_sidecar(&lab.server, &tools).await.unwrap();
    fx.run_all(&[
        vec![
            "iptables", "-A", "INPUT", "-p", "udp", "--dport", "12000", "-j", "DROP",
        ],
        vec![
            "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "12000", "-j", "DROP",
        ],
    ])
    .await
    .unwrap();

    for proto in ["udp", "tcp"] {
        let after = common::probe(&engine, &lab.client, proto, "server:12000", 2).await;
        assert!(
            after.iter().all(|r| r.outcome == Outcome::Timeout),
            "{proto} into DROP: {after:?}"
        );
    }

    // The rule lives in the server's namespace, applied by the sidecar alone:
    // the server itself holds no capability.
    let hc = engine
        .docker()
        .inspect_container(&lab.server.id, None::<InspectContainerOptions>)
        .await
        .unwrap()
        .host_config
        .unwrap();
    assert!(hc.cap_add.unwrap_or_default().is_empty());
    let fx_hc = engine
        .docker()
        .inspect_container(&fx.container.id, None::<InspectContainerOptions>)
        .await
        .unwrap()
        .host_config
        .unwrap();
    assert_eq!(fx_hc.cap_add, Some(vec!["NET_ADMIN".to_string()]));
    assert_eq!(
        fx_hc.network_mode,
        Some(format!("container:{}", lab.server.id))
    );

    // A failing command is a typed error with the command and its stderr.
    let err = fx
        .run(&["iptables", "-A", "NO-SUCH-CHAIN", "-j", "DROP"])
        .await
        .unwrap_err();
    match &err {
        EngineError::SidecarCommand {
            command,
            code,
            stderr,
            ..
        } => {
            assert!(command.contains("NO-SUCH-CHAIN"));
            assert_ne!(*code, 0);
            assert!(!stderr.is_empty());
        }
        e => panic!("expected SidecarCommand, got {e}"),
    }

    // In one script, the command that failed is named, and the ones after
    // it do not run.
    let err = fx
        .run_all(&[
            vec!["iptables", "-N", "netlab-test"],
            vec!["iptables", "-A", "NO-SUCH-CHAIN", "-j", "DROP"],
            vec!["iptables", "-N", "netlab-never"],
        ])
        .await
        .unwrap_err();
    match &err {
        EngineError::SidecarCommand {
            command, stderr, ..
        } => {
            assert_eq!(command, "iptables -A NO-SUCH-CHAIN -j DROP");
            assert!(
                !stderr.is_empty() && !stderr.contains("netlab-sidecar-failed"),
                "{stderr}"
            );
        }
        e => panic!("expected SidecarCommand, got {e}"),
    }
    let chains = fx.run(&["iptables", "-S"]).await.unwrap().stdout.text();
    assert!(chains.contains("-N netlab-test"), "{chains}");
    assert!(!chains.contains("netlab-never"), "{chains}");

    // This kernel has no sch_netem: detected, not pretended.
    assert!(
        !fx.netem_supported().await.unwrap(),
        "netem reported as supported here"
    );

    let removed = run.cleanup().await.unwrap();
    assert_eq!(removed.containers, 3, "server, client, sidecar");
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}
