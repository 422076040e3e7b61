//! The lab file: what hosts to start, which faults to apply, which probes to
//! run and how to grade them. Parsing and validation happen here, before any
//! container starts, so every mistake is reported with `file:line:col`.
//!
//! Entry points: [`load`] / [`parse`] / [`parse_bytes`] give a validated [`Lab`] with every
//! default applied; [`Probe::client_args`] builds the `netlab-echo client`
//! arguments; [`grade::evaluate`] grades a check against probe runs;
//! [`schema::generate`] is the JSON Schema of the file.

mod argv;
mod bytes;
mod error;
pub mod grade;
mod model;
mod parse;
pub mod resolved;
pub mod results;
pub mod schema;
mod span;
mod units;
mod validate;

pub use bytes::Bytes;
pub use error::{Issue, LabError};
pub use grade::{evaluate, evaluate_with, not_graded};
pub use parse::{MAX_LAB_BYTES, load, parse, parse_bytes};
pub use resolved::*;
