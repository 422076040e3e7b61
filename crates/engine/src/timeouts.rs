//! How long netlab waits for the Docker API. Its own module so that the
//! connection (`docker.rs`) and the errors that name a timeout (`error.rs`)
//! share it without importing each other.

use std::time::Duration;

/// Per-request timeout for ordinary API calls (until the response headers arrive).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Timeout for calls whose answer only starts after long work (image import, build).
pub(crate) const LONG_TIMEOUT: Duration = Duration::from_secs(900);
/// How long connect() waits for the daemon to answer the version and ping calls.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
