//! Short figures for measured/expected strings: `412 µs`, `1.23 ms`, `p50`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::resolved::Outcome;

/// Microseconds with three significant digits and the fitting unit.
pub fn us(v: f64) -> String {
    let (value, unit) = if v < 1_000.0 {
        (v, "µs")
    } else if v < 1_000_000.0 {
        (v / 1_000.0, "ms")
    } else {
        (v / 1_000_000.0, "s")
    };
    format!("{} {unit}", sig3(value))
}

pub fn dur(d: Duration) -> String {
    us(d.as_secs_f64() * 1e6)
}

/// Three significant digits, trailing zeros dropped: 412, 1.23, 5, 0.3.
pub fn sig3(v: f64) -> String {
    let decimals = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// `p50`, `p99.9`.
pub fn pct(p: f64) -> String {
    format!("p{}", sig3(p))
}

/// `7 refused, 3 timeout` (most frequent first).
pub fn breakdown(counts: &BTreeMap<Outcome, u64>) -> String {
    let mut items: Vec<(&Outcome, &u64)> = counts.iter().filter(|(_, n)| **n > 0).collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = items
        .iter()
        .map(|(o, n)| format!("{n} {}", o.name()))
        .collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_short() {
        assert_eq!(us(412.4), "412 µs");
        assert_eq!(us(1234.0), "1.23 ms");
        assert_eq!(us(12_345.0), "12.3 ms");
        assert_eq!(dur(Duration::from_millis(5)), "5 ms");
        assert_eq!(dur(Duration::from_secs(3)), "3 s");
        assert_eq!(sig3(0.3), "0.3");
        assert_eq!(sig3(2.314), "2.31");
        assert_eq!(pct(50.0), "p50");
        assert_eq!(pct(99.9), "p99.9");
    }
}
