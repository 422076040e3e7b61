//! Faults the client must name, staged in a network namespace each test
//! creates (loopback only, so nothing leaves it) with real iptables rules.
//! Needs root, as the test suite does; the namespace is removed on drop,
//! even when the test fails.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::{BIN, Run, Server, finish};
use netlab_contract::Outcome;

struct Netns {
    name: String,
}

impl Netns {
    fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "netlab-echo-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        run(Command::new("ip").args(["netns", "add", &name]));
        let ns = Self { name };
        run(ns.cmd("ip").args(["link", "set", "lo", "up"]));
        ns
    }

    /// `program` run inside the namespace.
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    fn iptables(&self, rule: &str) {
        run(self.cmd("iptables").args(rule.split(' ')));
    }

    fn server(&self) -> Server {
        Server::start_cmd(self.cmd(BIN).args(["server", "--bind", "127.0.0.1:0"]))
    }

    fn client(&self, args: &[&str]) -> Run {
        finish(
            self.cmd(BIN)
                .arg("client")
                .args(args)
                .arg("--json")
                .output()
                .expect("run client in netns"),
        )
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e} (needs iproute2 and iptables; see scripts/deps)"));
    assert!(
        out.status.success(),
        "{cmd:?} failed (these tests need root): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn icmp_host_unreachable_and_admin_prohibited_are_unreachable() {
    for (reject_with, says) in [
        (
            "icmp-host-unreachable",
            "ICMP host unreachable from 127.0.0.1",
        ),
        ("icmp-admin-prohibited", "ICMP administratively prohibited"),
    ] {
        let ns = Netns::new("unreach");
        let server = ns.server();
        let port = server.udp().port();
        for proto in ["udp", "tcp"] {
            ns.iptables(&format!(
                "-A INPUT -p {proto} --dport {port} -j REJECT --reject-with {reject_with}"
            ));
        }
        for proto in ["udp", "tcp"] {
            let started = Instant::now();
            let run = ns.client(&[
                "--proto",
                proto,
                "--server",
                &format!("127.0.0.1:{port}"),
                "-c",
                "2",
                "-i",
                "0.02",
                "-W",
                "2s",
            ]);
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{proto}: the ICMP error is seen, not waited out"
            );
            assert_eq!(run.code, 1);
            for p in run.probes() {
                assert_eq!(
                    p.outcome,
                    Outcome::Unreachable,
                    "{proto} {reject_with}: {p:?}"
                );
                assert_eq!(p.errno, Some(libc::EHOSTUNREACH), "{p:?}");
            }
            if proto == "udp" {
                // Only IP_RECVERR shows this non-fatal ICMP error, with its origin.
                let e = run.probes()[0].error.clone().unwrap();
                assert!(e.contains(says), "{e}");
            }
        }
    }
}

#[test]
fn reject_with_port_unreachable_is_refused_even_with_a_server_listening() {
    let ns = Netns::new("refuse");
    let server = ns.server();
    let port = server.udp().port();
    ns.iptables(&format!("-A INPUT -p udp --dport {port} -j REJECT"));
    let run = ns.client(&[
        "--proto",
        "udp",
        "--server",
        &format!("127.0.0.1:{port}"),
        "-c",
        "2",
        "-i",
        "0.02",
    ]);
    assert!(
        run.probes().iter().all(|p| p.outcome == Outcome::Refused),
        "{}",
        run.stdout
    );
}

#[test]
fn firewall_drop_is_a_timeout_for_udp_and_tcp() {
    let ns = Netns::new("drop");
    let server = ns.server();
    let port = server.udp().port();
    ns.iptables(&format!("-A INPUT -p udp --dport {port} -j DROP"));
    ns.iptables(&format!("-A INPUT -p tcp --dport {port} -j DROP"));
    let target = format!("127.0.0.1:{port}");

    let run = ns.client(&[
        "--proto", "udp", "--server", &target, "-c", "2", "-i", "0", "-W", "0.3",
    ]);
    for p in run.probes() {
        assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
        assert!(
            p.elapsed_us >= 300_000.0 && p.elapsed_us < 2_300_000.0,
            "{p:?}"
        );
    }
    let started = Instant::now();
    let run = ns.client(&[
        "--proto",
        "tcp",
        "--server",
        &target,
        "-c",
        "1",
        "--connect-timeout",
        "1s",
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "connect-timeout + 2 s"
    );
    let p = &run.probes()[0];
    assert_eq!(p.outcome, Outcome::Timeout, "{p:?}");
    assert!(p.elapsed_us >= 1_000_000.0, "{p:?}");
    assert_eq!(run.code, 1);
}

#[test]
fn unknown_name_is_dns_for_every_probe() {
    // No route leaves this namespace, so the lookup fails without traffic.
    let ns = Netns::new("dns");
    let run = ns.client(&[
        "--proto",
        "udp",
        "--server",
        "no-such-host.invalid:12000",
        "-c",
        "3",
        "-i",
        "0",
    ]);
    assert_eq!(run.code, 1);
    let probes = run.probes();
    assert_eq!(probes.len(), 3, "the run goes on after a failed lookup");
    for p in &probes {
        assert_eq!(p.outcome, Outcome::Dns, "{p:?}");
        assert!(
            p.error.as_deref().unwrap().contains("no-such-host.invalid"),
            "{p:?}"
        );
        assert!(
            p.elapsed_us < 3_500_000.0,
            "bounded by --dns-timeout: {p:?}"
        );
    }
    assert_eq!(run.summary().outcomes.get(&Outcome::Dns), Some(&3));
}
