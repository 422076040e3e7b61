//! A lab across machines: two engines started by `scripts/engines`, made
//! one Docker Swarm by `scripts/engines swarm`, and the handout's labs with
//! client and server on different nodes over an overlay network. What
//! Task 4's cases give across the overlay is asserted as measured (see the
//! README's table). Killing the worker's daemon mid-run is exit 3 with the
//! node named, and leaves no container on the manager (the overlay stays
//! while the swarm holds the lost node's attachment, and netlab says so).
//! The swarm goes with the engines when the test ends (it made both).

#[path = "../common/engines.rs"]
mod engines;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use engines::{Engines, root};
use serde_json::Value;

fn netlab(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["--progress", "never", "--color", "never"])
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("netlab runs");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    if !matches!(out.status.code(), Some(0 | 1)) {
        let stdout = String::from_utf8_lossy(&out.stdout);
        let tail: Vec<&str> = stdout.lines().rev().take(40).collect();
        eprintln!(
            "netlab {args:?} ended with {}; its report's end:",
            out.status
        );
        tail.iter().rev().for_each(|l| eprintln!("{l}"));
    }
    out
}

/// `netlab run LAB --swarm MANAGER --json FILE` and `extra`: exit code,
/// stderr and the JSON report.
fn run_on_swarm(
    lab: &str,
    manager: &str,
    json: &Path,
    extra: &[&str],
) -> (Option<i32>, String, Value) {
    let mut args = vec![
        "run",
        lab,
        "--swarm",
        manager,
        "--json",
        json.to_str().unwrap(),
    ];
    args.extend(extra);
    let out = netlab(&args);
    let report =
        serde_json::from_slice(&std::fs::read(json).unwrap_or_default()).unwrap_or(Value::Null);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
    )
}

fn scenarios(report: &Value) -> &Vec<Value> {
    report["labs"][0]["scenarios"]
        .as_array()
        .expect("scenarios")
}

/// Every probe of every scenario crossed from node2 (the client's) to
/// node1 (the server's), unless its target was absent.
fn assert_crossed(report: &Value) {
    for sc in scenarios(report) {
        for p in sc["probes"].as_array().unwrap() {
            let nodes: Vec<&str> = p["nodes"]
                .as_array()
                .expect("probes name their nodes on a swarm")
                .iter()
                .map(|n| n.as_str().unwrap())
                .collect();
            let absent = sc["name"] == "host-absent" || sc["name"] == "unknown-name";
            let want: &[&str] = if absent {
                &["node2"]
            } else {
                &["node2", "node1"]
            };
            assert_eq!(nodes, want, "{} / {}", sc["name"], p["id"]);
        }
    }
}

/// The outcomes of a probe, in order.
fn outcomes(report: &Value, scenario: &str, probe: &str) -> Vec<String> {
    let sc = scenarios(report)
        .iter()
        .find(|s| s["name"] == scenario)
        .unwrap_or_else(|| panic!("scenario {scenario}"));
    let p = sc["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == probe)
        .unwrap_or_else(|| panic!("probe {scenario}/{probe}"));
    p["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn docker_the_handouts_labs_run_across_a_two_node_swarm() {
    let engines = Engines::up(2);
    let manager = engines.swarm();
    let tmp = tempfile::tempdir().unwrap();

    // Task 1 and Task 3: the same graded report, every check passing, RTT
    // measured between the nodes (the labs' own `placement: spread`).
    for lab in ["task1", "task3"] {
        let json = tmp.path().join(format!("{lab}.json"));
        let (code, stderr, report) =
            run_on_swarm(&format!("labs/{lab}.yaml"), &manager, &json, &[]);
        assert_eq!(code, Some(0), "{lab} across the swarm: {stderr}");
        assert!(
            stderr.contains(&format!(
                "lab {lab} on the swarm: server on node1, client on node2"
            )),
            "{stderr}"
        );
        assert_crossed(&report);
        for url in &engines.urls {
            assert_eq!(
                Engines::leftovers(url, lab),
                0,
                "{lab} left objects on {url}"
            );
        }
    }

    // Task 4 across the overlay, each case's outcome as measured.
    let json = tmp.path().join("task4.json");
    let spread = ["--placement", "spread"];
    let (code, stderr, report) = run_on_swarm("labs/task4.yaml", &manager, &json, &spread);
    assert!(
        matches!(code, Some(0 | 1)),
        "task4 ran ({code:?}): {stderr}"
    );
    assert_crossed(&report);
    let expect = |scenario: &str, probe: &str, outcome: &str| {
        let got = outcomes(&report, scenario, probe);
        assert!(
            !got.is_empty() && got.iter().all(|o| o == outcome),
            "{scenario}/{probe}: expected every probe {outcome}, got {got:?}"
        );
    };
    for (scenario, udp, unconnected, tcp) in TASK4_ACROSS_OVERLAY {
        expect(scenario, "udp", udp);
        expect(scenario, "udp-unconnected", unconnected);
        expect(scenario, "tcp", tcp);
    }
    for url in &engines.urls {
        assert_eq!(
            Engines::leftovers(url, "task4"),
            0,
            "task4 left objects on {url}"
        );
    }

    // The worker's daemon killed while the client probes from it: exit 3,
    // the node named, nothing left on the manager.
    let mut child = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .args(["--progress", "never", "--color", "never", "run"])
        .arg("crates/netlab/tests/fixtures/swarm-slow.yaml")
        .args(["--swarm", &manager])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut killed = false;
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        eprintln!("{line}");
        if !killed && line.starts_with("lab swarm-slow:") {
            // Hosts start, then 10 s of probes: kill while they run.
            std::thread::sleep(std::time::Duration::from_secs(5));
            engines.kill_daemon(2);
            killed = true;
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    let text = lines.join("\n");
    assert!(killed, "the lab never started: {text}");
    assert_eq!(status.code(), Some(3), "{text}");
    assert!(
        text.contains("node node2") && text.contains("stopped answering"),
        "the lost node is named: {text}"
    );
    // The manager's containers are gone. The overlay network is the swarm's:
    // it keeps the lost node's attachment to it (a task of that node) until
    // the node is back or removed from the swarm, and netlab says so.
    let (containers, networks) = Engines::objects(&engines.urls[0], "swarm-slow");
    assert_eq!(containers, 0, "containers left on the manager");
    assert!(
        networks == 0 || text.contains("holds the lost node's attachment"),
        "a network left on the manager without a word: {text}"
    );
}

/// Task 4 across the overlay, as measured on this kind of machine:
/// (scenario, connected UDP, the handout's unconnected UDP, TCP).
const TASK4_ACROSS_OVERLAY: [(&str, &str, &str, &str); 5] = [
    ("port-closed", "refused", "timeout", "refused"),
    ("firewall-drop", "timeout", "timeout", "timeout"),
    ("firewall-reject", "refused", "timeout", "refused"),
    ("host-absent", "unreachable", "timeout", "unreachable"),
    ("unknown-name", "dns", "dns", "dns"),
];
