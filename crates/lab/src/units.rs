//! Scalar types of the lab file that need their own parsing: durations
//! (`100ms`), percentages (`5%`) and commands (a list or a plain string).
//! Their errors read `<what>; expected <what>` so the parser can split them.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// A duration written in humantime form: `100ms`, `1s`, `2m`, `1s 500ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dur(pub Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(s.trim()).map(Dur).map_err(|_| {
            de::Error::custom(format!(
                "`{s}` is not a duration; expected a number with a unit, such as `100ms`, `1s` or `2m`"
            ))
        })
    }
}

impl JsonSchema for Dur {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration with a unit: `100ms`, `1s`, `2m`, `1s 500ms`.",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*[a-zµ]+(\\s*[0-9]+\\s*[a-zµ]+)*\\s*$",
            "examples": ["100ms", "1s", "2m"]
        })
    }
}

/// A percentage, `0%`..`100%`; a bare number is read as percent too.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Percent(pub f64);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = f64;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a percentage such as `5%`")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                let num = v.trim().strip_suffix('%').unwrap_or(v).trim();
                num.parse::<f64>().map_err(|_| {
                    E::custom(format!(
                        "`{v}` is not a percentage; expected a number with `%`, such as `5%`"
                    ))
                })
            }
        }
        let v = d.deserialize_any(V)?;
        if !(0.0..=100.0).contains(&v) {
            return Err(de::Error::custom(format!(
                "percentage {v}% is out of range; expected 0% to 100%"
            )));
        }
        Ok(Percent(v))
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage: `5%`, or a bare number read as percent.",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$"}
            ]
        })
    }
}

/// A link rate in bits per second, written as tc writes it: `500kbit`,
/// `1mbit`, `1gbit` (`bit` units only: tc's `kbps` means kilobytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate(pub u64);

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_rate(&s).map(Rate).ok_or_else(|| {
            de::Error::custom(format!(
                "`{s}` is not a rate; expected a number with `bit`, `kbit`, `mbit` or `gbit`, such as `1mbit`"
            ))
        })
    }
}

fn parse_rate(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_lowercase();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "bit" => 1.0,
        "kbit" => 1e3,
        "mbit" => 1e6,
        "gbit" => 1e9,
        _ => return None,
    };
    let bits = num.parse::<f64>().ok()? * scale;
    (bits >= 1.0 && bits.is_finite()).then_some(bits.round() as u64)
}

impl JsonSchema for Rate {
    fn schema_name() -> Cow<'static, str> {
        "Rate".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A link rate: a number with `bit`, `kbit`, `mbit` or `gbit`.",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*([kKmMgG])?[bB][iI][tT]\\s*$",
            "examples": ["500kbit", "1mbit"]
        })
    }
}

/// A command: a list of arguments, or a plain string split on whitespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command(pub Vec<String>);

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a command: a list of arguments or a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(v.split_whitespace().map(str::to_owned).collect())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(arg) = seq.next_element::<String>()? {
                    out.push(arg);
                }
                Ok(out)
            }
        }
        d.deserialize_any(V).map(Command)
    }
}

impl JsonSchema for Command {
    fn schema_name() -> Cow<'static, str> {
        "Command".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The program's arguments: a list, or a string split on whitespace.",
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}}
            ]
        })
    }
}

/// A list that may be left empty (`faults:` with every entry commented out is null).
pub fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct T {
        r: Option<Rate>,
        p: Option<Percent>,
        d: Option<Dur>,
        c: Option<Command>,
    }

    fn parse(text: &str) -> Result<T, String> {
        serde_saphyr::from_str::<T>(text).map_err(|e| e.to_string())
    }

    #[test]
    fn percent_with_or_without_sign() {
        assert_eq!(parse("p: 5%").unwrap().p, Some(Percent(5.0)));
        assert_eq!(parse("p: 2.5 %").unwrap().p, Some(Percent(2.5)));
        assert_eq!(parse("p: 5").unwrap().p, Some(Percent(5.0)));
        assert_eq!(parse("p: 0.5").unwrap().p, Some(Percent(0.5)));
        assert!(parse("p: 101%").unwrap_err().contains("out of range"));
        assert!(parse("p: lots").unwrap_err().contains("not a percentage"));
    }

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(
            parse("d: 100ms").unwrap().d,
            Some(Dur(Duration::from_millis(100)))
        );
        assert_eq!(
            parse("d: 1s 500ms").unwrap().d,
            Some(Dur(Duration::from_millis(1500)))
        );
        assert!(parse("d: 5").unwrap_err().contains("not a duration"));
    }

    #[test]
    fn rates_in_bits() {
        assert_eq!(parse("r: 1mbit").unwrap().r, Some(Rate(1_000_000)));
        assert_eq!(parse("r: 2.5 kbit").unwrap().r, Some(Rate(2_500)));
        assert_eq!(parse("r: 1Gbit").unwrap().r, Some(Rate(1_000_000_000)));
        assert!(parse("r: 1mbps").unwrap_err().contains("not a rate"));
        assert!(parse("r: 0bit").unwrap_err().contains("not a rate"));
        assert!(parse("r: fast").unwrap_err().contains("not a rate"));
    }

    #[test]
    fn command_list_or_string() {
        assert_eq!(
            parse("c: [server, --proto, udp]").unwrap().c.unwrap().0,
            ["server", "--proto", "udp"]
        );
        assert_eq!(
            parse("c: server  --proto udp").unwrap().c.unwrap().0,
            ["server", "--proto", "udp"]
        );
    }
}
