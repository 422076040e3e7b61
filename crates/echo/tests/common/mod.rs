//! Helpers shared by the integration tests: a real `netlab-echo server`
//! process on loopback and runs of the real client binary.
#![allow(dead_code)] // each test binary uses a different subset

pub mod fake;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use netlab_contract::{Line, ProbeRecord, Summary};

pub const BIN: &str = env!("CARGO_BIN_EXE_netlab-echo");

/// A running `netlab-echo server`; killed when dropped.
pub struct Server {
    child: Child,
    pub udp: Option<SocketAddr>,
    pub tcp: Option<SocketAddr>,
    /// Lines on stdout after the ready line (the `--log-requests` lines).
    /// Read all along, so the server never writes into a closed pipe.
    stdout: mpsc::Receiver<String>,
    /// Lines on stderr, when captured (see [`Server::start_cmd_captured`]).
    stderr: Option<Arc<Mutex<Vec<String>>>>,
}

impl Server {
    /// Starts the server on an ephemeral loopback port (both protocols).
    pub fn start() -> Self {
        Self::start_with(&["--bind", "127.0.0.1:0"])
    }

    /// Starts the server with `args` (after `server`) and waits for its
    /// ready line (at most 10 s).
    pub fn start_with(args: &[&str]) -> Self {
        Self::start_cmd(Command::new(BIN).arg("server").args(args))
    }

    /// Like [`Server::start_cmd`], stderr inherited (shown by the harness).
    pub fn start_cmd(cmd: &mut Command) -> Self {
        Self::spawn(cmd.stderr(Stdio::inherit()), false)
    }

    /// Like [`Server::start_cmd`], but stderr is collected for
    /// [`Server::stderr_lines`] (and echoed to the test's stderr).
    pub fn start_cmd_captured(cmd: &mut Command) -> Self {
        Self::spawn(cmd.stderr(Stdio::piped()), true)
    }

    fn spawn(cmd: &mut Command, capture: bool) -> Self {
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn netlab-echo server");
        let stderr = capture.then(|| {
            let lines = Arc::new(Mutex::new(Vec::new()));
            let pipe = child.stderr.take().expect("piped stderr");
            let sink = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    eprintln!("[server] {line}");
                    sink.lock().unwrap().push(line);
                }
            });
            lines
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("server printed no ready line (it exited, or 10 s passed)");
            }
        };
        assert!(line.contains("ready"), "unexpected first line: {line:?}");
        let addr = |proto: &str| {
            line.split(", ")
                .find_map(|part| {
                    part.trim()
                        .rsplit_once(&format!("{proto} "))
                        .map(|(_, a)| a.trim().to_string())
                })
                .map(|a| {
                    a.parse()
                        .unwrap_or_else(|e| panic!("bad address {a:?} in {line:?}: {e}"))
                })
        };
        let (udp, tcp) = (addr("udp"), addr("tcp"));
        Self {
            child,
            udp,
            tcp,
            stdout: rx,
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line after the ready line, if one comes within `wait`.
    pub fn stdout_line(&self, wait: Duration) -> Option<String> {
        self.stdout.recv_timeout(wait).ok()
    }

    /// What the server wrote on stderr so far (captured servers only).
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr
            .as_ref()
            .expect("stderr captured: start with Server::start_cmd_captured")
            .lock()
            .unwrap()
            .clone()
    }

    /// A field of `/proc/<pid>/status` in KiB, e.g. `VmRSS` or `VmHWM`.
    pub fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/<pid>/status"))
    }

    pub fn udp(&self) -> SocketAddr {
        self.udp.expect("server serves UDP")
    }

    pub fn tcp(&self) -> SocketAddr {
        self.tcp.expect("server serves TCP")
    }

    /// Sends `sig` and returns the exit code (waits at most 5 s).
    pub fn stop_with(&mut self, sig: nix::sys::signal::Signal) -> Option<i32> {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(self.child.id() as i32), sig)
            .expect("kill");
        wait_bounded(&mut self.child)
    }

    /// The server process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A finished client run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--json` lines, every one of which must parse.
    pub fn lines(&self) -> Vec<Line> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| {
                    panic!("not a JSON line ({e}): {l:?}\nstderr: {}", self.stderr)
                })
            })
            .collect()
    }

    pub fn probes(&self) -> Vec<ProbeRecord> {
        self.lines()
            .into_iter()
            .filter_map(|l| match l {
                Line::Probe(p) => Some(p),
                Line::Summary(_) => None,
            })
            .collect()
    }

    /// The summary, which must be the last line.
    pub fn summary(&self) -> Summary {
        match self.lines().pop() {
            Some(Line::Summary(s)) => s,
            other => panic!(
                "last line is not a summary: {other:?}\nstdout: {}\nstderr: {}",
                self.stdout, self.stderr
            ),
        }
    }
}

/// Runs `netlab-echo client ARGS` to completion, feeding `stdin`.
pub fn client_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .arg("client")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn netlab-echo client");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin)
        .expect("write stdin");
    finish(child.wait_with_output().expect("wait client"))
}

pub fn client(args: &[&str]) -> Run {
    client_with_stdin(args, b"")
}

pub fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().expect("client exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Waits at most 5 s for the process to end; kills it and fails after that.
pub fn wait_bounded(child: &mut Child) -> Option<i32> {
    for _ in 0..50 {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("process did not exit within 5 s of the signal");
}

/// Raises this process's soft open-file limit towards `want` (at most the
/// hard limit) and returns the soft limit now in force.
pub fn raise_nofile(want: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim), 0);
        if lim.rlim_cur < want {
            let raised = libc::rlimit {
                rlim_cur: want.min(lim.rlim_max),
                rlim_max: lim.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
    }
    lim.rlim_cur
}

/// Makes `cmd`'s child start with soft and hard open-file limits of `n`, so
/// nothing the server does can raise them.
pub fn limit_nofile(cmd: &mut Command, n: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches no shared state.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            match libc::setrlimit(libc::RLIMIT_NOFILE, &lim) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        })
    }
}
