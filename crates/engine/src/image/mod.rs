//! netlab's images, each built only when missing: the tag encodes every input
//! (binary, Dockerfile, base image id), so a present tag is never stale.
//!
//! - `echo`: `FROM scratch` + the static `netlab-echo` binary.
//! - `tools` (iptables, iproute2, tcpdump) and `python` (python3, non-root
//!   user): `FROM debian:bookworm-slim`, or offline from a debootstrap rootfs.

mod base;
mod debian;
mod dockerfile;
mod echo;
mod mirror;
mod prune;
mod rootfs;
mod transfer;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bollard::query_parameters::ListImagesOptionsBuilder;
use sha2::{Digest, Sha256};

use crate::docker::Engine;
use crate::error::{DockerContext, Result, is_not_found};
use crate::labels;

pub use base::BASE_PACKAGES;
pub use prune::Pruned;

/// The images netlab builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImageKind {
    Echo,
    Tools,
    Python,
}

impl ImageKind {
    pub const ALL: [ImageKind; 3] = [ImageKind::Echo, ImageKind::Tools, ImageKind::Python];

    /// `echo`, `tools`, `python` (also the `netlab.image` label value).
    pub fn name(self) -> &'static str {
        match self {
            ImageKind::Echo => "echo",
            ImageKind::Tools => "tools",
            ImageKind::Python => "python",
        }
    }

    /// `netlab/echo`, ...: the repository of its tags (`compose.yaml` names
    /// its `:latest`).
    pub fn repository(self) -> String {
        repository(self.name())
    }
}

/// Name of the offline Debian base image (also its `netlab.image` label
/// value and its name in progress events).
pub(crate) const BASE: &str = "base";

/// The one place image names are made: `netlab/<name>`, for the kinds and
/// for the offline Debian base ([`BASE`]).
fn repository(name: &str) -> String {
    format!("netlab/{name}")
}

/// `netlab/<name>:<tag>`.
pub(crate) fn image_tag(name: &str, tag: &str) -> String {
    format!("{}:{tag}", repository(name))
}

/// Progress of an image build, for a progress bar.
#[derive(Clone, Debug)]
pub enum ImageEvent {
    /// Work on an image begins (it is missing).
    Start { image: String },
    /// A step: `Step 2/4 : RUN ...`, `debootstrap: Retrieving ...`.
    Step { image: String, text: String },
    /// Bytes sent (`total` when known).
    Bytes {
        image: String,
        done: u64,
        total: Option<u64>,
    },
    /// The image is ready; `built` is false when it already existed.
    Done {
        image: String,
        tag: String,
        built: bool,
        elapsed: Duration,
    },
}

/// A progress sink: a cheap-to-clone callback (may be called from any thread).
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(ImageEvent) + Send + Sync>);

impl Progress {
    pub fn new(f: impl Fn(ImageEvent) + Send + Sync + 'static) -> Progress {
        Progress(Arc::new(f))
    }

    /// Discards events.
    pub fn none() -> Progress {
        Progress::new(|_| {})
    }

    pub(crate) fn emit(&self, e: ImageEvent) {
        (self.0)(e)
    }

