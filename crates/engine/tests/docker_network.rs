//! Networks: internal, labelled, Docker-allocated subnet, a free address, removal.

mod common;

use bollard::query_parameters::InspectNetworkOptions;
use netlab_engine::labels;

#[tokio::test(flavor = "multi_thread")]
async fn network_is_internal_labelled_and_removed() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "net-test");
    let lab = common::echo_lab(&engine, &run).await;

    let net = engine
        .docker()
        .inspect_network(&lab.net.id, None::<InspectNetworkOptions>)
        .await
        .unwrap();
    assert_eq!(net.internal, Some(true), "lab networks are internal");
    // Nobody holds the gateway address: the engine's machine is out of reach.
    let inhibit = net
        .options
        .as_ref()
        .and_then(|o| o.get("com.docker.network.bridge.inhibit_ipv4"));
    assert_eq!(inhibit.map(String::as_str), Some("true"));
    let l = net.labels.unwrap();
    assert_eq!(l.get(labels::RUN).map(String::as_str), Some(run.id()));
    assert_eq!(l.get(labels::LAB).map(String::as_str), Some("net-test"));
    assert!(l.contains_key(labels::OWNER));

    // The containers' addresses are inside the allocated subnet.
    let subnet = lab.net.subnet;
    let within = |a: std::net::Ipv4Addr| subnet.hosts_descending().any(|h| h == a);
    let server_ip = lab
        .server
        .ip_on(&lab.net.docker_name)
        .expect("server has an address");
    assert!(within(server_ip), "{server_ip} in {subnet}");

    // A free address: in the subnet, neither the gateway nor a container's.
    let free = engine.free_address(&lab.net).await.unwrap();
    assert!(within(free));
    assert_ne!(Some(free), lab.net.gateway);
    assert_ne!(Some(free), lab.server.ip());
    assert_ne!(Some(free), lab.client.ip());

    let removed = run.cleanup().await.unwrap();
    assert_eq!((removed.containers, removed.networks), (2, 1));
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn network_with_requested_subnet() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "net-test");
    // Ask for a subnet Docker just gave another network, after freeing it:
    // the test never invents an address range. A concurrent test may grab the
    // freed range first, so try a few times.
    let mut created = None;
    for _ in 0..3 {
        let probe = run
            .create_network("probe", &Default::default())
            .await
            .unwrap();
        let wanted = probe.subnet.to_string();
        run.cleanup().await.unwrap();
        let opts = netlab_engine::NetworkOptions {
            subnet: Some(wanted.clone()),
            ..Default::default()
        };
        if let Ok(net) = run.create_network("lan", &opts).await {
            created = Some((net, wanted));
            break;
        }
    }
    let (net, wanted) = created.expect("a network with a requested subnet");
    assert_eq!(net.subnet.to_string(), wanted);
    run.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}

/// A host of one run (a grader's standby client), created on another run's
/// network, leaves it and joins it again under a lab name, and probes each
/// time. A run whose network still holds a borrowed host removes it all the
/// same, and the borrowed host keeps running.
#[tokio::test(flavor = "multi_thread")]
async fn a_standby_host_joins_and_leaves_other_runs_networks() {
    let engine = common::engine().await;
    let (keeper, _g1) = common::run(&engine, "standby-test");
    let (student, _g2) = common::run(&engine, "net-test");
    let echo = common::image(&engine, netlab_engine::ImageKind::Echo).await;
    let lab = common::echo_lab(&engine, &student).await;
    let net = lab.net.docker_name.as_str();
    let mut standby = keeper
        .start_container(
            &netlab_engine::ContainerSpec::new("client", &echo)
                .network(net, &["client"])
                .fast_dns_failure(),
        )
        .await
        .unwrap();

    for round in 0..3 {
        if round > 0 {
            engine.leave_network(&standby.id, net).await.unwrap();
            standby = engine
                .join_network(&standby, net, &["client".to_string()])
                .await
                .unwrap();
        }
        assert!(standby.ip_on(net).is_some(), "{standby:?}");
        let records = common::probe(&engine, &standby, "udp", "server:12000", 2).await;
        assert!(
            records
                .iter()
                .all(|r| r.outcome == netlab_contract::Outcome::Ok),
            "round {round}: {records:?}"
        );
    }

    // Still attached: the student's cleanup detaches it and removes the network.
    student.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, student.id()).await, (0, 0));
    assert_eq!(
        engine.exit_code(&standby.id).await.unwrap(),
        None,
        "still runs"
    );
    keeper.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, keeper.id()).await, (0, 0));
}
