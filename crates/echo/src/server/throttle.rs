//! Rate-limited logging: at most one line per second for each kind of
//! event, so a storm (out of descriptors, thousands of idle connections
//! timing out together, a reset flood) costs a few lines, not thousands.
//! The repeats held back are counted and reported by [`Throttle::flush`].

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::log;

/// At most one line per kind per period.
const PERIOD: Duration = Duration::from_secs(1);

/// The kinds of event that can repeat quickly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// accept failed for lack of descriptors or memory
    AcceptResources,
    /// accept failed otherwise
    AcceptOther,
    /// a connection closed to make room for a new one
    Evicted,
    /// a connection closed after --idle-timeout
    Idle,
    /// a connection's socket error
    Connection,
    /// UDP receive or send failed
    Udp,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::AcceptResources,
        Kind::AcceptOther,
        Kind::Evicted,
        Kind::Idle,
        Kind::Connection,
        Kind::Udp,
    ];

    /// Plural noun phrase for the summary of held-back repeats.
    fn what(self) -> &'static str {
        match self {
            Kind::AcceptResources => "tcp accept failures for lack of descriptors or memory",
            Kind::AcceptOther => "tcp accept failures",
            Kind::Evicted => "tcp connections closed, idle the longest, to make room",
            Kind::Idle => "tcp connections closed for --idle-timeout",
            Kind::Connection => "tcp connection errors",
            Kind::Udp => "udp errors",
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct State {
    /// When the last line of this kind was printed.
    last: Option<Instant>,
    /// Events held back since then.
    held: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Throttle {
    states: Mutex<[State; Kind::ALL.len()]>,
}

impl Throttle {
    /// Logs `msg` unless a line of this kind was printed less than a
    /// second ago; then it is only counted. `msg` is formatted only when
    /// printed.
    pub(crate) fn log(&self, kind: Kind, msg: fmt::Arguments<'_>) {
        let now = Instant::now();
        {
            let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
            let s = &mut states[kind as usize];
            if s.last.is_some_and(|t| now.duration_since(t) < PERIOD) {
                s.held += 1;
                return;
            }
            s.last = Some(now);
            if s.held > 0 {
                // Report the earlier repeats before this line.
                let held = std::mem::take(&mut s.held);
                drop(states);
                log(format_args!("{held} more {} (not shown)", kind.what()));
            }
        }
        log(msg);
    }

    /// Prints one summary line per kind whose repeats were held back and
    /// whose period has passed. Call about once a second.
    pub(crate) fn flush(&self) {
        let now = Instant::now();
        let mut due = Vec::new();
        {
            let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
            for kind in Kind::ALL {
                let s = &mut states[kind as usize];
                if s.held > 0 && s.last.is_none_or(|t| now.duration_since(t) >= PERIOD) {
                    due.push((kind, std::mem::take(&mut s.held)));
                    // The summary counts as this period's line.
                    s.last = Some(now);
                }
            }
        }
        for (kind, held) in due {
            log(format_args!("{held} more {} (not shown)", kind.what()));
        }
    }

    #[cfg(test)]
    fn held(&self, kind: Kind) -> u64 {
        self.states.lock().unwrap()[kind as usize].held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_within_a_second_are_counted_not_printed() {
        let t = Throttle::default();
        for _ in 0..100 {
            t.log(Kind::Idle, format_args!("x"));
        }
        assert_eq!(t.held(Kind::Idle), 99);
        assert_eq!(t.held(Kind::Udp), 0, "kinds are separate");
        t.flush();
        assert_eq!(t.held(Kind::Idle), 99, "not before the period is over");
    }
}
