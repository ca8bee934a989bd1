//! Deserializers for the loose types upstreams send: Tautulli stores empty numbers as `""` and
//! returns metadata values as strings.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberLike {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Other(serde::de::IgnoredAny),
}

/// Accepts `12`, `12.0`, `"12"`, `""`, `null`, or a missing field; anything else is `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<NumberLike>::deserialize(deserializer)? {
        Some(NumberLike::Int(n)) => Some(n),
        Some(NumberLike::Float(f)) if f.fract() == 0.0 => Some(f as i64),
        Some(NumberLike::Text(s)) => s.trim().parse().ok(),
        Some(NumberLike::Bool(b)) => Some(i64::from(b)),
        _ => None,
    })
}

/// Accepts `0.75`, `1`, `"0.5"`, `""` or null (Tautulli's `watched_status`).
pub fn opt_f64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<NumberLike>::deserialize(deserializer)? {
        Some(NumberLike::Int(n)) => Some(n as f64),
        Some(NumberLike::Float(f)) => Some(f),
        Some(NumberLike::Text(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts a string, a number (turned into text) or null.
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<NumberLike>::deserialize(deserializer)? {
        Some(NumberLike::Text(s)) if !s.is_empty() => Some(s),
        Some(NumberLike::Int(n)) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Row {
        #[serde(default, deserialize_with = "super::opt_i64")]
        n: Option<i64>,
    }

    #[test]
    fn empty_strings_and_text_numbers_are_tolerated() {
        let parse = |json: &str| serde_json::from_str::<Row>(json).unwrap().n;
        assert_eq!(parse(r#"{"n": 5}"#), Some(5));
        assert_eq!(parse(r#"{"n": "2019"}"#), Some(2019));
        assert_eq!(parse(r#"{"n": ""}"#), None);
        assert_eq!(parse(r#"{"n": null}"#), None);
        assert_eq!(parse(r#"{}"#), None);
        assert_eq!(parse(r#"{"n": [1]}"#), None);
    }
}
