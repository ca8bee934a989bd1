//! The admin form's checks: each field's value as typed, what an empty field means, and the
//! rule that a saved key never follows a changed address.

use std::collections::HashMap;

use super::fields::{Field, FieldKind, Section};
use super::values::{Resolved, Source, Values, ai_address, value};
use crate::integrations::ai::ProviderKind;

/// The values a form submits, checked. Secret fields left empty keep their current value;
/// other fields left empty fall back to the environment or default.
pub fn merge_form(
    section: Section,
    current: &Values,
    form: &HashMap<String, String>,
) -> Result<Values, String> {
    let mut merged = Values::new();
    for f in section.fields() {
        let submitted = form.get(f.name).map(|v| v.trim()).unwrap_or("");
        let resolved = if submitted.is_empty() && f.secret {
            current.get(f.name).cloned().unwrap_or(Resolved {
                value: String::new(),
                source: Source::Default,
            })
        } else {
            Resolved {
                value: check(f, submitted)?,
                source: Source::Saved,
            }
        };
        merged.insert(f.name, resolved);
    }
    keys_follow_their_urls(section, current, &merged, form)?;
    if section == Section::Ai {
        for (provider, base) in [
            ("provider", "base_url"),
            ("fallback_provider", "fallback_base_url"),
        ] {
            if value(&merged, provider) == "openai-compatible" && value(&merged, base).is_empty() {
                return Err(format!(
                    "An OpenAI-compatible provider needs its base URL ({}).",
                    label_of(section, base)
                ));
            }
        }
    }
    Ok(merged)
}

/// A saved key goes only to the address it was saved with: a form that changes a section's
/// URL (or, for the AI, its provider's effective address) while leaving the key empty ("keep
/// it") is refused, and says to type the key again. Otherwise a stolen admin session, or a
/// friend made admin, could Test the saved keys against a host of his own and collect them.
fn keys_follow_their_urls(
    section: Section,
    current: &Values,
    merged: &Values,
    form: &HashMap<String, String>,
) -> Result<(), String> {
    // The key field left empty: "keep the saved one".
    let kept = |key: &str| {
        !value(current, key).is_empty() && form.get(key).is_none_or(|typed| typed.trim().is_empty())
    };
    let pairs: &[(&str, &str)] = match section {
        Section::Tautulli | Section::Overseerr => &[("url", "api_key")],
        Section::Ai => &[("", "api_key"), ("fallback_", "fallback_api_key")],
        Section::Tmdb | Section::Plex => &[],
    };
    for (url, key) in pairs {
        let (was, now) = if section == Section::Ai {
            let address = |values: &Values| ai_address(values, url).map(|(_, base)| base);
            (address(current), address(merged))
        } else {
            let address = |values: &Values| {
                Some(value(values, url).trim_end_matches('/').to_owned()).filter(|u| !u.is_empty())
            };
            (address(current), address(merged))
        };
        // A key saved before any address was has not been sent anywhere yet.
        if kept(key) && was.is_some() && now.is_some() && was != now {
            return Err(format!(
                "The address changed, so type the {} again: a saved key is only ever sent to the \
                 address it was saved with.",
                label_of(section, key)
            ));
        }
    }
    Ok(())
}

fn label_of(section: Section, name: &str) -> &'static str {
    section
        .fields()
        .iter()
        .find(|f| f.name == name)
        .map_or("", |f| f.label)
}

