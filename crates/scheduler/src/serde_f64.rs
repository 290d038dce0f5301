//! Serde helpers that keep non-finite `f64` values alive in JSON.
//!
//! JSON has no NaN or infinity (serde_json writes `null` and cannot read it back as a number).
//! These helpers write them as the strings `"NaN"`, `"Infinity"` and `"-Infinity"` (the
//! spelling of the parity fixtures and of Python's `json` module) and read back those strings,
//! plain numbers and, for the `Option` forms, `null` as `None`. Use them with
//! `#[serde(with = "lrviz_scheduler::serde_f64")]` (or `::option`, `::vec`, `::vec_option`).

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// The string written for NaN.
pub const NAN: &str = "NaN";
/// The string written for +∞.
pub const INFINITY: &str = "Infinity";
/// The string written for −∞.
pub const NEG_INFINITY: &str = "-Infinity";

/// Parses the non-finite spellings: the canonical ones plus `nan`, `inf`, `+inf`, `-inf`,
/// `infinity` in any letter case.
pub fn parse_non_finite(s: &str) -> Option<f64> {
    match s.trim().to_ascii_lowercase().as_str() {
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Serializes a finite value as a number and a non-finite one as its string.
pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    if x.is_finite() {
        s.serialize_f64(*x)
    } else if x.is_nan() {
        s.serialize_str(NAN)
    } else if *x > 0.0 {
        s.serialize_str(INFINITY)
    } else {
        s.serialize_str(NEG_INFINITY)
    }
}

/// Reads a number or one of the non-finite strings.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(F64Visitor)
}

struct F64Visitor;

impl Visitor<'_> for F64Visitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or one of the strings \"NaN\", \"Infinity\", \"-Infinity\"")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        parse_non_finite(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// A transparent wrapper that (de)serializes through this module; handy inside containers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JsonF64(pub f64);

impl Serialize for JsonF64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for JsonF64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize(d).map(JsonF64)
    }
}

/// `Option<f64>`: `None` ↔ `null`.
pub mod option {
    use super::*;

    /// Serializes `None` as `null`, `Some(x)` as in [`super::serialize`].
    pub fn serialize<S: Serializer>(x: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match x {
            Some(v) => super::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    /// Reads `null` as `None`, otherwise as in [`super::deserialize`].
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        Option::<JsonF64>::deserialize(d).map(|o| o.map(|v| v.0))
    }
}

/// `Vec<f64>`.
pub mod vec {
    use super::*;

    /// Serializes each element as in [`super::serialize`].
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| JsonF64(*x)))
    }

    /// Reads a sequence of numbers and non-finite strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of numbers or \"NaN\"/\"Infinity\"/\"-Infinity\"")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(JsonF64(x)) = seq.next_element()? {
                    out.push(x);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }
}

/// `Vec<Option<f64>>` (a metric series with missing epochs as `null`).
pub mod vec_option {
    use super::*;

    /// Serializes each element as in [`super::option::serialize`].
    pub fn serialize<S: Serializer>(v: &[Option<f64>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.map(JsonF64)))
    }

    /// Reads a sequence of numbers, non-finite strings and `null`s.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Option<f64>>, D::Error> {
        Vec::<Option<JsonF64>>::deserialize(d)
            .map(|v| v.into_iter().map(|o| o.map(|x| x.0)).collect())
    }
}
