//! The Debian base of the tools and python images: `debian:bookworm-slim` if
//! the engine has it or can pull it, else a debootstrap rootfs imported as
//! `netlab/base:bookworm-<hash of the package list>`. Built once, reused.

use std::time::Duration;

use bollard::query_parameters::CreateImageOptionsBuilder;
use futures_util::StreamExt;

use super::{BASE, ImageEvent, Progress, image_tag, short_hash};
use crate::docker::Engine;
use crate::error::Result;

/// The official slim image real users have.
const UPSTREAM: &str = "debian:bookworm-slim";
/// Packages of the offline rootfs (tools and python share one base).
pub const BASE_PACKAGES: &[&str] = &["iptables", "iproute2", "tcpdump", "python3"];
/// A pull that has not finished by then is treated as "no registry".
const PULL_TIMEOUT: Duration = Duration::from_secs(20);

/// A base image: the reference to put in `FROM` and its id (part of derived tags).
#[derive(Clone, Debug)]
pub(crate) struct Base {
    pub reference: String,
    pub id: String,
}

/// Bump when the rootfs recipe changes (variant, archived paths, import changes).
const RECIPE: &[u8] = b"minbase-v2";

/// `netlab/base:bookworm-<12 hex of the recipe and package list>`.
pub(crate) fn offline_tag() -> String {
    let list = BASE_PACKAGES.join(",");
    let hash = short_hash(&[RECIPE, list.as_bytes()]);
    image_tag(BASE, &format!("bookworm-{hash}"))
}

impl Engine {
    /// A base already present: upstream first, then the offline one.
    pub(crate) async fn local_base(&self) -> Result<Option<Base>> {
        for reference in [UPSTREAM.to_string(), offline_tag()] {
            if let Some(id) = self.image_id(&reference).await? {
                return Ok(Some(Base { reference, id }));
            }
        }
        Ok(None)
    }

    /// The base, pulling or building it when missing. Callers hold the build lock.
    pub(crate) async fn ensure_base(&self, progress: &Progress) -> Result<Base> {
        if let Some(base) = self.local_base().await? {
            return Ok(base);
        }
        progress.emit(ImageEvent::Start { image: BASE.into() });
        if self.try_pull(progress).await
            && let Some(id) = self.image_id(UPSTREAM).await?
        {
            return Ok(Base {
                reference: UPSTREAM.into(),
                id,
            });
        }
        let tag = offline_tag();
        self.build_offline_base(&tag, progress).await?;
        let id = self.image_id(&tag).await?.unwrap_or_default();
        Ok(Base { reference: tag, id })
    }

    /// One pull attempt with a short timeout; false means "no registry here".
    async fn try_pull(&self, progress: &Progress) -> bool {
        if std::env::var_os("NETLAB_OFFLINE").is_some() {
            return false;
        }
        progress.step(BASE, format!("pulling {UPSTREAM}"));
        let opts = CreateImageOptionsBuilder::default()
            .from_image("debian")
            .tag("bookworm-slim")
            .build();
        let pull = async {
            let mut stream = self.docker.create_image(Some(opts), None, None);
            while let Some(item) = stream.next().await {
                item?;
            }
            Ok::<_, bollard::errors::Error>(())
        };
        match tokio::time::timeout(PULL_TIMEOUT, pull).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                progress.step(
                    BASE,
                    format!("pull failed ({e}); building the base offline"),
                );
                false
            }
            Err(_) => {
                progress.step(
                    BASE,
                    format!("pull unanswered after {PULL_TIMEOUT:?}; building the base offline"),
                );
                false
            }
        }
    }
}
