//! What `load` refuses to read: anything but a regular file (a FIFO would
//! block forever, /dev/zero would fill memory), and files over the size cap.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use netlab_lab::LabError;

/// `load(path)` on another thread, so a test that blocks fails instead of hanging.
fn load_within(path: &Path, limit: Duration) -> Option<Result<netlab_lab::Lab, LabError>> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(netlab_lab::load(&p));
    });
    rx.recv_timeout(limit).ok()
}

fn message(err: &LabError) -> String {
    err.to_string()
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("lab.yaml");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    let Some(result) = load_within(&fifo, Duration::from_secs(10)) else {
        // Unblock the reader so the test process can end, then fail.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        panic!("load() still blocked on a FIFO after 10 s");
    };
    let err = result.unwrap_err();
    let text = message(&err);
    assert!(
        text.starts_with(&format!("{}: error: ", fifo.display())),
        "{text}"
    );
    assert!(text.contains("not a regular file (a FIFO)"), "{text}");
}

#[test]
fn dev_zero_is_refused_before_reading() {
    let result = load_within(Path::new("/dev/zero"), Duration::from_secs(10))
        .expect("load() still reading /dev/zero after 10 s");
    let text = message(&result.unwrap_err());
    assert!(
        text.starts_with("/dev/zero: error: not a regular file (a character device)"),
        "{text}"
    );
}

#[test]
fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = message(&netlab_lab::load(dir.path()).unwrap_err());
    assert!(
        text.starts_with(&format!(
            "{}: error: not a regular file (a directory)",
            dir.path().display()
        )),
        "{text}"
    );
    assert!(text.contains("expected a lab file"), "{text}");
}

const LAB: &str = "name: big
hosts:
  server: {command: [server]}
  client: {}
scenarios:
  - name: s1
    probes:
      - {id: udp, from: client, to: server, proto: udp}
";

/// LAB padded with comment lines to exactly `size` bytes.
fn padded(size: usize) -> Vec<u8> {
    let mut text = LAB.as_bytes().to_vec();
    while text.len() < size {
        let left = size - text.len();
        let line = 80.min(left);
        text.push(b'#');
        text.extend(std::iter::repeat_n(b' ', line.saturating_sub(2)));
        if line >= 2 {
            text.push(b'\n');
        }
    }
    assert_eq!(text.len(), size);
    text
}

#[test]
fn a_file_of_exactly_the_cap_is_read_and_one_byte_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let at_cap = dir.path().join("at-cap.yaml");
    std::fs::write(&at_cap, padded(1 << 20)).unwrap();
    netlab_lab::load(&at_cap).unwrap_or_else(|e| panic!("{e}"));

    let over = dir.path().join("over.yaml");
    std::fs::write(&over, padded((1 << 20) + 1)).unwrap();
    let text = message(&netlab_lab::load(&over).unwrap_err());
    assert_eq!(
        text,
        format!(
            "{}: error: the lab file is 1048577 bytes, over the 1 MiB limit; \
             expected a lab file of at most 1 MiB (1048576 bytes): is this the right file?",
            over.display()
        )
    );
}

#[test]
fn non_utf8_is_reported_at_its_byte_line_and_column() {
    // `é` in Latin-1 (0xE9) after `title: "Caf` on line 2.
    let bytes = b"name: x\ntitle: \"Caf\xe9\"\n";
    let err = netlab_lab::parse_bytes(bytes, "latin1.yaml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "latin1.yaml:2:12: error: not UTF-8 at byte 19 (line 2, column 12); \
         expected UTF-8 text (save the file as UTF-8)"
    );
    let issue = &err.issues()[0];
    assert_eq!((issue.line, issue.col), (2, 12));
    // Columns count characters, not bytes: `ü` before the bad byte is one column.
    let err = netlab_lab::parse_bytes(
        "title: ü"
            .as_bytes()
            .iter()
            .copied()
            .chain([0xff])
            .collect::<Vec<_>>()
            .as_slice(),
        "u.yaml",
    )
    .unwrap_err();
    assert_eq!((err.issues()[0].line, err.issues()[0].col), (1, 9));
    assert!(
        err.to_string().contains("at byte 9 (line 1, column 9)"),
        "{err}"
    );
}
