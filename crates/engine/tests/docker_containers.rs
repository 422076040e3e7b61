//! Containers from the echo image: reached by alias, exec (stdin, timeout,
//! cap, exit code), readiness by log and by port, early exit, deadlines.

mod common;

use std::time::{Duration, Instant};

use bollard::query_parameters::InspectContainerOptions;
use netlab_contract::Outcome;
use netlab_engine::{ContainerSpec, EngineError, ExecRequest, ImageKind, Proto};

#[tokio::test(flavor = "multi_thread")]
async fn echo_server_is_reached_by_alias_from_another_container() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let t = Instant::now();
    let lab = common::echo_lab(&engine, &run).await;
    eprintln!("network + ready server + client: {:?}", t.elapsed());

    for (proto, target) in [("udp", "server:12000"), ("tcp", "echo-srv:12000")] {
        let t = Instant::now();
        let records = common::probe(&engine, &lab.client, proto, target, 3).await;
        eprintln!("{proto} probe exec: {:?}", t.elapsed());
        assert_eq!(records.len(), 3, "{proto}: three probe records");
        assert!(
            records.iter().all(|r| r.outcome == Outcome::Ok),
            "{proto} to {target}: {records:?}"
        );
    }
    // A name nobody holds fails fast as a DNS error (resolver timeout:1 attempts:1).
    let t = Instant::now();
    let records = common::probe(&engine, &lab.client, "udp", "nosuchhost:12000", 1).await;
    eprintln!("unknown-name probe exec: {:?}", t.elapsed());
    assert_eq!(records[0].outcome, Outcome::Dns, "{records:?}");

    // Every container is confined: no capabilities, no-new-privileges, capped logs.
    let info = engine
        .docker()
        .inspect_container(&lab.server.id, None::<InspectContainerOptions>)
        .await
        .unwrap();
    let hc = info.host_config.unwrap();
    assert_eq!(hc.cap_drop, Some(vec!["ALL".to_string()]));
    assert!(hc.cap_add.unwrap_or_default().is_empty());
    assert_eq!(
        hc.security_opt,
        Some(vec!["no-new-privileges:true".to_string()])
    );
    assert_eq!(
        hc.log_config
            .and_then(|l| l.config)
            .and_then(|c| c.get("max-size").cloned()),
        Some("1m".to_string())
    );
    assert!(lab.server.pid > 0, "host PID of the container's init");

    let t = Instant::now();
    run.cleanup().await.unwrap();
    eprintln!("cleanup: {:?}", t.elapsed());
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn exec_feeds_stdin_enforces_timeout_and_caps_output() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let lab = common::echo_lab(&engine, &run).await;
    let client = &lab.client.id;

    // stdin: each line becomes one probe, answered in uppercase.
    let argv = [
        "/netlab-echo",
        "client",
        "--stdin",
        "--proto",
        "tcp",
        "--server",
        "server:12000",
        "--json",
    ];
    let out = engine
        .exec(client, &ExecRequest::new(&argv).stdin("abc\nhello there\n"))
        .await
        .unwrap();
    assert_eq!(out.exit_code, Some(0), "stderr: {}", out.stderr.text());
    let records = common::probes(&out.stdout.text());
    assert_eq!(
        records.len(),
        2,
        "one probe per stdin line: {}",
        out.stdout.text()
    );
    assert!(records.iter().all(|r| r.outcome == Outcome::Ok));

    // Timeout: a command that never ends is reported, not waited for.
    let started = Instant::now();
    let out = engine
        .exec(
            client,
            &ExecRequest::new(&["/netlab-echo", "idle"]).timeout(Duration::from_millis(500)),
        )
        .await
        .unwrap();
    assert!(out.timed_out);
    assert_eq!(out.exit_code, None);
    assert!(started.elapsed() < Duration::from_millis(500) + Duration::from_secs(2));

    // Cap: first and last part kept, the cut said.
    let argv = [
        "/netlab-echo",
        "client",
        "--proto",
        "udp",
        "--server",
        "server:12000",
        "--count",
        "30",
        "--interval",
        "1ms",
        "--json",
    ];
    let out = engine
        .exec(client, &ExecRequest::new(&argv).output_cap(800))
        .await
        .unwrap();
    assert_eq!(out.exit_code, Some(0));
    assert!(out.stdout.truncated());
    assert!(out.stdout.total_bytes() > 800);
    let text = out.stdout.text();
    assert!(text.starts_with("{\"type\":\"probe\""), "head kept: {text}");
    assert!(text.contains("bytes cut by netlab"), "{text}");
    assert!(text.trim_end().ends_with('}'), "tail kept: {text}");

    // A failing command's exit code (clap's usage error is 2) and stderr.
    let out = engine
        .exec(
            client,
            &ExecRequest::new(&["/netlab-echo", "no-such-subcommand"]),
        )
        .await
        .unwrap();
    assert_eq!(out.exit_code, Some(2));
    assert!(
        out.stderr.text().contains("no-such-subcommand"),
        "{}",
        out.stderr.text()
    );

    run.cleanup().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn readiness_by_log_and_by_port_and_early_exit() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let echo = common::image(&engine, ImageKind::Echo).await;
    let net = run
        .create_network("lan", &Default::default())
        .await
        .unwrap();

    // By port: the server binds TCP and UDP 12000 in its own namespace.
    let server = run
        .start_container(
            &ContainerSpec::new("server", &echo)
                .cmd(&["server"])
                .network(&net.docker_name, &[]),
        )
        .await
        .unwrap();
    let t = Instant::now();
    engine
        .wait_for_port(&server, 12000, Proto::Tcp, Duration::from_secs(10))
        .await
        .unwrap();
    engine
        .wait_for_port(&server, 12000, Proto::Udp, Duration::from_secs(10))
        .await
        .unwrap();
    eprintln!("server ports bound {:?} after start", t.elapsed());
    engine
        .wait_for_log(&server, "ready", Duration::from_secs(10))
        .await
        .unwrap();

    // Not ready in time: a port nobody binds, a text never printed.
    let err = engine
        .wait_for_port(&server, 12001, Proto::Tcp, Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::NotReady { .. }), "{err}");
    let err = engine
        .wait_for_log(&server, "never printed", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(err, EngineError::NotReady { .. }), "{err}");

    // A container that dies at once: its exit code and its last lines.
    let broken = run
        .start_container(
            &ContainerSpec::new("broken", &echo)
                .cmd(&["no-such-subcommand"])
                .network(&net.docker_name, &[]),
        )
        .await
        .unwrap();
    let err = engine
        .wait_for_log(&broken, "ready", Duration::from_secs(10))
        .await
        .unwrap_err();
    match &err {
        EngineError::ExitedEarly {
            code, last_lines, ..
        } => {
            assert_eq!(*code, 2);
            assert!(last_lines.contains("no-such-subcommand"), "{last_lines}");
        }
        e => panic!("expected ExitedEarly, got {e}"),
    }
    let err = engine
        .wait_for_port(&broken, 12000, Proto::Udp, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, EngineError::ExitedEarly { code: 2, .. }),
        "{err}"
    );
    assert_eq!(engine.exit_code(&broken.id).await.unwrap(), Some(2));

    run.cleanup().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_exit_kills_and_removes_at_the_deadline() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let echo = common::image(&engine, ImageKind::Echo).await;

    let idle = run
        .start_container(&ContainerSpec::new("idle", &echo))
        .await
        .unwrap();
    assert_eq!(engine.exit_code(&idle.id).await.unwrap(), None, "idle runs");
    let started = Instant::now();
    let status = engine
        .wait_exit(&idle.id, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(status.timed_out);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        common::leftovers(&engine, run.id()).await.0,
        0,
        "killed and removed"
    );

    let quick = run
        .start_container(&ContainerSpec::new("quick", &echo).cmd(&["--version"]))
        .await
        .unwrap();
    let status = engine
        .wait_exit(&quick.id, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!((status.code, status.timed_out), (Some(0), false));
    let logs = engine.logs(&quick.id, 1024).await.unwrap();
    assert!(
        logs.stdout.text().contains("netlab-echo"),
        "{}",
        logs.stdout.text()
    );

    run.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}

