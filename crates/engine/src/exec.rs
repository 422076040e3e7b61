//! Running a command in a container: optional stdin, output capped (first and
//! last part kept), a wall-clock timeout, and the exit code once output drains.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bollard::exec::{StartExecOptions, StartExecResults};
use bollard::models::ExecConfig;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::docker::Engine;
use crate::error::{DockerContext, Result};

/// Output kept up to a cap: the first half and the last half of the cap.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    cap: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl Captured {
    pub fn new(cap: usize) -> Captured {
        Captured {
            cap,
            ..Default::default()
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let head_room = (self.cap / 2 + self.cap % 2).saturating_sub(self.head.len());
        let n = head_room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..n]);
        bytes = &bytes[n..];
        let tail_cap = self.cap / 2;
        if bytes.len() >= tail_cap {
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - tail_cap..]);
        } else {
            let overflow = (self.tail.len() + bytes.len()).saturating_sub(tail_cap);
            self.tail.drain(..overflow);
            self.tail.extend(bytes);
        }
    }

    /// Bytes received in total (kept or not).
    pub fn total_bytes(&self) -> u64 {
        self.total
    }

    /// Bytes kept (the first and the last part).
    pub fn kept_bytes(&self) -> u64 {
        (self.head.len() + self.tail.len()) as u64
    }

    /// True when some of the middle was dropped.
    pub fn truncated(&self) -> bool {
        self.total > self.kept_bytes()
    }

    /// The kept text; a cut is marked with how many bytes were dropped.
    pub fn text(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        let tail = String::from_utf8_lossy(&tail);
        if self.truncated() {
            let cut = self.total - self.kept_bytes();
            format!("{head}\n[... {cut} bytes cut by netlab ...]\n{tail}")
        } else {
            format!("{head}{tail}")
        }
    }
}

/// A command to run with [`Engine::exec`].
#[derive(Clone, Debug)]
pub struct ExecRequest {
    pub argv: Vec<String>,
    /// Written to the command's stdin, then stdin is closed.
    pub stdin: Option<Vec<u8>>,
    pub timeout: Duration,
    /// Cap on each of stdout and stderr.
    pub output_cap: usize,
    pub user: Option<String>,
    pub env: Vec<(String, String)>,
}

impl ExecRequest {
    /// argv with a 30 s timeout and a 1 MiB cap per stream.
    pub fn new<S: AsRef<str>>(argv: &[S]) -> ExecRequest {
        ExecRequest {
            argv: argv.iter().map(|s| s.as_ref().to_string()).collect(),
            stdin: None,
            timeout: Duration::from_secs(30),
            output_cap: 1 << 20,
            user: None,
            env: Vec::new(),
        }
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    pub fn output_cap(mut self, cap: usize) -> Self {
        self.output_cap = cap;
        self
    }
}

/// What a command did.
#[derive(Clone, Debug)]
pub struct ExecOutput {
    pub stdout: Captured,
    pub stderr: Captured,
    /// `None` when it timed out (it may still run: remove the container).
    pub exit_code: Option<i64>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Engine {
    /// Runs `req.argv` in container `id` and collects its output.
    pub async fn exec(&self, id: &str, req: &ExecRequest) -> Result<ExecOutput> {
        let started = Instant::now();
        let what = || format!("running `{}` in container {id}", req.argv.join(" "));
        let config = ExecConfig {
            attach_stdin: Some(req.stdin.is_some()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(req.argv.clone()),
            user: req.user.clone(),
            env: Some(req.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            ..Default::default()
        };
        let exec_id = self.docker.create_exec(id, config).await.ctx(what)?.id;
        let mut stdout = Captured::new(req.output_cap);
        let mut stderr = Captured::new(req.output_cap);
        let opts = StartExecOptions {
            output_capacity: Some(64 * 1024),
            ..Default::default()
        };
        let StartExecResults::Attached {
            mut output,
            mut input,
        } = self
            .docker
            .start_exec(&exec_id, Some(opts))
            .await
            .ctx(what)?
        else {
            unreachable!("start_exec without detach always attaches");
        };
        // Feed stdin concurrently so a command that writes before reading cannot deadlock.
        let writer = req.stdin.clone().map(|bytes| {
            tokio::spawn(async move {
                let _ = input.write_all(&bytes).await;
                let _ = input.shutdown().await;
            })
        });
        let drain = async {
            while let Some(chunk) = output.next().await {
                match chunk.ctx(what)? {
                    bollard::container::LogOutput::StdErr { message } => stderr.push(&message),
                    other => stdout.push(other.as_ref()),
                }
            }
            Ok::<_, crate::EngineError>(())
        };
        let timed_out = match tokio::time::timeout(req.timeout, drain).await {
            Ok(r) => {
                r?;
                false
            }
            Err(_) => true,
        };
        if let Some(w) = writer {
            w.abort();
        }
        let exit_code = if timed_out {
            None
        } else {
            self.exec_exit_code(&exec_id).await?
        };
        Ok(ExecOutput {
            stdout,
            stderr,
            exit_code,
            timed_out,
            elapsed: started.elapsed(),
        })
    }

    /// The exit code, polling briefly: Docker may report `running` for a moment after the output ends.
    async fn exec_exit_code(&self, exec_id: &str) -> Result<Option<i64>> {
        for _ in 0..100 {
            let info = self
                .docker
                .inspect_exec(exec_id)
                .await
                .ctx(|| format!("inspecting exec {exec_id}"))?;
            if info.running != Some(true) {
                return Ok(info.exit_code);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::Captured;

    #[test]
    fn small_output_is_kept_whole() {
        let mut c = Captured::new(10);
        c.push(b"abc");
        c.push(b"de");
        assert_eq!(c.text(), "abcde");
        assert!(!c.truncated());
    }

    #[test]
    fn large_output_keeps_head_and_tail() {
        let mut c = Captured::new(6);
        for chunk in [&b"0123"[..], b"456789", b"ab"] {
            c.push(chunk);
        }
        assert_eq!(c.total_bytes(), 12);
        assert!(c.truncated());
        assert_eq!(c.text(), "012\n[... 6 bytes cut by netlab ...]\n9ab");
    }

    #[test]
    fn exactly_cap_is_not_cut() {
        let mut c = Captured::new(4);
        c.push(b"ab");
        c.push(b"cd");
        assert_eq!(c.text(), "abcd");
        assert!(!c.truncated());
    }
}
