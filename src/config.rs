//! Start-up configuration from the environment (docs/configuration.md).
//!
//! Only what the process needs before it can serve lives here. Integration settings (Tautulli,
//! Overseerr, TMDb, AI) are read through [`crate::settings`], where values saved on the admin
//! page win over the environment captured in [`EnvIntegrations`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveTime;

use crate::http::forwarded::{DEFAULT_TRUSTED, ProxyHeaders, TrustedProxies};
use crate::settings::EnvIntegrations;

/// A variable that could not be used, with the reason. Start-up prints it and stops.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// Everything read from the environment at start-up.
#[derive(Clone)]
pub struct Config {
    /// `SAGARR_BIND`: address and port to listen on.
    pub bind: SocketAddr,
    /// Whether `SAGARR_BIND` was set (`sagarr demo` binds to loopback unless it was).
    pub bind_given: bool,
    /// `SAGARR_DATA_DIR`: holds `sagarr.db` and the generated secret key.
    pub data_dir: PathBuf,
    /// `SAGARR_PUBLIC_URL`: the origin users reach the app at; derived per request when unset.
    pub public_url: Option<PublicUrl>,
    /// `SAGARR_TRUSTED_PROXIES`: whose forwarded headers are believed.
    pub trusted_proxies: TrustedProxies,
    /// `SAGARR_PROXY_HEADERS`: which forwarded headers the trusted proxy writes.
    pub proxy_headers: ProxyHeaders,
    /// `SAGARR_ADMIN`: Plex username, email or account id allowed to claim admin.
    pub admin: Option<String>,
    /// `SECRET_KEY`: session cookie key material (at least 64 characters).
    pub secret_key: Option<String>,
    /// `SAGARR_REFRESH_AT`: local time of the nightly refresh.
    pub refresh_at: NaiveTime,
    /// `SAGARR_LOG`: log filter in tracing's env-filter syntax.
    pub log_filter: String,
    /// Where the upstream services live; overridable so tests and the demo can point elsewhere.
    pub upstreams: UpstreamUrls,
    /// Integration values from the environment (the layer under the admin page).
    pub env_integrations: EnvIntegrations,
    /// `SAGARR_UPSTREAM_TIMEOUT_SECONDS`: how long Tautulli, Overseerr, TMDb and Plex may take.
    pub upstream_timeout: Duration,
    /// `AI_TIMEOUT_SECONDS`: the longest the AI may stay silent (no first token, or no new one).
    pub ai_timeout: Duration,
    /// `AI_MAX_SECONDS`: the longest one AI answer may take in all, however steadily written.
    pub ai_max: Duration,
    /// `SAGARR_ROWS_PER_KIND` and `SAGARR_ITEMS_PER_ROW`: how many rows of how many titles.
    pub rows_per_kind: usize,
    pub items_per_row: usize,
    /// `SAGARR_REFRESH_CONCURRENCY`: how many users are refreshed at once.
    pub refresh_concurrency: usize,
    /// `SAGARR_REFRESH_UNCHANGED_DAYS`: the nightly asks the AI again for an unchanged taste
    /// only once its rows are this old.
    pub refresh_unchanged_for: Duration,
    /// `SAGARR_REFRESH_SPACING_SECONDS`: a user's Refresh within this long of his last refresh
    /// ending starts nothing new (each one is an AI call).
    pub refresh_spacing: Duration,
    /// `SAGARR_NIGHTLY_HOURS`: no new user is started once the nightly has run this long.
    pub nightly_budget: Duration,
    /// Whether the nightly clock runs (tests turn it off).
    pub nightly_clock: bool,
    /// Set by `sagarr demo` only: the accounts its login page signs in with one click (and
    /// the route that does it exists only then). Empty for `serve`.
    pub demo_accounts: Vec<DemoAccount>,
    /// HTTP worker threads; tests use one to keep thread counts low.
    pub workers: usize,
}

/// A one-click demo account: its Plex account id and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAccount {
    pub plex_id: i64,
    pub name: &'static str,
}

