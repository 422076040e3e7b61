//! End-to-end tests of the `netlab` binary: exit statuses, messages, reports
//! and cleanup, against the real Docker engine (no fakes). One test binary,
//! one module per concern.
//!
//! Lab names are unique per test (`netlab.lab=<name>` is how a test finds
//! its own objects while other tests use Docker at the same time); the
//! shipped labs are run by a single test. Tests in `exclusive` run alone
//! (.config/nextest.toml): `netlab clean` removes every netlab object.

mod exclusive;
mod no_engine;
mod reports;
mod runs;
mod shipped;
mod signals;
mod support;
mod usage;
mod validate;