fn check(f: &Field, raw: &str) -> Result<String, String> {
    if raw.len() > 500 || raw.chars().any(char::is_control) {
        return Err(format!(
            "{} is too long or has invisible characters.",
            f.label
        ));
    }
    match f.kind {
        _ if raw.is_empty() => Ok(String::new()),
        FieldKind::Url => {
            let ok = (raw.starts_with("http://") || raw.starts_with("https://"))
                && !raw.contains(char::is_whitespace);
            if ok {
                Ok(raw.trim_end_matches('/').to_owned())
            } else {
                Err(format!(
                    "{} must be a URL starting with http:// or https://, like http://tautulli:8181.",
                    f.label
                ))
            }
        }
        FieldKind::Count => match raw.replace([',', '_', ' '], "").parse::<u64>() {
            Ok(n) if n >= 1 => Ok(n.to_string()),
            _ => Err(format!(
                "{} must be a whole number of tokens, like 2000000, or empty for none.",
                f.label
            )),
        },
        FieldKind::Price => match raw.trim_start_matches(['$', '€', '£']).parse::<f64>() {
            Ok(p) if p.is_finite() && (0.0..=1_000_000.0).contains(&p) => Ok(p.to_string()),
            _ => Err(format!(
                "{} must be a number like 0.15 (per million tokens), or empty for none.",
                f.label
            )),
        },
        FieldKind::Choice(choices) => match choices.iter().find(|(value, _)| *value == raw) {
            Some((value, _)) => Ok((*value).to_owned()),
            None => Err(format!(
                "{} must be one of {}.",
                f.label,
                choices
                    .iter()
                    .map(|(value, _)| *value)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        },
        FieldKind::Provider => match ProviderKind::parse(raw) {
            Some(kind) => Ok(kind.as_str().to_owned()),
            None => Err(format!(
                "{} must be {}, or empty for none.",
                f.label,
                ProviderKind::names()
            )),
        },
        FieldKind::Language => {
            let (lang, region) = raw.split_once('-').unwrap_or((raw, ""));
            let letters = |s: &str, n: std::ops::RangeInclusive<usize>| {
                n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphabetic())
            };
            if letters(lang, 2..=3) && (region.is_empty() || letters(region, 2..=2)) {
                Ok(raw.to_owned())
            } else {
                Err(format!(
                    "{} must be a language like en-US or fr-FR.",
                    f.label
                ))
            }
        }
        FieldKind::Text if f.secret && raw.contains(char::is_whitespace) => Err(format!(
            "{} has spaces in it; paste the key alone.",
            f.label
        )),
        FieldKind::Text => Ok(raw.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_saved_key_never_follows_a_changed_address() {
        let resolved = |value: &str| Resolved {
            value: value.to_owned(),
            source: Source::Saved,
        };
        let mut current = Values::new();
        current.insert("url", resolved("http://overseerr:5055"));
        current.insert("api_key", resolved("saved-key"));
        let moved = form(&[("url", "http://127.0.0.1:18190/o"), ("api_key", "")]);
        let refused = merge_form(Section::Overseerr, &current, &moved).unwrap_err();
        assert!(refused.contains("type the API key again"), "{refused}");
        let retyped = form(&[("url", "http://127.0.0.1:18190/o"), ("api_key", "typed")]);
        assert!(merge_form(Section::Overseerr, &current, &retyped).is_ok());
        let same = form(&[("url", "http://overseerr:5055/"), ("api_key", "")]);
        assert!(merge_form(Section::Overseerr, &current, &same).is_ok());

        let mut ai = Values::new();
        ai.insert("provider", resolved("openai"));
        ai.insert("api_key", resolved("sk-saved"));
        let elsewhere = form(&[
            ("provider", "openai-compatible"),
            ("base_url", "http://evil:1/v1"),
        ]);
        assert!(merge_form(Section::Ai, &ai, &elsewhere).is_err());
        let same_place = form(&[("provider", "openai"), ("model", "gpt-5")]);
        assert!(merge_form(Section::Ai, &ai, &same_place).is_ok());
    }

    #[test]
    fn an_empty_secret_keeps_the_stored_key() {
        let mut current = Values::new();
        current.insert(
            "api_key",
            Resolved {
                value: "stored".into(),
                source: Source::Saved,
            },
        );
        let merged = merge_form(
            Section::Tautulli,
            &current,
            &form(&[("url", "http://t:8181/"), ("api_key", "")]),
        )
        .unwrap();
        assert_eq!(merged["api_key"].value, "stored");
        assert_eq!(merged["url"].value, "http://t:8181");
    }

    #[test]
    fn bad_values_are_refused_with_the_field_named() {
        let current = Values::new();
        let err = merge_form(
            Section::Tautulli,
            &current,
            &form(&[("url", "tautulli:8181")]),
        )
        .unwrap_err();
        assert!(err.starts_with("URL must be a URL"), "{err}");
        let err = merge_form(Section::Ai, &current, &form(&[("provider", "skynet")])).unwrap_err();
        assert!(err.contains("openai, ollama, openai-compatible"), "{err}");
        let err = merge_form(
            Section::Ai,
            &current,
            &form(&[("provider", "openai-compatible")]),
        )
        .unwrap_err();
        assert!(err.contains("base URL"), "{err}");
    }
}
