//! Integration settings: the admin page's sections and fields, where each value comes from
//! (saved on the admin page > environment > default), validation, and the typed values the
//! clients use. Saved values take effect at once: everything is read per use.

use diesel::SqliteConnection;

use crate::db::{self, Writable};
use crate::integrations::ai::{Capabilities, Provider, ProviderKind, Think};
use crate::secrets::Secret;

mod fields;
mod form;
mod values;

pub use fields::{Field, FieldKind, Section};
pub use form::merge_form;
pub use values::{Resolved, Source, Values};
use values::{ai_address, value};

/// Integration values as given in the environment: one variable per field of the sections
/// below, so the list of variables lives in the field tables alone. Empty variables count as
/// unset.
#[derive(Clone, Default)]
pub struct EnvIntegrations {
    pub values: Vec<(&'static str, String)>,
}

impl EnvIntegrations {
    /// Reads every field's variable through `get` (which drops empty values).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            values: variables()
                .filter_map(|name| get(name).map(|v| (name, v)))
                .collect(),
        }
    }

    /// The variable's value, if it was set and not empty.
    pub fn get(&self, variable: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(name, _)| *name == variable)
            .map(|(_, value)| value.as_str())
    }
}

/// The environment variables that configure integrations; the admin page can override each.
pub fn variables() -> impl Iterator<Item = &'static str> {
    Section::ALL
        .into_iter()
        .flat_map(|section| section.fields().iter().map(|f| f.env))
}

/// Resolves one setting: the row `key` in the settings table, else `env_var`, else `default`.
pub fn resolve(
    conn: &mut SqliteConnection,
    env: &EnvIntegrations,
    key: &str,
    env_var: &str,
    default: &str,
) -> diesel::QueryResult<Resolved> {
    if let Some(value) = db::settings::get(conn, key)?.filter(|v| !v.is_empty()) {
        return Ok(Resolved {
            value,
            source: Source::Saved,
        });
    }
    Ok(match env.get(env_var) {
        Some(value) => Resolved {
            value: value.to_owned(),
            source: Source::Environment,
        },
        None => Resolved {
            value: default.to_owned(),
            source: Source::Default,
        },
    })
}

pub fn load(
    conn: &mut SqliteConnection,
    env: &EnvIntegrations,
    section: Section,
) -> diesel::QueryResult<Values> {
    section
        .fields()
        .iter()
        .map(|f| Ok((f.name, resolve(conn, env, &section.key(f), f.env, "")?)))
        .collect()
}

/// Stores what a form changed: values typed into the form are saved; an emptied non-secret
/// field drops its saved value.
pub fn save(
    conn: &mut impl Writable,
    section: Section,
    merged: &Values,
    now: i64,
) -> diesel::QueryResult<()> {
    conn.write_transaction(|conn| {
        for f in section.fields() {
            let key = section.key(f);
            match merged.get(f.name) {
                Some(r) if r.source == Source::Saved && !r.value.is_empty() => {
                    db::settings::put(conn, &key, &r.value, now)?
                }
                Some(r) if r.source == Source::Saved && !f.secret => {
                    db::settings::delete(conn, &key)?;
                }
                _ => {}
            }
        }
        Ok(())
    })
}

/// Forgets the saved value of the secret field `name` (the environment's, if any, applies
/// again). `Err` names what is wrong with the request.
pub fn clear_secret(
    conn: &mut impl Writable,
    section: Section,
    name: &str,
) -> Result<&'static Field, ClearError> {
    let field = section
        .fields()
        .iter()
        .find(|f| f.secret && f.name == name)
        .ok_or(ClearError::NoSuchSecret)?;
    db::settings::delete(conn, &section.key(field)).map_err(ClearError::Database)?;
    Ok(field)
}

#[derive(Debug, thiserror::Error)]
pub enum ClearError {
    #[error("That section has no such key to clear.")]
    NoSuchSecret,
    #[error(transparent)]
    Database(diesel::result::Error),
}

/// A service reached at a URL with an API key (Tautulli, Overseerr); empty when not set up.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    pub url: String,
    pub api_key: Secret,
}

impl Endpoint {
    pub fn load(
        conn: &mut SqliteConnection,
        env: &EnvIntegrations,
        section: Section,
    ) -> diesel::QueryResult<Self> {
        Ok(Self::from_values(&load(conn, env, section)?))
    }

    pub fn from_values(values: &Values) -> Self {
        Self {
            url: value(values, "url").to_owned(),
            api_key: value(values, "api_key").into(),
        }
    }
}

