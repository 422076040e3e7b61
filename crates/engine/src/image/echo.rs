//! The echo image: `FROM scratch` + the static netlab-echo binary.

use std::collections::HashMap;
use std::path::Path;

use super::{ImageEvent, ImageKind, Progress, build_lock, dockerfile, image_tag, short_hash};
use crate::docker::Engine;
use crate::error::{EngineError, Result};

async fn read_bin(bin: &Path) -> Result<Vec<u8>> {
    tokio::fs::read(bin)
        .await
        .map_err(|source| EngineError::EchoBinary {
            path: bin.display().to_string(),
            source,
        })
}

pub(super) fn tag_of(binary: &[u8]) -> String {
    let hash = short_hash(&[binary, dockerfile::ECHO.as_bytes()]);
    image_tag(ImageKind::Echo.name(), &hash)
}

/// `netlab/echo:<12 hex of sha256(binary, Dockerfile)>`.
pub(crate) async fn tag(bin: &Path) -> Result<String> {
    Ok(tag_of(&read_bin(bin).await?))
}

impl Engine {
    /// (tag, built now).
    pub(crate) async fn ensure_echo(
        &self,
        bin: &Path,
        progress: &Progress,
    ) -> Result<(String, bool)> {
        let binary = read_bin(bin).await?;
        let tag = tag_of(&binary);
        if self.image_exists(&tag).await? {
            return Ok((tag, false));
        }
        let _lock = build_lock().await?;
        if self.image_exists(&tag).await? {
            return Ok((tag, false));
        }
        progress.emit(ImageEvent::Start {
            image: "echo".into(),
        });
        let ctx = dockerfile::context(ImageKind::Echo, &[("netlab-echo", 0o755, &binary)])?;
        self.build(ImageKind::Echo, &tag, ctx, &HashMap::new(), progress)
            .await?;
        Ok((tag, true))
    }
}
