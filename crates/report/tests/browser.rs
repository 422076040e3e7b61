//! The HTML report in a real browser: headless Chromium (Debian's `chromium`,
//! installed by scripts/deps) loads the page built from a real run of Task 3
//! and Task 4, and the DOM it rendered must hold the checks, the plots and
//! the outcome matrix; a screenshot must not be blank. No Chromium is a
//! failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use netlab_lab::results::LabResult;
use netlab_report::{ClassPage, Exporter, Html, Report};

/// Results of `netlab run labs/task3.yaml labs/task4.yaml --json` on this
/// machine (task4 rerun when it gained the handout's unconnected client,
/// task3 when probes gained kernel time stamps).
const RUN: &str = include_str!("fixtures/task3-task4-run.json");

/// A script the results try to smuggle in; escaping must keep it text.
const EVIL: &str = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";

fn labs() -> Vec<LabResult> {
    let doc: serde_json::Value = serde_json::from_str(RUN).expect("fixture is JSON");
    let mut labs: Vec<LabResult> =
        serde_json::from_value(doc["labs"].clone()).expect("fixture holds LabResults");
    labs[1].scenarios[0].checks[0].name.push_str(EVIL);
    labs
}

fn chromium() -> String {
    let bin = std::env::var("NETLAB_CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let found = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "`{bin} --version` failed: the HTML browser test needs Chromium; install it with \
         scripts/deps (Debian package `chromium`) or point NETLAB_CHROMIUM at it"
    );
    bin
}

/// Runs headless Chromium on `page` with `args`; kills it after 120 s.
fn headless(dir: &Path, page: &Path, args: &[&str]) -> String {
    let out = dir.join(format!("out-{}.txt", args.len()));
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "chromium failed: {status}");
    std::fs::read_to_string(out).unwrap()
}

fn write_page(dir: &Path) -> PathBuf {
    let labs = labs();
    let bytes = Html.serialize(&[Report::new(&labs)]).unwrap();
    let page = dir.join("report.html");
    std::fs::write(&page, bytes).unwrap();
    page
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn chromium_renders_checks_plots_and_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path());
    let source = std::fs::read_to_string(&page).unwrap();
    let dom = headless(dir.path(), &page, &["--dump-dom"]);

    assert!(
        dom.contains("<title>netlab report</title>"),
        "title: {dom:.400}"
    );
    assert!(dom.contains("score 40/40 — 21/21 checks passed"));
    // Escaping held in the browser: no element came from the results, the
    // smuggled script never ran (it would have changed the title).
    assert_eq!(count(&dom, "<script"), 0);
    assert_eq!(count(&dom, "<img"), 0);
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));

    // Every check is a table row (task3: 6, task4: 15).
    assert_eq!(count(&dom, "<tr class=\"check pass\">"), 21);

    // Task 3's plots: one SVG CDF with a curve per probe set (udp, tcp,
    // tcp-persistent) and, on the same axes, dashed, each one's wire round
    // trips from kernel time stamps; and the bars, TCP per-probe split in
    // connect + request.
    let task3 = &dom[dom.find("id=\"lab-task3\"").unwrap()..dom.find("id=\"lab-task4\"").unwrap()];
    assert_eq!(count(task3, "<svg "), 2, "{task3}");
    let cdf = &task3[task3.find("<figure class=\"cdf\">").unwrap()..];
    let cdf = &cdf[..cdf.find("</figure>").unwrap()];
    assert_eq!(count(cdf, "<g class=\"series\""), 6);
    for s in ["udp rtt", "tcp rtt", "tcp-persistent rtt"] {
        assert!(cdf.contains(&format!("data-series=\"{s}\"")), "{s}");
    }
    for id in ["udp", "tcp", "tcp-persistent"] {
        let at = cdf
            .find(&format!("data-series=\"{id} wire\""))
            .unwrap_or_else(|| panic!("no wire curve for {id}"));
        let curve = &cdf[at..at + cdf[at..].find("</g>").unwrap()];
        assert!(curve.contains("stroke-dasharray=\"7 4\""), "{curve}");
        assert!(curve.contains(&format!("{id} wire: median ")), "{curve}");
        // The probes table has the wire figures next to the app's.
        let row = &task3[task3.find(&format!("<tr data-probe=\"{id}\">")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("<td class=\"num wire\">"), "{row}");
        assert!(
            !row.contains("not available"),
            "every reply was stamped: {row}"
        );
    }
    assert_eq!(count(task3, "<g class=\"bar\""), 3);
    assert!(task3.contains("<rect class=\"connect\""));
    assert!(task3.contains("<rect class=\"request\""));
    // The ratios are stated next to their explanation.
    assert!(task3.contains("ratio 3.02 (tcp rtt p50 433 µs / udp rtt p50 143 µs)"));
    assert!(
        !task3.contains("class=\"matrix\""),
        "one case makes no matrix"
    );

    // Task 4's matrix: five cases × netlab's connected UDP socket, the
    // handout's unconnected one, TCP.
    let task4 = &dom[dom.find("id=\"lab-task4\"").unwrap()..];
    let matrix = &task4[task4.find("<table class=\"matrix\">").expect("matrix")..];
    let matrix = &matrix[..matrix.find("</table>").unwrap()];
    assert!(
        matrix.contains(
            "<th>Case</th><th>udp<div class=\"muted\">UDP, connected socket</div></th>\
             <th>udp-unconnected<div class=\"muted\">UDP, unconnected socket</div></th>\
             <th>tcp<div class=\"muted\">TCP</div></th>"
        ),
        "{matrix}"
    );
    assert_eq!(count(matrix, "<td class=\"case\">"), 5);
    assert_eq!(count(matrix, "<td class=\"cell pass\""), 15);
    assert_eq!(
        count(
            matrix,
            "data-probe=\"udp-unconnected\"><div class=\"saw\">timeout "
        ),
        4,
        "the handout's client times out in every case but the unknown name"
    );
    // Under every measured outcome, what other systems show, labelled cited.
    assert_eq!(
        count(matrix, "<div class=\"label\">cited, not measured</div>"),
        15
    );
    assert!(matrix.contains("<li>Windows: WSAECONNRESET (10054)</li>"));
    assert!(task4.contains("<p class=\"cited-legend\">cited, not measured: "));
    for saw in ["refused 3/3", "timeout 2/2", "unreachable 2/2", "dns 2/2"] {
        assert!(
            matrix.contains(&format!("<div class=\"saw\">{saw}</div>")),
            "{saw}"
        );
    }
    assert!(
        matrix.contains("after 3.00 s (median of 2)"),
        "TCP DROP waits for the connect timeout"
    );
    assert_eq!(count(task4, "<svg "), 0, "no replies, no plots");

    // The browser kept every plot element of the source: nothing was
    // dropped as malformed.
    for tag in ["<svg ", "<path ", "<rect ", "<g class="] {
        assert_eq!(count(&dom, tag), count(&source, tag), "{tag}");
    }
}

