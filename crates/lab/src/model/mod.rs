//! The lab file as written: serde types with `deny_unknown_fields` and
//! positions on the values that validation checks. Doc comments here become
//! the descriptions in `schema/lab.schema.json`, so they speak to instructors.
//! The runner never sees these types; it gets the resolved ones (`crate::resolved`).

mod check;
mod fault;
mod host;
mod lab;
mod probe;
mod submission;

pub use check::*;
pub use fault::*;
pub use host::*;
pub use lab::*;
pub use probe::*;
pub use submission::*;
