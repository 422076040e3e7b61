//! Packet capture in a target's network namespace: a tools container running
//! `tcpdump -w` as its main process (so SIGINT through the API stops it
//! cleanly), and the pcap copied out through the archive API as a tar stream.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{DownloadFromContainerOptions, KillContainerOptionsBuilder};
use futures_util::StreamExt;

use crate::container::{Container, log_config};
use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result, io_err};
use crate::labels;
use crate::run::Run;

/// Where tcpdump writes inside the capture container.
const PCAP_PATH: &str = "/tmp/netlab.pcap";
/// tcpdump prints this on stderr once its socket is open.
const READY_TEXT: &str = "listening on";
/// Packets still in flight when the probes end (the last ACK, an ICMP
/// error) get this long to reach tcpdump before it is stopped.
const DRAIN: Duration = Duration::from_millis(300);

/// A capture saved to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Saved {
    /// Size of the pcap.
    pub bytes: u64,
    /// Packets the kernel dropped before tcpdump read them (tcpdump's own
    /// count; `None` when it did not say).
    pub dropped: Option<u64>,
}

/// A running capture.
#[derive(Clone, Debug)]
pub struct Capture {
    pub container: Container,
    /// Docker name of the target.
    pub target: String,
    engine: Engine,
}

impl Run {
    /// Starts tcpdump on every interface (`-i any`) of `target`'s namespace
    /// and waits until it listens. It holds NET_RAW and NET_ADMIN (and
    /// SETUID/SETGID, which tcpdump's `-Z` needs); the target gets nothing.
    pub async fn start_capture(&self, target: &Container, tools_image: &str) -> Result<Capture> {
        let mut labels = self.labels();
        labels.insert(labels::ROLE.into(), "sidecar".into());
        // --immediate-mode: hand each packet over at once (else the kernel
        // ring holds it up to 1 s and a stop loses it); -U: write it at once;
        // -Z root: stay root instead of switching to the tcpdump user (it still
        // calls setgroups/setuid, hence SETGID and SETUID below).
        // -s 9216 -B 8192: the kernel ring holds about 900 frames (each slot
        // is snaplen-sized; the default 256 KiB snaplen leaves room for 8 in
        // 2 MiB, and a burst loses packets).
        let cmd = [
            "tcpdump",
            "-i",
            "any",
            "-n",
            "-U",
            "--immediate-mode",
            "-s",
            "9216",
            "-B",
            "8192",
            "-Z",
            "root",
            "-w",
            PCAP_PATH,
        ];
        let body = ContainerCreateBody {
            image: Some(tools_image.into()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            labels: Some(labels),
            host_config: Some(HostConfig {
                network_mode: Some(format!("container:{}", target.id)),
                cap_drop: Some(vec!["ALL".into()]),
                cap_add: Some(
                    ["NET_RAW", "NET_ADMIN", "SETUID", "SETGID"]
                        .map(String::from)
                        .into(),
                ),
                security_opt: Some(vec!["no-new-privileges:true".into()]),
                log_config: Some(log_config("1m")),
                ..Default::default()
            }),
            ..Default::default()
        };
        let container = self
            .launch(&format!("{}-cap", target.name), body, &[])
            .await?;
        self.engine
            .wait_for_log(&container, READY_TEXT, Duration::from_secs(10))
            .await?;
        Ok(Capture {
            container,
            target: target.docker_name.clone(),
            engine: self.engine.clone(),
        })
    }
}

impl Capture {
    /// Stops tcpdump (SIGINT: it flushes and exits) and writes the pcap to
    /// `dest`. The container stays (stopped) until the run's cleanup
    /// removes it.
    pub async fn stop_and_save(&self, dest: &Path) -> Result<Saved> {
        tokio::time::sleep(DRAIN).await;
        let id = &self.container.id;
        let opts = KillContainerOptionsBuilder::default().signal("INT").build();
        // 409: it already ended (the tar below still finds the file).
        match self.engine.docker.kill_container(id, Some(opts)).await {
            Ok(()) => {}
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => {}
            Err(e) => return Err(e).ctx(|| format!("stopping tcpdump in {}", self.target)),
        }
        let status = self.engine.wait_exit(id, Duration::from_secs(10)).await?;
        if status.timed_out {
            return Err(EngineError::Unexpected {
                action: format!("stopping tcpdump in {}", self.target),
                detail: "it did not exit within 10 s of SIGINT".into(),
            });
        }
        let tar = self.download().await?;
        let pcap = single_file(&tar).map_err(io_err(format!(
            "reading the capture archive of {}",
            self.target
        )))?;
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(io_err(format!("creating {}", dir.display())))?;
        }
        tokio::fs::write(dest, &pcap)
            .await
            .map_err(io_err(format!("writing {}", dest.display())))?;
        let logs = self.engine.last_lines(id, 10).await;
        Ok(Saved {
            bytes: pcap.len() as u64,
            dropped: dropped_count(&logs),
        })
    }

    async fn download(&self) -> Result<Vec<u8>> {
        let opts = DownloadFromContainerOptions {
            path: PCAP_PATH.into(),
        };
        let mut stream = self
            .engine
            .docker
            .download_from_container(&self.container.id, Some(opts));
        let mut tar = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.ctx(|| format!("copying the capture out of {}", self.target))?;
            tar.extend_from_slice(&chunk);
        }
        Ok(tar)
    }
}

/// `N packets dropped by kernel` from tcpdump's closing statistics.
fn dropped_count(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.trim().strip_suffix(" packets dropped by kernel"))
        .and_then(|n| n.trim().parse().ok())
}

/// The contents of the one regular file in a tar archive.
fn single_file(tar: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut archive = tar::Archive::new(tar);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            let mut out = Vec::new();
            entry.read_to_end(&mut out)?;
            return Ok(out);
        }
    }
    Err(std::io::Error::other("the archive holds no file"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn single_file_from_a_tar() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_cksum();
        b.append_data(&mut h, "netlab.pcap", &b"abc"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        assert_eq!(super::single_file(&tar).unwrap(), b"abc");
        assert!(super::single_file(&[0u8; 1024]).is_err());
    }

    #[test]
    fn dropped_from_tcpdump_statistics() {
        let text =
            "455 packets captured\n547 packets received by filter\n92 packets dropped by kernel\n";
        assert_eq!(super::dropped_count(text), Some(92));
        assert_eq!(super::dropped_count("tcpdump: listening"), None);
    }
}
