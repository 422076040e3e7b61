//! A folder of this machine on an engine that cannot see this machine's
//! files (a remote engine): copied through the API into a volume of the
//! run, which containers then mount (read-only) as they would the folder.
//! The volume carries the run's labels, so cleanup and the reaper remove it
//! with the rest.

use std::collections::HashMap;
use std::path::Path;

use bollard::models::{ContainerCreateBody, HostConfig, Volume, VolumeCreateRequest};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListVolumesOptionsBuilder, UploadToContainerOptionsBuilder,
};

use crate::docker::Engine;
use crate::error::{DockerContext, EngineError, Result, io_err};
use crate::run::Run;

/// The most a copied folder may hold: a submission is a few source files.
pub const MAX_FOLDER_BYTES: u64 = 64 << 20;

impl Run {
    /// Copies `dir` into a new volume of this run (named after `name`),
    /// through a container of `image` that is created, never started, and
    /// removed. Symbolic links are copied as links, never followed. Returns
    /// the volume's name, for a [`crate::Bind`].
    pub async fn upload_folder(&self, name: &str, dir: &Path, image: &str) -> Result<String> {
        let docker = &self.engine.docker;
        let volume = self.object_name(name);
        let labels: HashMap<String, String> = self.labels();
        docker
            .create_volume(VolumeCreateRequest {
                name: Some(volume.clone()),
                labels: Some(labels.clone()),
                ..Default::default()
            })
            .await
            .ctx(|| format!("creating volume {volume}"))?;
        let dir_owned = dir.to_owned();
        let archive = tokio::task::spawn_blocking(move || folder_tar(&dir_owned))
            .await
            .map_err(|e| EngineError::Unexpected {
                action: format!("packing {}", dir.display()),
                detail: e.to_string(),
            })??;
        let loader = self.object_name(&format!("{name}-loader"));
        let body = ContainerCreateBody {
            image: Some(image.to_owned()),
            cmd: Some(vec!["true".into()]),
            labels: Some(labels),
            host_config: Some(HostConfig {
                binds: Some(vec![format!("{volume}:/load")]),
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = docker
            .create_container(
                Some(
                    CreateContainerOptionsBuilder::default()
                        .name(&loader)
                        .build(),
                ),
                body,
            )
            .await
            .ctx(|| format!("creating container {loader}"))?
            .id;
        let uploaded = docker
            .upload_to_container(
                &id,
                Some(
                    UploadToContainerOptionsBuilder::default()
                        .path("/load")
                        .build(),
                ),
                bollard::body_full(archive.into()),
            )
            .await
            .ctx(|| format!("copying {} into volume {volume}", dir.display()));
        let removed = self.engine.remove_container(&id).await;
        uploaded?;
        removed?;
        Ok(volume)
    }
}

impl Engine {
    /// Every volume matching a label filter.
    pub(crate) async fn labelled_volumes(&self, label: &str) -> Result<Vec<Volume>> {
        let filters = HashMap::from([("label", vec![label])]);
        let list = self
            .docker
            .list_volumes(Some(
                ListVolumesOptionsBuilder::default()
                    .filters(&filters)
                    .build(),
            ))
            .await
            .ctx(|| format!("listing volumes labelled {label}"))?;
        Ok(list.volumes.unwrap_or_default())
    }
}

/// The folder as a tar archive, its entries relative to the folder, modes
/// and owners as they are (what a bind mount would show).
fn folder_tar(dir: &Path) -> Result<Vec<u8>> {
    let too_big = || EngineError::Unexpected {
        action: format!("packing {}", dir.display()),
        detail: format!(
            "the folder holds more than {} MiB; a submission is a few source files",
            MAX_FOLDER_BYTES >> 20
        ),
    };
    let mut size = 0u64;
    for entry in walk(dir).map_err(io_err("reading the folder"))? {
        size += entry;
        if size > MAX_FOLDER_BYTES {
            return Err(too_big());
        }
    }
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    tar.append_dir_all(".", dir)
        .map_err(io_err("packing the folder"))?;
    tar.into_inner().map_err(io_err("packing the folder"))
}

/// The sizes of the regular files under `dir` (links not followed).
fn walk(dir: &Path) -> std::io::Result<Vec<u64>> {
    let mut sizes = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = std::fs::symlink_metadata(entry.path())?;
        if meta.is_dir() {
            sizes.extend(walk(&entry.path())?);
        } else if meta.is_file() {
            sizes.push(meta.len());
        }
    }
    Ok(sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_packs_with_relative_paths_and_links_as_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("UDPServer.py"), "print('hi')\n").unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/x.py"), "").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("link")).unwrap();
        let bytes = folder_tar(dir.path()).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let mut names: Vec<(String, bool)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.path().unwrap().display().to_string(),
                    e.header().entry_type().is_symlink(),
                )
            })
            .collect();
        names.sort();
        assert!(names.contains(&("UDPServer.py".into(), false)), "{names:?}");
        assert!(names.contains(&("lib/x.py".into(), false)), "{names:?}");
        assert!(names.contains(&("link".into(), true)), "{names:?}");
    }
}
