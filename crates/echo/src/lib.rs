//! Reference programs of the lab handout: an uppercase echo server (UDP and
//! TCP) and a client that measures round-trip times and names every failure.

pub mod record;
