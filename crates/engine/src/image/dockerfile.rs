//! Classic-builder builds from an in-memory tar context (no pull: `FROM`
//! resolves to local images), with build steps reported as progress.

use std::collections::HashMap;

use bollard::query_parameters::BuildImageOptionsBuilder;
use futures_util::StreamExt;

use super::{ImageKind, Progress, image_tag, short_hash};
use crate::docker::Engine;
use crate::error::{EngineError, Result};
use crate::labels;

pub(crate) const ECHO: &str = include_str!("../../../../docker/echo/Dockerfile");
pub(crate) const TOOLS: &str = include_str!("../../../../docker/tools/Dockerfile");
pub(crate) const PYTHON: &str = include_str!("../../../../docker/python/Dockerfile");

fn dockerfile(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Echo => ECHO,
        ImageKind::Tools => TOOLS,
        ImageKind::Python => PYTHON,
    }
}

/// Tag of a Debian-based image: its Dockerfile and the base image's id.
pub(crate) fn debian_tag(kind: ImageKind, base_id: &str) -> String {
    let hash = short_hash(&[dockerfile(kind).as_bytes(), base_id.as_bytes()]);
    image_tag(kind.name(), &hash)
}

/// A tar build context: the Dockerfile plus extra files (path, mode, bytes).
pub(crate) fn context(kind: ImageKind, files: &[(&str, u32, &[u8])]) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let df = dockerfile(kind).as_bytes();
    let mut all = vec![("Dockerfile", 0o644, df)];
    all.extend_from_slice(files);
    for (path, mode, data) in all {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_cksum();
        tar.append_data(&mut header, path, data)
            .map_err(crate::error::io_err("assembling the build context"))?;
    }
    tar.into_inner()
        .map_err(crate::error::io_err("assembling the build context"))
}

impl Engine {
    /// Builds `kind` from `context` as `tag`, labelled `netlab.image=<kind>`.
    pub(crate) async fn build(
        &self,
        kind: ImageKind,
        tag: &str,
        context: Vec<u8>,
        build_args: &HashMap<&str, &str>,
        progress: &Progress,
    ) -> Result<()> {
        let image_labels = HashMap::from([(labels::IMAGE, kind.name())]);
        let opts = BuildImageOptionsBuilder::default()
            .dockerfile("Dockerfile")
            .t(tag)
            .rm(true)
            .forcerm(true)
            .labels(&image_labels)
            .buildargs(build_args)
            .build();
        let patient = self.patient();
        let mut stream = patient.build_image(opts, None, Some(bollard::body_full(context.into())));
        let failed = |message: String| EngineError::Build {
            tag: tag.to_string(),
            message,
        };
        let mut tail: Vec<String> = Vec::new();
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    for line in info.stream.unwrap_or_default().lines() {
                        let line = line.trim();
                        if line.starts_with("Step ") {
                            progress.step(kind.name(), line);
                        }
                        if !line.is_empty() {
                            tail.push(line.to_string());
                        }
                    }
                    if tail.len() > 20 {
                        tail.drain(..tail.len() - 20);
                    }
                }
                Err(bollard::errors::Error::DockerStreamError { error }) => {
                    return Err(failed(format!("{error}\n{}", tail.join("\n"))));
                }
                Err(e) => return Err(failed(e.to_string())),
            }
        }
        if self.image_exists(tag).await? {
            Ok(())
        } else {
            Err(failed(format!(
                "the build ended without producing the image\n{}",
                tail.join("\n")
            )))
        }
    }
}
