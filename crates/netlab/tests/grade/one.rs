//! A student checking their own folder: `netlab grade LAB --submission DIR`
//! prints the report and says by its exit status whether every check passed;
//! it writes nothing without `--out`.

use super::{leftovers, netlab, root};

/// The grading lab under its own name, so other tests' containers are told apart.
const LAB: &str = "grade-self";

#[test]
fn docker_a_student_grades_their_own_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let lab_file = tmp.path().join("self.yaml");
    let text = std::fs::read_to_string(root().join("labs/grading/handout.yaml")).unwrap();
    std::fs::write(
        &lab_file,
        text.replace("name: grade-handout", &format!("name: {LAB}")),
    )
    .unwrap();
    let lab = lab_file.to_str().unwrap();
    let before: Vec<_> = std::fs::read_dir(root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let good = netlab(&[
        "grade",
        lab,
        "--submission",
        "examples/submissions/s001-correct",
    ]);
    let stdout = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("score 26/26"), "{stdout}");
    assert!(stdout.contains("UDP client prints the uppercase reply"));

    let out = tmp.path().join("mine");
    let weak = netlab(&[
        "grade",
        lab,
        "--submission",
        "examples/submissions/s004-no-rtt",
        "--out",
        out.to_str().unwrap(),
        "--gradebook",
        "canvas",
    ]);
    let stdout = String::from_utf8_lossy(&weak.stdout);
    assert_eq!(
        weak.status.code(),
        Some(1),
        "a failed check: exit 1\n{stdout}"
    );
    assert!(stdout.contains("FAIL"), "{stdout}");
    for f in [
        "students/s004-no-rtt/report.html",
        "students/s004-no-rtt/feedback.md",
        "class.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("grades.csv")).unwrap();
    assert!(
        csv.starts_with("Student,ID,SIS User ID,SIS Login ID,Section"),
        "{csv}"
    );

    // Without --out nothing was written in the working folder.
    let after: Vec<_> = std::fs::read_dir(root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(before.len(), after.len(), "files appeared: {after:?}");
    let both = netlab(&[
        "grade",
        lab,
        "--submission",
        "examples/submissions/s001-correct",
        "--submissions",
        "examples/submissions",
    ]);
    assert_eq!(both.status.code(), Some(2), "one of the two, not both");
    assert_eq!(leftovers(LAB), 0);
}
