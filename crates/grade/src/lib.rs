//! `netlab grade`: grade every submission of a class against one lab.
//!
//! [`discover`] lists the submissions (one sub-folder per student, sorted by
//! id); [`Grader::grade_all`] grades them on a pool of engines (`pool.rs`:
//! `jobs` slots per engine), each in its own run scope (own network, own
//! labels), retrying a submission once when the failure was netlab's
//! (`infra_error`), handing the students of an engine that stops answering
//! to the others, and hands each [`StudentRecord`] to the caller as soon as
//! it is done. [`files`] turns records into the bytes
//! of every output file; the caller writes them.

mod error;
pub mod files;
mod grader;
pub mod pool;
mod record;
mod submissions;

pub use error::GradeError;
pub use grader::{Batch, Grader, MAX_ATTEMPTS, PoolEngine};
pub use record::StudentRecord;
pub use submissions::{Submission, discover, one, select};