/// The TMDb key (v3) or token (v4).
#[derive(Debug, Clone, Default)]
pub struct TmdbSettings {
    pub api_key: Secret,
    /// Empty: TMDb's default language (en-US).
    pub language: String,
}

impl TmdbSettings {
    pub fn from_values(values: &Values) -> Self {
        Self {
            api_key: value(values, "api_key").into(),
            language: value(values, "language").to_owned(),
        }
    }
}

/// The AI providers in the order to try them: primary, then fallback. Empty: no AI.
pub fn ai_providers(values: &Values) -> Vec<Provider> {
    let build = |prefix: &str| -> Option<Provider> {
        let get = |name: &str| value(values, &format!("{prefix}{name}")).to_owned();
        let (kind, base_url) = ai_address(values, prefix)?;
        let model = Some(get("model"))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| {
                if kind == ProviderKind::OpenAi {
                    "gpt-4o-mini".to_owned()
                } else {
                    String::new()
                }
            });
        Some(Provider {
            kind,
            base_url,
            api_key: get("api_key").into(),
            model,
            think: Think::parse(value(values, "think")).unwrap_or_default(),
        })
    };
    [build(""), build("fallback_")]
        .into_iter()
        .flatten()
        .collect()
}

/// `AI_MONTHLY_TOKEN_BUDGET`: the tokens the AI may use in a calendar month; `None`: no budget.
pub fn ai_budget(values: &Values) -> Option<u64> {
    value(values, "monthly_token_budget").parse().ok()
}

/// `AI_PRICE_INPUT_PER_MTOK` and `AI_PRICE_OUTPUT_PER_MTOK`: what a million prompt and answer
/// tokens cost (one left empty costs nothing); `None` when neither is set.
pub fn ai_prices(values: &Values) -> Option<(f64, f64)> {
    let price = |name| value(values, name).parse::<f64>().ok();
    match (
        price("price_input_per_mtok"),
        price("price_output_per_mtok"),
    ) {
        (None, None) => None,
        (prompt, answer) => Some((prompt.unwrap_or(0.0), answer.unwrap_or(0.0))),
    }
}

/// What a provider accepted last time (structured output mode, temperature).
pub fn capabilities(
    conn: &mut SqliteConnection,
    provider: &Provider,
) -> diesel::QueryResult<Capabilities> {
    let stored = db::settings::get(conn, &format!("ai.capabilities:{}", provider.identity()))?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

pub fn remember_capabilities(
    conn: &mut impl Writable,
    provider: &Provider,
    caps: Capabilities,
    now: i64,
) -> diesel::QueryResult<()> {
    let json = serde_json::to_string(&caps).unwrap_or_default();
    db::settings::put(
        conn,
        &format!("ai.capabilities:{}", provider.identity()),
        &json,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ai_providers_get_contract_defaults() {
        let mut values = Values::new();
        values.insert(
            "provider",
            Resolved {
                value: "ollama".into(),
                source: Source::Saved,
            },
        );
        values.insert(
            "model",
            Resolved {
                value: "llama3.1".into(),
                source: Source::Saved,
            },
        );
        values.insert(
            "fallback_provider",
            Resolved {
                value: "openai".into(),
                source: Source::Saved,
            },
        );
        let providers = ai_providers(&values);
        assert_eq!(providers[0].base_url, "http://localhost:11434");
        assert_eq!(providers[1].base_url, "https://api.openai.com/v1");
        assert_eq!(providers[1].model, "gpt-4o-mini");
    }

    #[test]
    fn no_api_key_is_ever_debug_printed() {
        let saved = |value: &str| Resolved {
            value: value.into(),
            source: Source::Saved,
        };
        let values: Values = [
            ("url", saved("http://tautulli.lan")),
            ("api_key", saved("key-tautulli-0123")),
            ("provider", saved("openai")),
            ("fallback_provider", saved("openai")),
            ("fallback_api_key", saved("key-fallback-4567")),
        ]
        .into_iter()
        .collect();
        let printed = format!(
            "{:?} {:?} {:?}",
            Endpoint::from_values(&values),
            TmdbSettings::from_values(&values),
            ai_providers(&values)
        );
        assert!(!printed.contains("key-tautulli"), "{printed}");
        assert!(!printed.contains("key-fallback"), "{printed}");
        assert!(printed.contains("[redacted]"), "{printed}");
        assert_eq!(
            Endpoint::from_values(&values).api_key.expose(),
            "key-tautulli-0123",
            "held, only not printed"
        );
    }
}
