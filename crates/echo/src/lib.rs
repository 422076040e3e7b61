//! Reference programs of the lab handout: an uppercase echo server (UDP and
//! TCP) and a client that measures round-trip times and names every failure.
//!
//! The binary `netlab-echo` is a thin wrapper: [`cli`] parses the command
//! line, [`server`] serves, [`client`] probes, [`idle`] waits for a signal;
//! [`kstamp`] reads the kernel's time stamps for both.
//! The JSON-lines contract the orchestrator reads back is `netlab-contract`.

pub mod cli;
pub mod client;
pub mod clock;
pub mod errqueue;
pub mod human;
pub mod idle;
pub mod kstamp;
pub mod lookup;
pub mod outcome;
pub mod payload;
pub mod server;
pub mod stats;
