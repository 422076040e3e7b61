//! Removing netlab images that are no longer current. Every tag encodes its
//! inputs, so each rebuild of netlab-echo (or a new base recipe) leaves the
//! previous image behind; `netlab images --prune` removes those.

use bollard::query_parameters::RemoveImageOptionsBuilder;

use crate::docker::Engine;
use crate::error::{DockerContext, Result, is_not_found};

/// One stale image and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pruned {
    /// Its tags, or its id when it has none.
    pub names: Vec<String>,
    pub size: i64,
    /// False when Docker kept it: a container (e.g. of a `--keep` run) uses it.
    pub removed: bool,
}

impl Engine {
    /// Removes every image labelled `netlab.image` that is neither one of
    /// the `current` tags (what `ensure_image` just gave for each kind) nor
    /// the current base. Never forced: an image a container uses stays.
    pub async fn prune_images(&self, current: &[String]) -> Result<Vec<Pruned>> {
        let mut keep = Vec::new();
        for tag in current {
            keep.extend(self.image_id(tag).await?);
        }
        if let Some(base) = self.local_base().await? {
            keep.push(base.id);
        }
        let mut pruned = Vec::new();
        for image in self.list_images().await? {
            if keep.contains(&image.id) {
                continue;
            }
            let tags: Vec<String> = image
                .tags
                .into_iter()
                .filter(|t| t != "<none>:<none>")
                .collect();
            // Untagging the last tag removes the image; one without tags goes by id.
            let names = if tags.is_empty() {
                vec![image.id]
            } else {
                tags
            };
            let mut removed = true;
            for name in &names {
                removed &= self.remove_image(name).await?;
            }
            pruned.push(Pruned {
                names,
                size: image.size,
                removed,
            });
        }
        Ok(pruned)
    }

    /// Removes (untags) `name`; `false` when a container still uses it.
    async fn remove_image(&self, name: &str) -> Result<bool> {
        let opts = RemoveImageOptionsBuilder::default().force(false).build();
        match self.docker.remove_image(name, Some(opts), None).await {
            Ok(_) => Ok(true),
            Err(e) if is_not_found(&e) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 409, ..
            }) => Ok(false),
            Err(e) => Err(e).ctx(|| format!("removing image {name}")),
        }
    }
}
