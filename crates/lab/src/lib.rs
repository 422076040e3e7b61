//! The lab file: what hosts to start, which faults to apply, which probes to
//! run and how to grade them. Parsing and validation happen here, before any
//! container starts, so every mistake is reported with `file:line:col`.

pub mod results;