/// Two removals of one container at once, as when Ctrl-C abandons a removal
/// mid-request and the interrupted command's cleanup removes the same run
/// again: Docker answers the later one 409 "removal ... already in
/// progress". Both succeed, and only once the container is gone (so the
/// network can be removed next).
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_removals_of_a_container_both_succeed_once_it_is_gone() {
    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let lab = common::echo_lab(&engine, &run).await;
    let id = lab.server.id.as_str();
    let (first, second) = tokio::join!(engine.remove_container(id), engine.remove_container(id));
    first.expect("first removal");
    second.expect("second removal");
    let gone = engine
        .docker()
        .inspect_container(id, None::<InspectContainerOptions>)
        .await;
    assert!(
        matches!(
            gone,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404,
                ..
            })
        ),
        "the container is still there after both removals returned: {gone:?}"
    );
    run.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}

/// The memory a server uses is read from its cgroup file on a local engine
/// (no second-long wait for the statistics API) and agrees with the API.
#[tokio::test(flavor = "multi_thread")]
async fn memory_in_use_is_read_from_the_cgroup_and_agrees_with_the_api() {
    use bollard::query_parameters::StatsOptionsBuilder;
    use futures_util::StreamExt;

    let engine = common::engine().await;
    let (run, _guard) = common::run(&engine, "containers-test");
    let python = common::image(&engine, ImageKind::Python).await;
    let hog = "b = bytearray(40 << 20)\nprint('ready', flush=True)\nimport time\ntime.sleep(60)";
    let mut spec = ContainerSpec::new("hog", &python).cmd(&["python3", "-c", hog]);
    spec.limits.memory_bytes = Some(256 << 20);
    let c = run.start_container(&spec).await.unwrap();
    engine
        .wait_for_log(&c, "ready", Duration::from_secs(20))
        .await
        .unwrap();

    let local = engine.memory_in_use(&c).await.unwrap();
    let opts = StatsOptionsBuilder::new()
        .stream(false)
        .one_shot(true)
        .build();
    let api = Box::pin(engine.docker().stats(&c.id, Some(opts)))
        .next()
        .await
        .unwrap()
        .unwrap();
    let stats = api.memory_stats.unwrap().stats.unwrap();
    let api_rss = *stats.get("rss").or_else(|| stats.get("anon")).unwrap();
    assert!(local >= 40 << 20, "the 40 MiB array is counted: {local}");
    let diff = local.abs_diff(api_rss);
    assert!(diff < 4 << 20, "cgroup file {local} vs API {api_rss}");

    run.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}