#[test]
fn chromium_screenshot_is_not_blank() {
    let dir = tempfile::tempdir().unwrap();
    let page = write_page(dir.path());
    let shot = dir.path().join("shot.png");
    headless(
        dir.path(),
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,2600",
        ],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // A blank 1400×2600 page compresses to a few KB; text, tables and plots
    // make it far larger.
    assert!(
        png.len() > 100_000,
        "screenshot is {} bytes: blank page?",
        png.len()
    );
    if let Ok(keep) = std::env::var("NETLAB_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

/// The class page of `netlab grade`: three students, one of whom failed a
/// check; the histogram, the pass rates and the links reach the DOM.
#[test]
fn chromium_renders_the_class_page() {
    let dir = tempfile::tempdir().unwrap();
    let good = labs();
    let mut weak = labs();
    // s3 fails every check of Task 4: its score drops to the middle bands.
    for c in weak[1].scenarios.iter_mut().flat_map(|s| &mut s.checks) {
        c.status = netlab_lab::results::CheckStatus::Fail;
        c.earned = 0.0;
    }
    let reports = [
        Report::student("s1", &good),
        Report::student("s2", &good),
        Report::student("s3", &weak),
    ];
    let page = dir.path().join("class.html");
    std::fs::write(&page, ClassPage.serialize(&reports).unwrap()).unwrap();
    let dom = headless(dir.path(), &page, &["--dump-dom"]);
    assert!(dom.contains("<title>netlab class report</title>"));
    assert!(dom.contains("<svg class=\"histogram\""));
    // Two full scores, one lower: the last band holds 2.
    assert!(dom.contains(">2</text>"), "{dom:.2000}");
    assert!(
        dom.contains("<td class=\"num\">2/3</td>"),
        "the failed check's rate"
    );
    for id in ["s1", "s2", "s3"] {
        assert!(dom.contains(&format!("href=\"students/{id}/report.html\"")));
    }
    assert_eq!(count(&dom, "<script"), 0);
    let shot = dir.path().join("class.png");
    headless(
        dir.path(),
        &page,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1000,1400",
        ],
    );
    if let Ok(keep) = std::env::var("NETLAB_KEEP_CLASS_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
