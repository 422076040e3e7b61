//! Every lab in `labs/` parses and validates (what `netlab validate` does).

use std::path::{Path, PathBuf};

fn shipped_labs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs");
    let mut labs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    labs.sort();
    labs
}

#[test]
fn every_shipped_lab_is_valid() {
    let labs = shipped_labs();
    assert!(
        labs.len() >= 4,
        "expected task1..task4 in labs/, found {labs:?}"
    );
    for path in labs {
        if let Err(e) = netlab_lab::load(&path) {
            panic!("{e}");
        }
    }
}

#[test]
fn every_shipped_lab_points_at_the_schema() {
    for path in shipped_labs() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schema/lab.schema.json\n"),
            "{} must start with the schema comment",
            path.display()
        );
    }
}

#[test]
fn task1_resolves_with_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs/task1.yaml");
    let lab = netlab_lab::load(&path).unwrap();
    assert_eq!(lab.name, "task1");
    assert_eq!(lab.networks.len(), 1);
    assert_eq!(lab.networks[0].name, "lan");
    assert!(!lab.networks[0].host_access);
    let sc = &lab.scenarios[0];
    let names: Vec<&str> = sc.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["server", "client"]);
    assert_eq!(sc.hosts[0].image, netlab_lab::Image::Echo);
    assert_eq!(sc.hosts[0].command, ["server"]);
    assert_eq!(sc.hosts[1].command, ["idle"]);
    assert!(sc.hosts[1].is_idle() && !sc.hosts[0].is_idle());
    assert_eq!(sc.hosts[0].networks, ["lan"]);
    let p = &sc.probes[0];
    assert_eq!((p.to.as_str(), p.port, p.count), ("server", 12000, 20));
    assert_eq!(p.interval, std::time::Duration::from_millis(10));
    assert_eq!(
        p.client_args("server").join(" "),
        "client --proto udp --server server:12000 --count 20 --interval 10ms --timeout 1s \
         --message hello from netlab --warmup 0 --socket connected --json"
    );
}

#[test]
fn the_example_in_the_format_docs_is_valid() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lab-format.md"),
    )
    .unwrap();
    let start = doc
        .find("## A complete, small lab")
        .expect("example section");
    let block = &doc[start..];
    let body = &block[block.find("```yaml\n").unwrap() + 8..];
    let body = &body[..body.find("```").unwrap()];
    if let Err(e) = netlab_lab::parse(body, "docs/lab-format.md") {
        panic!("{e}");
    }
}

#[test]
fn in_the_grading_lab_only_reference_clients_and_hosts_of_runs_are_idle() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../labs/grading/handout.yaml");
    let lab = netlab_lab::load(&path).unwrap();
    let idle: Vec<String> = lab
        .scenarios
        .iter()
        .flat_map(|sc| {
            sc.hosts
                .iter()
                .filter(|h| h.is_idle())
                .map(move |h| format!("{}/{}", sc.name, h.name))
        })
        .collect();
    // Servers (the student's, or netlab's reference server) start first and
    // alone; these start alongside them.
    assert_eq!(
        idle,
        [
            "udp-server/client",
            "udp-server/client2",
            "tcp-server/client",
            "tcp-server/client2",
            "clients/udp-client",
            "clients/tcp-client",
            "clients/peer",
            "clients-no-server/udp-client",
            "clients-no-server/tcp-client",
        ]
    );
}
