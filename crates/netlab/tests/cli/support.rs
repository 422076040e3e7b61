//! What every CLI test needs: the binary under test, runs of it with a bound
//! on their duration, paths of labs and fixtures, and Docker objects by
//! lab label (asserting none are left, and a guard that removes them).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use netlab_engine::labels;

/// The repository root: tests run `netlab` there so lab paths in reports
/// read `labs/task1.yaml`, as a user would type them.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture of this test suite (`crates/netlab/tests/fixtures/NAME`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `labs/*.yaml`, sorted, as paths relative to [`root`].
pub fn shipped_labs() -> Vec<PathBuf> {
    let mut labs: Vec<PathBuf> = std::fs::read_dir(root().join("labs"))
        .expect("labs/ exists")
        .map(|e| e.expect("readable labs/").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| Path::new("labs").join(p.file_name().unwrap()))
        .collect();
    labs.sort();
    assert!(
        labs.len() >= 4,
        "expected task1..task4 in labs/, found {labs:?}"
    );
    labs
}

/// `netlab` with plain output (no bars, no colour), run from [`root`].
pub fn netlab() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_netlab"));
    cmd.current_dir(root())
        .args(["--progress", "never", "--color", "never"])
        .env("NO_COLOR", "1");
    cmd
}

/// `netlab` for a command that starts containers: its echo image is built
/// from the static netlab-echo next to the binary, so that must exist.
pub fn netlab_with_echo() -> Command {
    let bin = Path::new(env!("CARGO_BIN_EXE_netlab"));
    let echo = bin.with_file_name("netlab-echo");
    assert!(
        echo.is_file(),
        "{} is missing: `netlab run` builds its echo image from the static netlab-echo \
         next to the netlab binary; build it first with `cargo build --release --workspace` \
         (scripts/test does)",
        echo.display()
    );
    netlab()
}

/// What a finished process left.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Finished {
    /// Asserts the exit code, showing all output when it differs.
    pub fn expect_code(&self, want: i32) -> &Self {
        assert_eq!(self.status.code(), Some(want), "wrong exit status\n{self}");
        self
    }
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// A started process whose output is drained by threads (so a chatty child
/// never blocks on a full pipe).
pub struct Running {
    pub child: Child,
    out: Option<JoinHandle<String>>,
    err: Option<JoinHandle<String>>,
}

impl Running {
    pub fn spawn(cmd: &mut Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("netlab starts");
        let out = drain(child.stdout.take().expect("piped stdout"));
        let err = drain(child.stderr.take().expect("piped stderr"));
        Running {
            child,
            out: Some(out),
            err: Some(err),
        }
    }

    /// True once the process has exited.
    pub fn exited(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_some()
    }

    /// Waits at most `limit`; past it the process is killed and the test
    /// fails (a hang is a bug, never a pass).
    pub fn wait(mut self, limit: Duration) -> Finished {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if start.elapsed() > limit {
                let _ = self.child.kill();
                let killed = self.child.wait().expect("wait");
                let partial = self.collect(killed);
                panic!("netlab did not finish within {limit:?}; killed it\n{partial}");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        self.collect(status)
    }

    fn collect(&mut self, status: ExitStatus) -> Finished {
        let join = |h: Option<JoinHandle<String>>| h.map(|h| h.join().unwrap()).unwrap_or_default();
        Finished {
            status,
            stdout: join(self.out.take()),
            stderr: join(self.err.take()),
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Runs `cmd` to completion, bounded by `limit`.
pub fn run(cmd: &mut Command, limit: Duration) -> Finished {
    Running::spawn(cmd).wait(limit)
}

/// Bound for commands that start no container.
pub const QUICK: Duration = Duration::from_secs(30);

/// The docker CLI (tests may use it; the product never does).
fn docker<S: AsRef<str>>(args: &[S]) -> String {
    let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let out = Command::new("docker")
        .args(&args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the docker CLI ({e}); these tests need Docker"));
    assert!(
        out.status.success(),
        "docker {} failed: {}; these tests need a running Docker engine",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ids(text: String) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Ids of containers (any state) carrying every label of `labels` (`key=value`).
pub fn containers(labels: &[&str]) -> Vec<String> {
    let mut args = vec!["ps".to_owned(), "-aq".into(), "--no-trunc".into()];
    for l in labels {
        args.push("--filter".into());
        args.push(format!("label={l}"));
    }
    ids(docker(&args))
}

/// Ids of networks labelled `netlab.lab=<lab>`.
pub fn networks_of(lab: &str) -> Vec<String> {
    ids(docker(&[
        "network",
        "ls",
        "-q",
        "--no-trunc",
        "--filter",
        &format!("label={}={lab}", labels::LAB),
    ]))
}

/// Ids of containers labelled `netlab.lab=<lab>`.
pub fn containers_of(lab: &str) -> Vec<String> {
    containers(&[&format!("{}={lab}", labels::LAB)])
}

/// Asserts that no container or network of lab `lab` (and so of any of its
/// runs: everything carries both labels) is left.
pub fn assert_nothing_left(lab: &str) {
    let c = containers_of(lab);
    let n = networks_of(lab);
    assert!(
        c.is_empty() && n.is_empty(),
        "lab {lab} left {} container(s) {c:?} and {} network(s) {n:?} labelled {}={lab}",
        c.len(),
        n.len(),
        labels::LAB
    );
}

/// Removes whatever lab `lab` left when dropped, so a failing test leaves
/// nothing behind either. Labs are named uniquely per test for this.
pub struct LabGuard(pub String);

impl LabGuard {
    pub fn new(lab: &str) -> LabGuard {
        LabGuard(lab.to_owned())
    }
}

impl Drop for LabGuard {
    fn drop(&mut self) {
        // Best effort, and never a panic while unwinding from another.
        let label = format!("label={}={}", labels::LAB, self.0);
        let list = |args: &[&str]| {
            Command::new("docker")
                .args(args)
                .output()
                .map(|o| ids(String::from_utf8_lossy(&o.stdout).into_owned()))
                .unwrap_or_default()
        };
        let c = list(&["ps", "-aq", "--filter", &label]);
        if !c.is_empty() {
            let _ = Command::new("docker").args(["rm", "-f"]).args(&c).output();
        }
        let n = list(&["network", "ls", "-q", "--filter", &label]);
        if !n.is_empty() {
            let _ = Command::new("docker")
                .args(["network", "rm"])
                .args(&n)
                .output();
        }
    }
}

/// Polls `cond` every 100 ms for at most `limit`.
pub fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    cond()
}