/// Base URLs of the public Plex and TMDb services.
#[derive(Clone, Debug)]
pub struct UpstreamUrls {
    pub plex_tv: String,
    pub plex_auth: String,
    pub plex_discover: String,
    pub tmdb_api: String,
    pub tmdb_image: String,
}

/// An origin (`scheme://host[:port]`) that users reach the app at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl {
    origin: String,
    authority_start: usize,
}

/// `scheme://host[:port]` with `:443` dropped for https and `:80` for http.
pub fn without_default_port(origin: &str) -> String {
    let lower = origin.to_ascii_lowercase();
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if lower.starts_with(scheme)
            && let Some(bare) = lower.strip_suffix(port)
        {
            return bare.to_owned();
        }
    }
    lower
}

impl PublicUrl {
    /// Parses `http(s)://host[:port]` with an optional trailing slash; paths are refused because
    /// every route and link is served from the root.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim().trim_end_matches('/');
        let (scheme, rest) = trimmed
            .split_once("://")
            .ok_or_else(|| format!("`{raw}` is not a URL like https://sagarr.example.com"))?;
        if scheme != "http" && scheme != "https" {
            return Err(format!("`{raw}` must start with http:// or https://"));
        }
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!(
                "`{raw}` must be scheme://host[:port] without a path: Sagarr is served at the root of its host"
            ));
        }
        // `https://host:443` is `https://host`: the browser's Origin never carries a default
        // port, and the cross-site check compares the two.
        let origin = without_default_port(trimmed);
        Ok(Self {
            origin,
            authority_start: scheme.len() + 3,
        })
    }

    /// `https://sagarr.example.com`, without a trailing slash.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// `sagarr.example.com[:port]`.
    pub fn authority(&self) -> &str {
        &self.origin[self.authority_start..]
    }

    pub fn is_https(&self) -> bool {
        self.origin.starts_with("https://")
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_process_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let bind_given = get("SAGARR_BIND").is_some();
        let bind_raw = get("SAGARR_BIND").unwrap_or_else(|| "0.0.0.0:7979".to_owned());
        let bind = bind_raw.parse::<SocketAddr>().map_err(|_| {
            bad(
                "SAGARR_BIND",
                format!("`{bind_raw}` is not an address and port like 0.0.0.0:7979"),
            )
        })?;

        let data_dir = PathBuf::from(get("SAGARR_DATA_DIR").unwrap_or_else(|| "./data".to_owned()));

        let public_url = get("SAGARR_PUBLIC_URL")
            .map(|raw| PublicUrl::parse(&raw).map_err(|m| bad("SAGARR_PUBLIC_URL", m)))
            .transpose()?;

        let trusted_proxies = TrustedProxies::parse(
            &get("SAGARR_TRUSTED_PROXIES").unwrap_or_else(|| DEFAULT_TRUSTED.to_owned()),
        )
        .map_err(|m| bad("SAGARR_TRUSTED_PROXIES", m))?;
        let proxy_headers = ProxyHeaders::parse(&get("SAGARR_PROXY_HEADERS").unwrap_or_default())
            .map_err(|m| bad("SAGARR_PROXY_HEADERS", m))?;

        let secret_key = get("SECRET_KEY");
        if let Some(key) = &secret_key
            && key.len() < 64
        {
            return Err(bad(
                "SECRET_KEY",
                format!(
                    "must be at least 64 characters (it has {}); unset it to have one generated",
                    key.len()
                ),
            ));
        }

        let refresh_raw = get("SAGARR_REFRESH_AT").unwrap_or_else(|| "03:00".to_owned());
        let refresh_at = NaiveTime::parse_from_str(&refresh_raw, "%H:%M").map_err(|_| {
            bad(
                "SAGARR_REFRESH_AT",
                format!("`{refresh_raw}` is not a time like 03:00"),
            )
        })?;

        let log_filter = get("SAGARR_LOG").unwrap_or_else(|| "info".to_owned());

        let url = |variable: &'static str, default: &str| -> Result<String, ConfigError> {
            let value = get(variable).unwrap_or_else(|| default.to_owned());
            let value = value.trim_end_matches('/').to_owned();
            if value.starts_with("http://") || value.starts_with("https://") {
                Ok(value)
            } else {
                Err(bad(
                    variable,
                    format!("`{value}` must start with http:// or https://"),
                ))
            }
        };
        let upstreams = UpstreamUrls {
            plex_tv: url("PLEX_TV_URL", "https://plex.tv")?,
            plex_auth: url("PLEX_AUTH_URL", "https://app.plex.tv/auth")?,
            plex_discover: url("PLEX_DISCOVER_URL", "https://discover.provider.plex.tv")?,
            tmdb_api: url("TMDB_API_URL", "https://api.themoviedb.org/3")?,
            tmdb_image: url("TMDB_IMAGE_URL", "https://image.tmdb.org/t/p")?,
        };

        let seconds = |variable: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match get(variable) {
                None => Ok(Duration::from_secs(default)),
                Some(raw) => match raw.parse::<u64>() {
                    Ok(n) if (1..=3600).contains(&n) => Ok(Duration::from_secs(n)),
                    _ => Err(bad(
                        variable,
                        format!("`{raw}` is not a number of seconds from 1 to 3600"),
                    )),
                },
            }
        };
        let upstream_timeout = seconds("SAGARR_UPSTREAM_TIMEOUT_SECONDS", 10)?;
        let ai_timeout = seconds("AI_TIMEOUT_SECONDS", 120)?;
        let ai_max = seconds("AI_MAX_SECONDS", 900)?;

        let count =
            |variable: &'static str, default: usize, max: usize| -> Result<usize, ConfigError> {
                match get(variable) {
                    None => Ok(default),
                    Some(raw) => match raw.parse::<usize>() {
                        Ok(n) if (1..=max).contains(&n) => Ok(n),
                        _ => Err(bad(
                            variable,
                            format!("`{raw}` is not a whole number from 1 to {max}"),
                        )),
                    },
                }
            };
        let rows_per_kind = count("SAGARR_ROWS_PER_KIND", 6, 20)?;
        let items_per_row = count("SAGARR_ITEMS_PER_ROW", 8, 30)?;
        let refresh_concurrency = count("SAGARR_REFRESH_CONCURRENCY", 2, 16)?;
        let unchanged_days = count("SAGARR_REFRESH_UNCHANGED_DAYS", 7, 365)?;
        let refresh_unchanged_for = Duration::from_secs(unchanged_days as u64 * 86_400);
        let refresh_spacing = match get("SAGARR_REFRESH_SPACING_SECONDS") {
            None => Duration::from_secs(30),
            Some(raw) => match raw.parse::<u64>() {
                Ok(s) if s <= 3600 => Duration::from_secs(s),
                _ => {
                    return Err(bad(
                        "SAGARR_REFRESH_SPACING_SECONDS",
                        format!("`{raw}` is not a number of seconds from 0 to 3600"),
                    ));
                }
            },
        };
        let nightly_budget = match get("SAGARR_NIGHTLY_HOURS") {
            None => Duration::from_secs(6 * 3600),
            Some(raw) => match raw.parse::<f64>() {
                Ok(hours) if hours > 0.0 && hours <= 24.0 => {
                    Duration::from_secs_f64(hours * 3600.0)
                }
                _ => {
                    return Err(bad(
                        "SAGARR_NIGHTLY_HOURS",
                        format!(
                            "`{raw}` is not a number of hours above 0 and up to 24, like 6 or 1.5"
                        ),
                    ));
                }
            },
        };

        let env_integrations = EnvIntegrations::from_env(get);

        Ok(Self {
            bind,
            bind_given,
            data_dir,
            public_url,
            trusted_proxies,
            proxy_headers,
            admin: get("SAGARR_ADMIN"),
            secret_key,
            refresh_at,
            log_filter,
            upstreams,
            env_integrations,
            upstream_timeout,
            ai_timeout,
            ai_max,
            rows_per_kind,
            items_per_row,
            refresh_concurrency,
            refresh_unchanged_for,
            refresh_spacing,
            nightly_budget,
            nightly_clock: true,
            demo_accounts: Vec::new(),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        })
    }

    /// Path of the SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("sagarr.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_follow_the_contract() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "0.0.0.0:7979");
        assert_eq!(c.database_path(), PathBuf::from("./data/sagarr.db"));
        assert_eq!(c.refresh_at, NaiveTime::from_hms_opt(3, 0, 0).unwrap());
        assert_eq!(c.upstreams.plex_auth, "https://app.plex.tv/auth");
        assert_eq!(
            (c.ai_timeout.as_secs(), c.ai_max.as_secs()),
            (120, 900),
            "silence, then the whole answer"
        );
        assert!(c.public_url.is_none() && c.admin.is_none());
        assert_eq!(c.refresh_unchanged_for, Duration::from_secs(7 * 86_400));
        assert_eq!(c.nightly_budget, Duration::from_secs(6 * 3600));
        let short = config(&[("SAGARR_NIGHTLY_HOURS", "1.5")]).unwrap();
        assert_eq!(short.nightly_budget, Duration::from_secs(5400));
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        for (var, value) in [
            ("SAGARR_BIND", "localhost"),
            ("SAGARR_PUBLIC_URL", "sagarr.example.com"),
            ("SAGARR_PUBLIC_URL", "https://example.com/sagarr"),
            ("SAGARR_TRUSTED_PROXIES", "traefik proxy"),
            ("SECRET_KEY", "short"),
            ("SAGARR_REFRESH_AT", "3am"),
            ("PLEX_TV_URL", "plex.tv"),
            ("AI_TIMEOUT_SECONDS", "0"),
            ("AI_MAX_SECONDS", "forever"),
            ("SAGARR_UPSTREAM_TIMEOUT_SECONDS", "ten"),
            ("SAGARR_REFRESH_CONCURRENCY", "0"),
            ("SAGARR_ITEMS_PER_ROW", "500"),
            ("SAGARR_REFRESH_UNCHANGED_DAYS", "0"),
            ("SAGARR_NIGHTLY_HOURS", "0"),
            ("SAGARR_NIGHTLY_HOURS", "25"),
            ("SAGARR_NIGHTLY_HOURS", "all night"),
            ("SAGARR_NIGHTLY_HOURS", "NaN"),
        ] {
            let err = config(&[(var, value)]).err().unwrap();
            assert_eq!(err.variable, var, "{err}");
            assert!(err.to_string().starts_with(var));
        }
    }

    #[test]
    fn public_url_keeps_its_origin() {
        let url = PublicUrl::parse("https://sagarr.example.com:8443/").unwrap();
        assert_eq!(url.origin(), "https://sagarr.example.com:8443");
        assert_eq!(url.authority(), "sagarr.example.com:8443");
        assert!(url.is_https());
    }

    #[test]
    fn empty_integration_variables_count_as_unset() {
        let c = config(&[
            ("TAUTULLI_URL", "http://tautulli:8181"),
            ("TAUTULLI_API_KEY", " "),
        ])
        .unwrap();
        assert_eq!(
            c.env_integrations.get("TAUTULLI_URL"),
            Some("http://tautulli:8181")
        );
        assert_eq!(c.env_integrations.get("TAUTULLI_API_KEY"), None);
    }

    #[test]
    fn every_admin_field_can_be_set_from_the_environment() {
        let wanted = [
            "TAUTULLI_URL",
            "OVERSEERR_API_KEY",
            "TMDB_API_KEY",
            "AI_PROVIDER",
            "AI_FALLBACK_MODEL",
        ];
        let vars: Vec<(&str, &str)> = wanted.iter().map(|v| (*v, "http://x")).collect();
        let c = config(&vars).unwrap();
        for variable in wanted {
            assert_eq!(
                c.env_integrations.get(variable),
                Some("http://x"),
                "{variable}"
            );
        }
        assert_eq!(crate::settings::variables().count(), 18);
    }
}
