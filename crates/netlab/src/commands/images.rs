//! `netlab images`: list netlab's images, build the missing ones, and
//! (`--prune`) remove the ones earlier builds left.

use std::process::ExitCode;

use anyhow::anyhow;
use netlab_engine::{ImageKind, Pruned};
use netlab_runner::events::Events;
use netlab_runner::images;

use super::{Ui, image_sources};
use crate::cli::ImagesArgs;
use crate::exit::{self, Failure};
use crate::{output, progress};

pub async fn images(args: ImagesArgs, ui: Ui) -> Result<ExitCode, Failure> {
    let engine = args.engines.one().await?;
    let sources = image_sources();
    let infra = |e: netlab_engine::EngineError| Failure::Infra(anyhow!(e));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let shown = tokio::spawn(progress::show(rx, ui.bars));
    let build_progress = images::progress(&Events::new(tx));
    let mut text = String::new();
    let mut current = Vec::new();
    for kind in ImageKind::ALL {
        let name = kind.name();
        let line = if args.list {
            match engine.image_status(kind, &sources).await.map_err(infra)? {
                Some((tag, true)) => format!("{name:<7} {tag}  present"),
                Some((tag, false)) => format!("{name:<7} {tag}  missing"),
                None => format!("{name:<7} -  missing (its Debian base is not built yet)"),
            }
        } else {
            let image = engine
                .ensure_image(kind, &sources, &build_progress)
                .await
                .map_err(infra)?;
            let state = if image.built {
                format!("built in {:.1} s", image.elapsed.as_secs_f64())
            } else {
                "present".into()
            };
            // compose.yaml runs the images by this name.
            let latest = engine.tag_latest(&image.tag).await.map_err(infra)?;
            current.push(image.tag.clone());
            format!("{name:<7} {}  {state}, tagged {latest}", image.tag)
        };
        text.push_str(&line);
        text.push('\n');
    }
    drop(build_progress);
    let _ = shown.await;
    if args.prune {
        let pruned = engine.prune_images(&current).await.map_err(infra)?;
        text.push_str(&pruned_lines(&pruned));
    }
    output::print(&text).map_err(Failure::Infra)?;
    Ok(ExitCode::from(exit::OK))
}

/// `removed netlab/echo:0123456789ab (15.1 MB)` per image, then a total.
fn pruned_lines(pruned: &[Pruned]) -> String {
    let mut text = String::new();
    for p in pruned {
        let (names, mb) = (p.names.join(", "), p.size as f64 / 1e6);
        text.push_str(&if p.removed {
            format!("removed {names} ({mb:.1} MB)\n")
        } else {
            format!("kept    {names} ({mb:.1} MB): a container uses it; `netlab clean`, then prune again\n")
        });
    }
    let removed: Vec<&Pruned> = pruned.iter().filter(|p| p.removed).collect();
    let freed: i64 = removed.iter().map(|p| p.size).sum();
    text.push_str(&format!(
        "pruned {} old image(s), {:.1} MB\n",
        removed.len(),
        freed as f64 / 1e6
    ));
    text
}
