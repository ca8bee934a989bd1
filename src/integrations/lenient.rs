//! Deserializers for the loose types upstreams send: Tautulli stores empty numbers as `""`,
//! returns metadata values as strings, and sends `null` for the text its importers never filled
//! (`grandparent_title` of a movie imported from PlexWatch). Every text field of an upstream
//! answer reads through [`string`] or an `Option`, so one such row never fails a whole answer.

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

/// Accepts a string, a number (turned into text), `null` or a missing field (empty).
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Option::<NumberLike>::deserialize(deserializer)? {
        Some(NumberLike::Text(s)) => s,
        Some(NumberLike::Int(n)) => n.to_string(),
        _ => String::new(),
    })
}

/// Accepts a list of strings (anything else in it is left out), `null` or a missing field.
pub fn strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(
        match Option::<Vec<NumberLike>>::deserialize(deserializer).unwrap_or(None) {
            Some(items) => items
                .into_iter()
                .filter_map(|item| match item {
                    NumberLike::Text(s) => Some(s),
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        },
    )
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

    #[derive(Deserialize)]
    struct Texts {
        #[serde(default, deserialize_with = "super::string")]
        title: String,
        #[serde(default, deserialize_with = "super::strings")]
        guids: Vec<String>,
    }

    #[test]
    fn null_text_reads_as_empty() {
        let parse = |json: &str| {
            let t = serde_json::from_str::<Texts>(json).unwrap();
            (t.title, t.guids)
        };
        assert_eq!(
            parse(r#"{"title": null, "guids": null}"#),
            (String::new(), vec![])
        );
        assert_eq!(parse(r#"{}"#), (String::new(), vec![]));
        assert_eq!(
            parse(r#"{"title": "Heat", "guids": ["tmdb://949", null]}"#),
            ("Heat".to_owned(), vec!["tmdb://949".to_owned()])
        );
        assert_eq!(parse(r#"{"title": 1999}"#).0, "1999");
    }
}
