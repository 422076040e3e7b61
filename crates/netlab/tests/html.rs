//! End to end on the real Docker engine: `netlab run labs/task3.yaml --html`
//! with the built binary writes a page that holds the graded checks, the
//! measured ratios and the RTT plots of the run it just made.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Stops netlab with SIGTERM if the test ends early (netlab then removes
/// its containers and network), so nothing is left behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.0.id().to_string()])
                .status();
            let _ = self.0.wait();
        }
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn run_task3_writes_an_html_report_with_checks_ratios_and_plots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("out/report.html");
    let stdout = dir.path().join("stdout.txt");
    let stderr = dir.path().join("stderr.txt");
    let child = Command::new(env!("CARGO_BIN_EXE_netlab"))
        .current_dir(&root)
        .args([
            "run",
            "labs/task3.yaml",
            "--progress",
            "never",
            "--color",
            "never",
        ])
        .arg("--html")
        .arg(&page)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("start netlab");
    let mut running = Running(child);
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(s) = running.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "netlab run did not finish in 300 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let out = std::fs::read_to_string(&stdout).unwrap();
    let err = std::fs::read_to_string(&stderr).unwrap();
    // 0: every check passed; 1: some check failed (a busy host can move a
    // ratio). Anything else (bad lab, no Docker, infrastructure) is a failure.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "netlab run exited with {status}\nstdout:\n{out}\nstderr:\n{err}"
    );

    let html = std::fs::read_to_string(&page).expect("--html wrote the page");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<h2>task3: Task 3: UDP against TCP"));
    assert_eq!(count(&html, "<tr class=\"check "), 6, "one row per check");
    // Both comparisons with the handshake left in and out state their ratio.
    let measured_ratios: usize = (0..10)
        .map(|d| count(&html, &format!("<td class=\"measured\">ratio {d}")))
        .sum();
    assert_eq!(measured_ratios, 3, "{html}");
    assert!(
        html.contains("(tcp rtt p50 "),
        "TCP with the handshake ÷ UDP"
    );
    assert!(
        html.contains("(tcp request p50 "),
        "TCP without the handshake ÷ UDP"
    );
    // The plots of the run: a curve per probe set and, on the same axes,
    // its wire RTT from the kernel's time stamps; the TCP time split.
    assert_eq!(count(&html, "<svg "), 2);
    assert_eq!(
        count(&html, "<g class=\"series\""),
        6,
        "app and wire per probe set"
    );
    for id in ["udp", "tcp", "tcp-persistent"] {
        assert!(
            html.contains(&format!("data-series=\"{id} wire\"")),
            "no wire curve for {id}"
        );
    }
    // The terminal puts the wire row under the series it compares with.
    assert!(
        out.contains("app rtt − wire, the client's own share"),
        "{out}"
    );
    assert_eq!(count(&html, "<g class=\"bar\""), 3);
    assert!(html.contains("<rect class=\"connect\"") && html.contains("<rect class=\"request\""));
    // The terminal report ties each explanation to its figure the same way:
    // a passed comparison shows its ratio, a failed one says it contradicts.
    let ratio_lines = out
        .lines()
        .filter(|l| l.contains("— measured ratio ") || l.contains("Measured ratio "))
        .count();
    assert!(ratio_lines >= 3, "explanations without their ratio:\n{out}");
}
