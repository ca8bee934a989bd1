//! Every upstream client from one read of the settings (admin page over environment). A
//! service that is not configured is `None`, so no caller builds a client by hand or asks
//! "is it set up?" in its own way (docs/architecture.md "Upstream clients").

use std::time::Duration;

use diesel::SqliteConnection;

use crate::config::Config;
use crate::secrets::Secret;
use crate::settings::{self, Endpoint, Section, TmdbSettings, Values};

use super::ai::Provider;
use super::discover::Discover;
use super::overseerr::Overseerr;
use super::plex::PlexTv;
use super::tautulli::Tautulli;
use super::tmdb::Tmdb;

/// The addresses and keys of every upstream, as the app would use them now.
#[derive(Debug, Clone)]
pub struct Upstreams {
    tautulli: Option<Endpoint>,
    overseerr: Option<Endpoint>,
    tmdb_key: Option<Secret>,
    tmdb_language: String,
    /// The AI providers in the order to try them: primary, then fallback. Empty: no AI.
    pub ai: Vec<Provider>,
    /// `AI_MONTHLY_TOKEN_BUDGET`: tokens the AI may use in a calendar month; `None`: no budget.
    pub ai_budget: Option<u64>,
    discover_url: String,
    plex_tv_url: String,
    tmdb_api_url: String,
    client_id: String,
    timeout: Duration,
}

fn configured(endpoint: Endpoint) -> Option<Endpoint> {
    (!endpoint.url.is_empty() && !endpoint.api_key.is_empty()).then_some(endpoint)
}

impl Upstreams {
    /// Only what start-up knows: the public Plex and TMDb addresses, no configured service.
    /// `client_id` is our `X-Plex-Client-Identifier`.
    pub fn from_config(config: &Config, client_id: &str) -> Self {
        Self {
            tautulli: None,
            overseerr: None,
            tmdb_key: None,
            tmdb_language: String::new(),
            ai: Vec::new(),
            ai_budget: None,
            discover_url: config
                .upstreams
                .plex_discover
                .trim_end_matches('/')
                .to_owned(),
            plex_tv_url: config.upstreams.plex_tv.clone(),
            tmdb_api_url: config.upstreams.tmdb_api.clone(),
            client_id: client_id.to_owned(),
            timeout: config.upstream_timeout,
        }
    }

    /// Every service, from the saved settings and the environment under them.
    pub fn load(
        conn: &mut SqliteConnection,
        config: &Config,
        client_id: &str,
    ) -> diesel::QueryResult<Self> {
        let env = &config.env_integrations;
        let load = |conn: &mut SqliteConnection, section| settings::load(conn, env, section);
        let mut upstreams = Self::from_config(config, client_id);
        upstreams.tautulli = configured(Endpoint::from_values(&load(conn, Section::Tautulli)?));
        upstreams.overseerr = configured(Endpoint::from_values(&load(conn, Section::Overseerr)?));
        upstreams.set_tmdb(TmdbSettings::from_values(&load(conn, Section::Tmdb)?));
        let ai = load(conn, Section::Ai)?;
        upstreams.ai = settings::ai_providers(&ai);
        upstreams.ai_budget = settings::ai_budget(&ai);
        Ok(upstreams)
    }

    /// One section from `values` (saved, or just typed into the admin form), the others not
    /// configured: what the admin page's Test uses.
    pub fn from_values(
        config: &Config,
        client_id: &str,
        section: Section,
        values: &Values,
    ) -> Self {
        let mut upstreams = Self::from_config(config, client_id);
        match section {
            Section::Tautulli => upstreams.tautulli = configured(Endpoint::from_values(values)),
            Section::Overseerr => upstreams.overseerr = configured(Endpoint::from_values(values)),
            Section::Tmdb => upstreams.set_tmdb(TmdbSettings::from_values(values)),
            Section::Ai => upstreams.ai = settings::ai_providers(values),
            // The Discover host is the environment's alone (settings/fields.rs, PLEX_FIELDS).
            Section::Plex => {}
        }
        upstreams
    }

    fn set_tmdb(&mut self, tmdb: TmdbSettings) {
        self.tmdb_key = Some(tmdb.api_key).filter(|key| !key.is_empty());
        self.tmdb_language = tmdb.language;
    }

    /// The same, with every call cut at `limit` when that is shorter.
    pub fn with_timeout_at_most(mut self, limit: Duration) -> Self {
        self.timeout = self.timeout.min(limit);
        self
    }

    pub fn tautulli<'a>(&'a self, http: &'a awc::Client) -> Option<Tautulli<'a>> {
        self.tautulli.as_ref().map(|e| Tautulli {
            http,
            base: &e.url,
            api_key: e.api_key.expose(),
            timeout: self.timeout,
        })
    }

    pub fn overseerr<'a>(&'a self, http: &'a awc::Client) -> Option<Overseerr<'a>> {
        self.overseerr.as_ref().map(|e| Overseerr {
            http,
            base: &e.url,
            api_key: e.api_key.expose(),
            timeout: self.timeout,
        })
    }

    pub fn tmdb<'a>(&'a self, http: &'a awc::Client) -> Option<Tmdb<'a>> {
        self.tmdb_key
            .as_ref()
            .map(|key| key.expose())
            .map(|key| Tmdb {
                http,
                base: &self.tmdb_api_url,
                key,
                timeout: self.timeout,
                language: &self.tmdb_language,
            })
    }

    /// plex.tv's account API (sign-in PINs, the account, home users).
    pub fn plex_tv<'a>(&'a self, http: &'a awc::Client) -> PlexTv<'a> {
        PlexTv {
            http,
            base: &self.plex_tv_url,
            client_id: &self.client_id,
            timeout: self.timeout,
        }
    }

    /// Plex Discover (the watchlist), as the user whose Plex token this is.
    pub fn discover<'a>(&'a self, http: &'a awc::Client, token: &'a str) -> Discover<'a> {
        Discover {
            http,
            base: &self.discover_url,
            client_id: &self.client_id,
            token,
            timeout: self.timeout,
        }
    }

    /// The Plex Discover host in use, for messages.
    pub fn discover_url(&self) -> &str {
        &self.discover_url
    }

    pub fn has_tautulli(&self) -> bool {
        self.tautulli.is_some()
    }

    pub fn has_overseerr(&self) -> bool {
        self.overseerr.is_some()
    }

    pub fn has_tmdb(&self) -> bool {
        self.tmdb_key.is_some()
    }
}
