//! Arbitrary bytes as a lab file, through what `netlab validate` does after
//! reading it (`netlab_lab::load` = read + `parse_bytes`): parse, validate,
//! render the errors, and for a valid lab what the runner derives from it.
//! Nothing here may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `load` refuses larger files before parsing.
    if data.len() as u64 > netlab_lab::MAX_LAB_BYTES {
        return;
    }
    match netlab_lab::parse_bytes(data, "fuzz.yaml") {
        Ok(lab) => {
            for sc in &lab.scenarios {
                for probe in &sc.probes {
                    let _ = probe.worst_case();
                    let _ = probe.client_args("server");
                    let _ = probe.target();
                }
            }
        }
        Err(e) => {
            let text = e.to_string();
            // Every rejection of a file that was read names a position.
            assert!(!e.issues().is_empty(), "no issue: {text}");
            for issue in e.issues() {
                assert!(issue.line > 0 && issue.col > 0, "no position: {text}");
            }
        }
    }
});
