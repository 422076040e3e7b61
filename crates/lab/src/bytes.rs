//! Byte sizes in the lab file: `256MiB`, `64KiB`, `1GiB`, `1000` (bytes).

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer};

/// A size in bytes, written with a binary (`KiB`, `MiB`, `GiB`) or decimal
/// (`kB`, `MB`, `GB`) unit, or as a bare number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub u64);

impl Bytes {
    pub fn parse(text: &str) -> Option<Bytes> {
        let t = text.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().ok()?;
        let mult: u64 = match unit.trim() {
            "" | "B" => 1,
            "KiB" => 1 << 10,
            "MiB" => 1 << 20,
            "GiB" => 1 << 30,
            "kB" | "KB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            _ => return None,
        };
        n.checked_mul(mult).map(Bytes)
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::N(n) => return Ok(Bytes(n)),
            Raw::S(s) => s,
        };
        Bytes::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "`{text}` is not a size; expected a number with a unit, such as `64KiB` or `256MiB`"
            ))
        })
    }
}

impl JsonSchema for Bytes {
    fn schema_name() -> Cow<'static, str> {
        "Size".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A size: `64KiB`, `256MiB`, `1GiB`, `1MB`, or a number of bytes.",
            "anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": "^\\s*[0-9]+\\s*(B|KiB|MiB|GiB|kB|KB|MB|GB)?\\s*$"}
            ],
            "examples": ["64KiB", "256MiB"]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Bytes;

    #[test]
    fn units() {
        assert_eq!(Bytes::parse("256MiB"), Some(Bytes(256 << 20)));
        assert_eq!(Bytes::parse("64 KiB"), Some(Bytes(64 << 10)));
        assert_eq!(Bytes::parse("1000"), Some(Bytes(1000)));
        assert_eq!(Bytes::parse("2MB"), Some(Bytes(2_000_000)));
        assert_eq!(Bytes::parse("12 parsecs"), None);
        assert_eq!(Bytes::parse("MiB"), None);
    }
}
