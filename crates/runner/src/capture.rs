//! `--capture`: tcpdump in one host's namespace for the span of the probes,
//! the pcap saved as `<dir>/<lab>-<scenario>.pcap` and summed up.

use std::path::{Path, PathBuf};

use netlab_engine::Capture;
use netlab_lab::Scenario;
use netlab_lab::results::CaptureSummary;

use crate::RunError;
use crate::context::{Ctx, Live};

/// A capture that was asked for: where it goes and whether it started.
pub(crate) struct Started {
    host: String,
    file: PathBuf,
    capture: Result<Capture, String>,
}

/// Starts tcpdump in `sc.capture`'s namespace. A capture that cannot start
/// is reported in the result; the probes run anyway.
pub(crate) async fn start(ctx: &Ctx<'_>, sc: &Scenario, dir: &Path, live: &mut Live) -> Started {
    let host = sc.capture.clone();
    let file = dir.join(format!("{}-{}.pcap", ctx.lab, sc.name));
    let capture = async {
        let target = live
            .hosts
            .get(&host)
            .ok_or_else(|| format!("host `{host}` is not running in this scenario"))?;
        let tools = ctx.images.tools().map_err(|e| e.to_string())?;
        let cap = ctx
            .run_of(&host)
            .start_capture(target, &tools)
            .await
            .map_err(|e| RunError::from(e).to_string())?;
        live.sidecars.push((host.clone(), cap.container.clone()));
        Ok(cap)
    }
    .await;
    Started {
        host,
        file,
        capture,
    }
}

/// Stops the capture, saves the pcap and reads it back into a summary.
pub(crate) async fn finish(started: Started) -> CaptureSummary {
    let mut summary = CaptureSummary {
        host: started.host,
        file: started.file.display().to_string(),
        wire: None,
        dropped: 0,
        error: None,
    };
    let saved = match started.capture {
        Ok(cap) => cap
            .stop_and_save(&started.file)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Ok(s) = &saved {
        summary.dropped = s.dropped.unwrap_or(0);
    }
    let read = match saved {
        Ok(_) => tokio::fs::read(&started.file)
            .await
            .map_err(|e| format!("reading {}: {e}", summary.file)),
        Err(e) => Err(e),
    };
    match read.and_then(|bytes| netlab_wire::summarize(&bytes).map_err(|e| e.to_string())) {
        Ok(wire) => summary.wire = Some(wire),
        Err(e) => summary.error = Some(format!("no capture: {e}")),
    }
    summary
}
