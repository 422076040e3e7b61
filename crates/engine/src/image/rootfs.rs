//! The offline base: `debootstrap --variant=minbase` into a temp dir, then the
//! rootfs streamed as a tar straight into the engine (`docker import`
//! equivalent: POST /images/create?fromSrc=-), without a temp tarball.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

use super::base::BASE_PACKAGES;
use super::{BASE, ImageEvent, Progress, mirror};
use crate::docker::Engine;
use crate::error::{EngineError, Result, io_err};
use crate::labels;

const SUITE: &str = "bookworm";
const CHUNK: usize = 1 << 20;

impl Engine {
    /// debootstrap + import as `tag` (`repo:tag`).
    pub(crate) async fn build_offline_base(&self, tag: &str, progress: &Progress) -> Result<()> {
        let dir = TempDir::new()?;
        debootstrap(dir.path(), progress).await?;
        self.import_rootfs(dir.path(), tag, progress).await
    }

    async fn import_rootfs(&self, root: &Path, tag: &str, progress: &Progress) -> Result<()> {
        let (repo, version) = tag.split_once(':').unwrap_or((tag, "latest"));
        let changes = vec![
            format!("LABEL {}={BASE}", labels::IMAGE),
            "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            r#"CMD ["/bin/bash"]"#.to_string(),
        ];
        let opts = CreateImageOptionsBuilder::default()
            .from_src("-")
            .repo(repo)
            .tag(version)
            .changes(changes)
            .build();
        progress.step(BASE, "importing the rootfs into the engine");
        let (tx, rx) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
        let root = root.to_path_buf();
        let p = progress.clone();
        let producer = tokio::task::spawn_blocking(move || write_tar(&root, tx, &p));
        let body = futures_util::stream::unfold(rx, |mut rx| async move {
            let item = rx.recv().await?;
            Some((item.map(Into::into), rx))
        });
        let patient = self.patient();
        let mut stream =
            patient.create_image(Some(opts), Some(bollard::body_try_stream(body)), None);
        let failed = |message: String| EngineError::Build {
            tag: tag.to_string(),
            message,
        };
        while let Some(item) = stream.next().await {
            item.map_err(|e| failed(format!("import failed: {e}")))?;
        }
        producer
            .await
            .map_err(|e| failed(format!("tar writer crashed: {e}")))?
            .map_err(io_err("archiving the debootstrap rootfs"))?;
        if !self.image_exists(tag).await? {
            return Err(failed(
                "the import ended without producing the image".into(),
            ));
        }
        Ok(())
    }
}

/// Runs debootstrap, forwarding its `I:` lines as progress steps.
async fn debootstrap(dir: &Path, progress: &Progress) -> Result<()> {
    let exe = find_debootstrap().ok_or(EngineError::DebootstrapMissing)?;
    let mirror = mirror::debian_mirror()?;
    progress.step(
        BASE,
        format!("debootstrap {SUITE} from {mirror} (about a minute, ~170 MB)"),
    );
    let mut child = tokio::process::Command::new(exe)
        .arg("--variant=minbase")
        .arg(format!("--include={}", BASE_PACKAGES.join(",")))
        .arg(SUITE)
        .arg(dir)
        .arg(&mirror)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(io_err("starting debootstrap"))?;
    let mut out = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut err = BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut tail: Vec<String> = Vec::new();
    let (mut out_done, mut err_done) = (false, false);
    while !(out_done && err_done) {
        let line = tokio::select! {
            l = out.next_line(), if !out_done => l.map_err(io_err("reading debootstrap output"))?.or_else(|| { out_done = true; None }),
            l = err.next_line(), if !err_done => l.map_err(io_err("reading debootstrap output"))?.or_else(|| { err_done = true; None }),
        };
        if let Some(line) = line {
            if let Some(step) = line.strip_prefix("I: ") {
                progress.step(BASE, format!("debootstrap: {step}"));
            }
            tail.push(line);
            if tail.len() > 30 {
                tail.remove(0);
            }
        }
    }
    let status = child
        .wait()
        .await
        .map_err(io_err("waiting for debootstrap"))?;
    if status.success() {
        Ok(())
    } else {
        Err(EngineError::Debootstrap {
            status: status.to_string(),
            tail: tail.join("\n"),
        })
    }
}

