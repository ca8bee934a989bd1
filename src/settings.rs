//! Integration settings as the app uses them: values saved on the admin page win over the
//! environment, which wins over the defaults (CONTRACT.md "Environment").

use diesel::SqliteConnection;

use crate::config::EnvIntegrations;
use crate::db;

/// Where a setting's value came from, shown next to each field on the admin page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Saved,
    Environment,
    Default,
}

/// A resolved value and its source.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub value: String,
    pub source: Source,
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

/// Tautulli's URL (as opened in a browser) and API key; empty when not set up.
#[derive(Debug, Clone, Default)]
pub struct TautulliSettings {
    pub url: String,
    pub api_key: String,
}

impl TautulliSettings {
    pub fn load(conn: &mut SqliteConnection, env: &EnvIntegrations) -> diesel::QueryResult<Self> {
        Ok(Self {
            url: resolve(conn, env, "tautulli.url", "TAUTULLI_URL", "")?
                .value
                .trim_end_matches('/')
                .to_owned(),
            api_key: resolve(conn, env, "tautulli.api_key", "TAUTULLI_API_KEY", "")?.value,
        })
    }
}
