//! A hostile class, graded with the shipped grading lab (renamed, so its
//! containers are told apart from other tests'): every verdict follows from
//! what the program really did, and nothing leaves the sandbox. The programs
//! are in `tests/fixtures/hostile/`, each folder on top of the correct
//! submission s001.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::{grades, leftovers, netlab, root};

const LAB: &str = "grade-hostile";

/// Connections a listener on the grading machine's `0.0.0.0` accepted, until
/// the test is over.
struct HostListener {
    port: u16,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl HostListener {
    fn start() -> HostListener {
        let listener = TcpListener::bind("0.0.0.0:0").expect("listen on the host");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, done) = (accepted.clone(), stop.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok(_) => {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        HostListener {
            port,
            accepted,
            stop,
        }
    }
}

impl Drop for HostListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The machine's own IPv4 addresses, loopback aside.
fn host_addresses() -> Vec<String> {
    let out = std::process::Command::new("ip")
        .args(["-4", "-o", "addr", "show"])
        .output()
        .expect("ip (iproute2)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .nth(3)?
                .split('/')
                .next()
                .map(str::to_owned)
        })
        .filter(|a| !a.starts_with("127."))
        .collect()
}

/// One student folder per hostile folder: s001's programs, then the hostile
/// ones over them (placeholders filled in), readable by the sandbox user.
fn class(dir: &Path, port: u16) -> PathBuf {
    let subs = dir.join("submissions");
    let correct = root().join("examples/submissions/s001-correct");
    let hostile = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile");
    let hosts = host_addresses().join(",");
    for entry in std::fs::read_dir(&hostile).unwrap() {
        let from = entry.unwrap().path();
        if !from.is_dir() {
            continue;
        }
        let student = subs.join(from.file_name().unwrap());
        std::fs::create_dir_all(&student).unwrap();
        for src in [&correct, &from] {
            for file in std::fs::read_dir(src).unwrap() {
                let file = file.unwrap().path();
                let mut text = String::new();
                std::fs::File::open(&file)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                let text = text
                    .replace("@PORT@", &port.to_string())
                    .replace("@HOSTS@", &hosts);
                let to = student.join(file.file_name().unwrap());
                std::fs::write(&to, text).unwrap();
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        std::fs::set_permissions(&student, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&subs, std::fs::Permissions::from_mode(0o755)).unwrap();
    subs
}

fn result(out: &Path, student: &str) -> Value {
    let path = out.join("students").join(student).join("result.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn feedback(out: &Path, student: &str) -> String {
    std::fs::read_to_string(out.join("students").join(student).join("feedback.md")).unwrap()
}

/// The run `id` of scenario `scenario` in a student's result.
fn run<'a>(r: &'a Value, scenario: &str, id: &str) -> &'a Value {
    r["lab"]["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == scenario)
        .and_then(|s| s["runs"].as_array()?.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("run {scenario}/{id}"))
}

/// The statuses of the checks whose `scenario/check` key starts with `prefix`.
fn statuses(checks: &BTreeMap<String, (String, f64)>, prefix: &str) -> Vec<String> {
    let v: Vec<String> = checks
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, (s, _))| format!("{k}: {s}"))
        .collect();
    assert!(!v.is_empty(), "no check starts with {prefix}");
    v
}

fn all_are(checks: &BTreeMap<String, (String, f64)>, prefix: &str, status: &str) {
    for line in statuses(checks, prefix) {
        assert!(
            line.ends_with(&format!(": {status}")),
            "expected {status}: {line}"
        );
    }
}

#[test]
fn docker_a_hostile_class_gets_defensible_grades_and_stays_in_its_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let listener = HostListener::start();
    let subs = class(tmp.path(), listener.port);
    let lab = tmp.path().join("hostile.yaml");
    let text = std::fs::read_to_string(root().join("labs/grading/handout.yaml")).unwrap();
    std::fs::write(
        &lab,
        text.replace("name: grade-handout", &format!("name: {LAB}")),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let graded = netlab(&[
        "grade",
        lab.to_str().unwrap(),
        "--submissions",
        subs.to_str().unwrap(),
        "--jobs",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(graded.status.code(), Some(0), "grade failed");
    assert_eq!(leftovers(LAB), 0, "containers or networks were left");
    let all = grades(&out);

    // Nothing reached the grading machine: not the gateway, not its addresses.
    assert_eq!(
        listener.accepted.load(Ordering::Relaxed),
        0,
        "a submission reached the host"
    );
    let tried = run(&result(&out, "reach-host"), "clients", "udp")["stdout"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        tried.contains("blocked") && !tried.contains("REACHED"),
        "{tried}"
    );

    // Killed by the memory limit: a crash everywhere, never "ends on its own".
    let oom = &all["oom-client"];
    all_are(oom, "clients/UDP client", "crash");
    all_are(oom, "clients-no-server/UDP client", "crash");
    assert!(feedback(&out, "oom-client").contains("memory limit"));

    // A client that never used the network earns nothing.
    let fake = &all["fake-client"];
    for prefix in [
        "clients/UDP client",
        "clients/TCP client",
        "clients-no-server/",
    ] {
        all_are(fake, prefix, "fail");
    }

    // An endless loop is a timeout; a server that ignores SIGTERM passes and
    // is removed all the same (see leftovers above).
    all_are(&all["loop-client"], "clients/TCP client", "timeout");
    all_are(&all["sigterm-server"], "udp-server/", "pass");
    // A passing server's own output is kept too.
    let server = result(&out, "sigterm-server");
    let kept = server["lab"]["scenarios"][0]["servers"][0]["stdout"].as_str();
    assert!(
        kept.is_some_and(|s| s.contains("The server is ready to receive")),
        "{kept:?}"
    );

    // A fork bomb is stopped by the pids limit, and the feedback says so.
    for line in statuses(&all["fork-client"], "clients/UDP client") {
        assert!(
            line.ends_with(": crash") || line.ends_with(": timeout"),
            "{line}"
        );
    }
    assert!(feedback(&out, "fork-client").contains("limit on processes"));

    // The sandbox, audited from inside: every setting holds.
    let audit = result(&out, "audit");
    let audit = run(&audit, "clients", "tcp")["stdout"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(audit.matches("OK ").count(), 15, "{audit}");
    assert!(!audit.contains("BAD"), "{audit}");

    // A flood of output: capped, and both the JSON and the feedback say so.
    let flood = result(&out, "flood-client");
    let flood = run(&flood, "clients", "udp");
    let (written, kept) = (
        flood["stdout_bytes"].as_u64(),
        flood["stdout_kept"].as_u64(),
    );
    assert!(written.unwrap() > 199_000_000, "{written:?} bytes written");
    assert!(kept.unwrap() <= 64 << 10, "{kept:?} bytes kept");
    all_are(&all["flood-client"], "clients/UDP client", "pass");
    let md = feedback(&out, "flood-client");
    assert!(md.contains("199,99") && md.contains("bytes written; netlab kept 65,536"));
}