    pub(crate) fn step(&self, image: &str, text: impl Into<String>) {
        self.emit(ImageEvent::Step {
            image: image.into(),
            text: text.into(),
        })
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// Inputs of the images that come from outside the engine.
#[derive(Clone, Debug)]
pub struct ImageSources {
    /// The static `netlab-echo` binary.
    pub echo_bin: PathBuf,
}

/// A ready image.
#[derive(Clone, Debug)]
pub struct ImageRef {
    pub kind: ImageKind,
    /// Tag to run it by, e.g. `netlab/echo:0123456789ab`.
    pub tag: String,
    /// Built now (false: it was already there).
    pub built: bool,
    pub elapsed: Duration,
}

/// A netlab image present in the engine (`netlab images`).
#[derive(Clone, Debug)]
pub struct ImageInfo {
    /// `netlab.image` label: echo, tools, python, base.
    pub kind: String,
    pub tags: Vec<String>,
    pub id: String,
    pub size: i64,
    /// Unix seconds.
    pub created: i64,
}

impl Engine {
    /// Makes sure the image exists, building it (and its base) if missing.
    pub async fn ensure_image(
        &self,
        kind: ImageKind,
        sources: &ImageSources,
        progress: &Progress,
    ) -> Result<ImageRef> {
        let started = Instant::now();
        let (tag, built) = match kind {
            ImageKind::Echo => self.ensure_echo(&sources.echo_bin, progress).await?,
            ImageKind::Tools | ImageKind::Python => self.ensure_debian(kind, progress).await?,
        };
        let elapsed = started.elapsed();
        progress.emit(ImageEvent::Done {
            image: kind.name().into(),
            tag: tag.clone(),
            built,
            elapsed,
        });
        Ok(ImageRef {
            kind,
            tag,
            built,
            elapsed,
        })
    }

    /// The tag `kind` would have, and whether it is present, without building
    /// anything (`None` when its base image is not there yet).
    pub async fn image_status(
        &self,
        kind: ImageKind,
        sources: &ImageSources,
    ) -> Result<Option<(String, bool)>> {
        let tag = match kind {
            ImageKind::Echo => Some(echo::tag(&sources.echo_bin).await?),
            _ => match self.local_base().await? {
                Some(base) => Some(dockerfile::debian_tag(kind, &base.id)),
                None => None,
            },
        };
        match tag {
            Some(t) => {
                let present = self.image_exists(&t).await?;
                Ok(Some((t, present)))
            }
            None => Ok(None),
        }
    }

    /// Tags `netlab/<kind>:<hash>` also as `netlab/<kind>:latest`, the name
    /// `compose.yaml` uses (`netlab images` does this after building).
    pub async fn tag_latest(&self, tag: &str) -> Result<String> {
        let repo = tag.rsplit_once(':').map_or(tag, |(r, _)| r);
        let opts = bollard::query_parameters::TagImageOptions {
            repo: Some(repo.to_string()),
            tag: Some("latest".into()),
        };
        self.docker
            .tag_image(tag, Some(opts))
            .await
            .ctx(|| format!("tagging {tag} as {repo}:latest"))?;
        Ok(format!("{repo}:latest"))
    }

    /// Every image labelled `netlab.image`.
    pub async fn list_images(&self) -> Result<Vec<ImageInfo>> {
        let filters = HashMap::from([("label", vec![labels::IMAGE])]);
        let opts = ListImagesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let images = self
            .docker
            .list_images(Some(opts))
            .await
            .ctx(|| "listing netlab images".into())?;
        Ok(images
            .into_iter()
            .map(|i| ImageInfo {
                kind: i.labels.get(labels::IMAGE).cloned().unwrap_or_default(),
                tags: i.repo_tags,
                id: i.id,
                size: i.size,
                created: i.created,
            })
            .collect())
    }

    /// Image id if present.
    pub(crate) async fn image_id(&self, reference: &str) -> Result<Option<String>> {
        match self.docker.inspect_image(reference).await {
            Ok(i) => Ok(Some(i.id.unwrap_or_default())),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e).ctx(|| format!("inspecting image {reference}")),
        }
    }

    pub(crate) async fn image_exists(&self, reference: &str) -> Result<bool> {
        Ok(self.image_id(reference).await?.is_some())
    }
}

/// First 12 hex digits of the SHA-256 of the parts.
pub(crate) fn short_hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Serializes image builds across processes (concurrent runs and tests must
/// not debootstrap twice): an exclusive lock on a file in the temp dir.
pub(crate) async fn build_lock() -> Result<std::fs::File> {
    let path = std::env::temp_dir().join("netlab-images.lock");
    let action = format!("locking {}", path.display());
    tokio::task::spawn_blocking(move || {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        f.lock()?;
        Ok(f)
    })
    .await
    .map_err(|e| std::io::Error::other(e.to_string()))
    .and_then(|r| r)
    .map_err(crate::error::io_err(action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_is_named_netlab_slash_its_name() {
        assert_eq!(ImageKind::Echo.repository(), "netlab/echo");
        assert!(echo::tag_of(b"bin").starts_with("netlab/echo:"));
        assert!(
            dockerfile::debian_tag(ImageKind::Python, "sha256:1").starts_with("netlab/python:")
        );
        assert!(base::offline_tag().starts_with("netlab/base:bookworm-"));
    }
}
