//! The Debian-based images, built offline (debootstrap + import) when no
//! registry answers. Slow the first time (~1 min); later runs reuse them.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use netlab_engine::{ContainerSpec, ExecRequest, ImageEvent, ImageKind, Progress};

#[tokio::test(flavor = "multi_thread")]
async fn tools_and_python_images_build_offline_and_work() {
    let engine = common::engine().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let t0 = std::time::Instant::now();
    let progress = Progress::new(move |e| {
        // Figures for the report: when each step started.
        if let ImageEvent::Step { image, text } = &e {
            eprintln!("[{:>6.1}s] {image}: {text}", t0.elapsed().as_secs_f64());
        }
        sink.lock().unwrap().push(e)
    });

    let tools = engine
        .ensure_image(ImageKind::Tools, &common::sources(), &progress)
        .await
        .expect("tools image");
    eprintln!(
        "tools image {} (built now: {}) in {:?}",
        tools.tag, tools.built, tools.elapsed
    );
    let python = engine
        .ensure_image(ImageKind::Python, &common::sources(), &progress)
        .await
        .expect("python image");
    eprintln!(
        "python image {} (built now: {}) in {:?}",
        python.tag, python.built, python.elapsed
    );
    let events = std::mem::take(&mut *events.lock().unwrap());
    if tools.built {
        assert!(
            events
                .iter()
                .any(|e| matches!(e, ImageEvent::Step { text, .. } if text.starts_with("Step "))),
            "build steps are reported"
        );
    }
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ImageEvent::Done { image, .. } if image == "tools"))
    );

    // Built once: asking again reuses the same tag.
    let again = engine
        .ensure_image(ImageKind::Tools, &common::sources(), &Progress::none())
        .await
        .unwrap();
    assert_eq!(
        (again.tag.as_str(), again.built),
        (tools.tag.as_str(), false)
    );

    // Listed with their kind label (base too, when it was built offline).
    let listed = engine.list_images().await.unwrap();
    for (kind, tag) in [("tools", &tools.tag), ("python", &python.tag)] {
        assert!(
            listed
                .iter()
                .any(|i| i.kind == kind && i.tags.contains(tag)),
            "{kind} {tag} listed: {listed:?}"
        );
    }
    let status = engine
        .image_status(ImageKind::Tools, &common::sources())
        .await
        .unwrap();
    assert_eq!(status, Some((tools.tag.clone(), true)));

    let (run, _guard) = common::run(&engine, "images-test");
    let t = run
        .start_container(&ContainerSpec::new("tools", &tools.tag))
        .await
        .unwrap();
    for argv in [
        &["iptables", "--version"][..],
        &["tc", "-V"],
        &["tcpdump", "--version"],
        &["ip", "-V"],
    ] {
        let out = engine.exec(&t.id, &ExecRequest::new(argv)).await.unwrap();
        assert_eq!(out.exit_code, Some(0), "{argv:?}: {}", out.stderr.text());
    }

    // The python image runs a submission as a non-root user in the sandbox.
    let p = run
        .start_container(
            &ContainerSpec::new("py", &python.tag)
                .cmd(&["sleep", "60"])
                .sandboxed("1000:1000"),
        )
        .await
        .unwrap();
    let code = "import os; print(os.getuid()); open('/tmp/ok', 'w').write('x')\n\
                try:\n    open('/root-owned', 'w')\nexcept OSError as e:\n    print('readonly', e.errno)";
    let out = engine
        .exec(
            &p.id,
            &ExecRequest::new(&["python3", "-c", code]).timeout(Duration::from_secs(20)),
        )
        .await
        .unwrap();
    assert_eq!(out.exit_code, Some(0), "{}", out.stderr.text());
    let text = out.stdout.text();
    assert!(text.starts_with("1000\n"), "non-root: {text}");
    assert!(
        text.contains("readonly 30"),
        "read-only root (EROFS): {text}"
    );

    run.cleanup().await.unwrap();
    assert_eq!(common::leftovers(&engine, run.id()).await, (0, 0));
}
