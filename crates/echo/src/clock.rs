//! Time stamps: RTTs come from the monotonic clock; wall-clock time is only
//! for the printed "sent"/"received" stamps (UTC, microseconds). Kernel
//! time stamps (`SO_TIMESTAMPING`) are real-time nanoseconds ([`KernelTime`]).

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use nix::sys::time::TimeSpec;

/// One instant read from both clocks at (nearly) the same moment.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub wall: DateTime<Utc>,
    pub mono: Instant,
}

impl Stamp {
    pub fn now() -> Self {
        // Monotonic last: it is the one RTTs are measured from.
        let wall = Utc::now();
        Self {
            wall,
            mono: Instant::now(),
        }
    }

    /// The wall-clock time `elapsed` after this stamp. Derived from the
    /// monotonic difference, so `received - sent` always equals the RTT even
    /// if the wall clock is stepped in between.
    pub fn wall_after(&self, elapsed: Duration) -> DateTime<Utc> {
        self.wall + chrono::Duration::from_std(elapsed).unwrap_or(chrono::Duration::MAX)
    }
}

/// RFC 3339 in UTC with microseconds, e.g. `2025-05-01T12:00:00.123456Z`.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Human-readable form for terminal output, e.g. `2025-05-01 12:00:00.123456 UTC`.
pub fn human(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f UTC").to_string()
}

/// A duration in microseconds, with sub-microsecond precision.
pub fn micros(d: Duration) -> f64 {
    d.as_nanos() as f64 / 1000.0
}

/// A kernel software time stamp: nanoseconds of CLOCK_REALTIME.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KernelTime(i128);

impl KernelTime {
    /// None for the all-zero stamp the kernel sends when it has none.
    pub fn from_timespec(ts: &TimeSpec) -> Option<Self> {
        let ns = i128::from(ts.tv_sec()) * 1_000_000_000 + i128::from(ts.tv_nsec());
        (ns != 0).then_some(Self(ns))
    }

    pub fn from_nanos(ns: i128) -> Self {
        Self(ns)
    }

    /// Microseconds from `self` to `later`, if `later` is not earlier.
    pub fn micros_until(self, later: KernelTime) -> Option<f64> {
        let ns = later.0 - self.0;
        (ns >= 0).then(|| ns as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_microseconds() {
        let t = DateTime::parse_from_rfc3339("2025-05-01T12:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(rfc3339(&t), "2025-05-01T12:00:00.123456Z");
        assert_eq!(human(&t), "2025-05-01 12:00:00.123456 UTC");
        assert_eq!(micros(Duration::from_nanos(1500)), 1.5);
    }

    #[test]
    fn received_stamp_follows_the_monotonic_difference() {
        let s = Stamp::now();
        let r = s.wall_after(Duration::from_micros(250));
        assert_eq!((r - s.wall).num_microseconds(), Some(250));
    }
}
