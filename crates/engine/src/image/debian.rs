//! The Debian-based images (tools, python): the Dockerfile from docker/ built
//! on whichever base exists, passed as the `BASE` build argument.

use std::collections::HashMap;

use super::{ImageEvent, ImageKind, Progress, build_lock, dockerfile};
use crate::docker::Engine;
use crate::error::Result;

impl Engine {
    /// (tag, built now).
    pub(crate) async fn ensure_debian(
        &self,
        kind: ImageKind,
        progress: &Progress,
    ) -> Result<(String, bool)> {
        if let Some(base) = self.local_base().await? {
            let tag = dockerfile::debian_tag(kind, &base.id);
            if self.image_exists(&tag).await? {
                return Ok((tag, false));
            }
        }
        let _lock = build_lock().await?;
        let base = self.ensure_base(progress).await?;
        let tag = dockerfile::debian_tag(kind, &base.id);
        if self.image_exists(&tag).await? {
            return Ok((tag, false));
        }
        progress.emit(ImageEvent::Start {
            image: kind.name().into(),
        });
        let ctx = dockerfile::context(kind, &[])?;
        let args = HashMap::from([("BASE", base.reference.as_str())]);
        self.build(kind, &tag, ctx, &args, progress).await?;
        Ok((tag, true))
    }
}