fn find_debootstrap() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|d| d.join("debootstrap"))
        .find(|p| p.is_file())
}

/// Sends the tar in 1 MiB chunks, reporting bytes sent.
struct ChunkWriter<'a> {
    tx: mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    sent: u64,
    total: u64,
    progress: &'a Progress,
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.buf);
        self.sent += chunk.len() as u64;
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the engine stopped reading the image"))?;
        self.progress.emit(ImageEvent::Bytes {
            image: BASE.into(),
            done: self.sent,
            total: Some(self.total.max(self.sent)),
        });
        Ok(())
    }
}

fn write_tar(
    root: &Path,
    tx: mpsc::Sender<std::io::Result<Vec<u8>>>,
    progress: &Progress,
) -> std::io::Result<()> {
    let total = tree_size(root)?;
    let writer = ChunkWriter {
        tx: tx.clone(),
        buf: Vec::with_capacity(CHUNK),
        sent: 0,
        total,
        progress,
    };
    let mut tar = tar::Builder::new(writer);
    tar.follow_symlinks(false);
    let result = append_tree(&mut tar, root, Path::new("")).and_then(|()| {
        let mut w = tar.into_inner()?;
        w.flush()
    });
    if let Err(e) = &result {
        // Make the import fail rather than import a partial rootfs.
        let _ = tx.blocking_send(Err(std::io::Error::new(e.kind(), e.to_string())));
    }
    result
}

/// Paths not archived: the contents of what the runtime mounts (/dev, /proc,
/// /sys), and the downloaded .debs and package lists debootstrap leaves
/// (~100 MB nobody needs in the image).
fn skipped(rel: &Path) -> bool {
    let mut parts = rel.components();
    let top = parts.next().and_then(|c| c.as_os_str().to_str());
    let below_mount = matches!(top, Some("dev" | "proc" | "sys")) && parts.next().is_some();
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let apt_cache =
        rel.parent() == Some(Path::new("var/cache/apt/archives")) && name.ends_with(".deb");
    let apt_lists =
        rel.parent() == Some(Path::new("var/lib/apt/lists")) && name != "partial" && name != "lock";
    below_mount || apt_cache || apt_lists
}

fn append_tree<W: Write>(
    tar: &mut tar::Builder<W>,
    root: &Path,
    rel: &Path,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let rel = rel.join(e.file_name());
        if skipped(&rel) {
            continue;
        }
        let full = root.join(&rel);
        tar.append_path_with_name(&full, &rel)?;
        if e.file_type()?.is_dir() {
            append_tree(tar, root, &rel)?;
        }
    }
    Ok(())
}

fn tree_size(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        total += 512;
        if t.is_dir() {
            total += tree_size(&e.path())?;
        } else if t.is_file() {
            total += e.metadata()?.len().div_ceil(512) * 512;
        }
    }
    Ok(total)
}

/// A temp dir removed on drop (the rootfs is ~170 MB).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let p = std::env::temp_dir().join(format!("netlab-rootfs-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).map_err(io_err(format!("creating {}", p.display())))?;
        Ok(TempDir(p))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::skipped;
    use std::path::Path;

    #[test]
    fn runtime_dirs_are_kept_empty() {
        assert!(!skipped(Path::new("dev")));
        assert!(skipped(Path::new("dev/null")));
        assert!(skipped(Path::new("proc/1/stat")));
        assert!(!skipped(Path::new("devices")));
        assert!(!skipped(Path::new("usr/dev/x")));
        assert!(skipped(Path::new(
            "var/cache/apt/archives/bash_5.2_amd64.deb"
        )));
        assert!(!skipped(Path::new("var/cache/apt/archives/partial")));
        assert!(skipped(Path::new(
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_Release"
        )));
    }
}
