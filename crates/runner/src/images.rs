//! Which images the labs need, and their tags once built.

use netlab_engine::{Engine, ImageEvent, ImageKind, ImageSources, Progress};
use netlab_lab::{Image, Lab};

use crate::RunError;
use crate::events::{Event, Events};

/// Tags of the images prepared for a run.
#[derive(Debug, Clone, Default)]
pub struct ImageSet {
    pub echo: Option<String>,
    pub tools: Option<String>,
    pub python: Option<String>,
}

impl ImageSet {
    /// The tag to run a host's image by.
    pub fn tag(&self, image: &Image) -> Result<String, RunError> {
        let (tag, kind) = match image {
            Image::Echo => (&self.echo, "echo"),
            Image::Tools => (&self.tools, "tools"),
            Image::Python => (&self.python, "python"),
            Image::Other(reference) => return Ok(reference.clone()),
        };
        tag.clone().ok_or(RunError::ImageNotPrepared(kind))
    }

    pub fn echo(&self) -> Result<String, RunError> {
        self.tag(&Image::Echo)
    }

    pub fn tools(&self) -> Result<String, RunError> {
        self.tag(&Image::Tools)
    }
}

/// The image kinds `labs` use: echo always (probes run `netlab-echo`), tools
/// when a scenario applies a firewall or an impairment (the sidecar) or a
/// host asks for it. `--capture` needs tools too (the caller adds it).
pub fn needed<'a>(labs: impl IntoIterator<Item = &'a Lab>) -> Vec<ImageKind> {
    let mut kinds = vec![ImageKind::Echo];
    for scenario in labs.into_iter().flat_map(|l| &l.scenarios) {
        if !scenario.firewalls.is_empty() || !scenario.impairments.is_empty() {
            kinds.push(ImageKind::Tools);
        }
        for host in &scenario.hosts {
            match host.image {
                Image::Tools => kinds.push(ImageKind::Tools),
                Image::Python => kinds.push(ImageKind::Python),
                _ => {}
            }
        }
    }
    let mut unique = Vec::new();
    for k in kinds {
        if !unique.contains(&k) {
            unique.push(k);
        }
    }
    unique
}

/// Builds (when missing or stale) every image in `kinds`.
pub async fn ensure(
    engine: &Engine,
    kinds: &[ImageKind],
    sources: &ImageSources,
    events: &Events,
) -> Result<ImageSet, RunError> {
    let progress = progress(events);
    let mut set = ImageSet::default();
    for &kind in kinds {
        let image = engine.ensure_image(kind, sources, &progress).await?;
        let slot = match kind {
            ImageKind::Echo => &mut set.echo,
            ImageKind::Tools => &mut set.tools,
            ImageKind::Python => &mut set.python,
        };
        *slot = Some(image.tag);
    }
    Ok(set)
}

impl ImageSet {
    /// Every tag of the set.
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        [&self.echo, &self.tools, &self.python]
            .into_iter()
            .filter_map(|t| t.as_deref())
    }
}

/// Makes every image of `set` present on `target`, copied from `source`
/// (which has them) where it is missing. Tags are content hashes, so a
/// present tag is never stale. Returns how many images were copied.
pub async fn distribute(
    source: &Engine,
    target: &Engine,
    set: &ImageSet,
) -> Result<usize, RunError> {
    let mut copied = 0;
    for tag in set.tags() {
        if target.copy_image_from(source, tag).await? {
            copied += 1;
        }
    }
    Ok(copied)
}

/// Image build progress as run events, so one listener draws every bar.
pub fn progress(events: &Events) -> Progress {
    let sink = events.clone();
    Progress::new(move |e| match e {
        ImageEvent::Start { image } => sink.send(Event::ImageBuilding {
            image,
            step: "building".into(),
        }),
        ImageEvent::Step { image, text } => sink.send(Event::ImageBuilding { image, step: text }),
        ImageEvent::Bytes { .. } => {}
        ImageEvent::Done {
            image, tag, built, ..
        } => {
            if built {
                sink.send(Event::ImageReady { image, tag })
            }
        }
    })
}
