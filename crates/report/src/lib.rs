//! Reporters turn run results into bytes and do no I/O (as hyperfine's
//! exporters); the `netlab` binary decides where the bytes go.
