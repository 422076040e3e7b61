//! Images onto another engine without a registry: `GET /images/{tag}/get`
//! (docker save) on the engine that has it, streamed straight into `POST
//! /images/load` (docker load) on the one that lacks it. Image ids are
//! content addresses, so the copy has the same id and the same
//! content-hash tag: a present tag is never stale there either.

use bollard::query_parameters::ImportImageOptions;
use futures_util::{StreamExt, TryStreamExt};

use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result};

impl Engine {
    /// Copies `tag` from `source` unless this engine has it already.
    /// Returns whether it copied.
    pub async fn copy_image_from(&self, source: &Engine, tag: &str) -> Result<bool> {
        if self.image_exists(tag).await? {
            return Ok(false);
        }
        let what = || {
            format!(
                "copying image {tag} from {} to {}",
                source.host(),
                self.host()
            )
        };
        let saved = source
            .patient()
            .export_image(tag)
            .map_err(std::io::Error::other)
            .boxed();
        let mut loaded = self.patient().import_image_stream(
            ImportImageOptions {
                quiet: true,
                ..Default::default()
            },
            saved,
            None,
        );
        while let Some(step) = loaded.next().await {
            let step = step.ctx(what)?;
            if let Some(e) = step.error_detail.and_then(|d| d.message) {
                return Err(EngineError::Unexpected {
                    action: what(),
                    detail: e,
                });
            }
        }
        if !self.image_exists(tag).await? {
            return Err(EngineError::Unexpected {
                action: what(),
                detail: "the load finished but the tag is not there".into(),
            });
        }
        Ok(true)
    }
}
