//! What every handler can reach: configuration, the database, the jobs, and install-wide
//! identifiers.

use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::db::{self, DbPool};
use crate::engine;
use crate::error::AppError;
use crate::integrations::upstreams::Upstreams;
use crate::jobs::{Rechecks, RefreshQueue};

pub struct AppState {
    pub config: Arc<Config>,
    pub pool: DbPool,
    /// Our `X-Plex-Client-Identifier`, generated once per install and kept in the database.
    pub plex_client_id: String,
    /// Where refreshes wait their turn.
    pub queue: RefreshQueue,
    /// Background re-checks of stale availability.
    pub rechecks: Rechecks,
    /// Rendered dashboards and checked sessions.
    pub cache: crate::page_cache::PageCache,
    /// Each tab as last read, and the rendered cards pages are assembled from.
    pub shelves: crate::views::shelf::Shelves,
    /// Sign-in starts per client, against floods (each start creates a PIN on plex.tv).
    pub sign_in_limiter: crate::http::limiter::Limiter,
    /// Titles whose availability a user checked live lately: checked again within the
    /// minute, the stored answer stands (each live check is an Overseerr call).
    pub status_checks: crate::http::limiter::Recently<(crate::media::Kind, i64)>,
    /// Asking Tautulli to re-read its users from plex.tv, at most once a minute per install.
    pub tautulli_users_refresh: crate::http::limiter::Cooldown,
    /// The upstream clients as last read, with the data version they were read at: a page
    /// view reads the settings again only after a write every page sees (a Save among them).
    pub upstreams_read: Mutex<Option<(u64, Arc<Upstreams>)>>,
}

impl AppState {
    /// What a refresh needs, for the engine and the jobs.
    pub fn engine(&self) -> engine::Context {
        engine::Context {
            pool: self.pool.clone(),
            config: self.config.clone(),
            plex_client_id: self.plex_client_id.clone(),
        }
    }

    /// Every upstream client, from one read of the settings, reused until a write every
    /// page sees (settings are saved with that scope).
    pub async fn upstreams(&self) -> Result<Arc<Upstreams>, AppError> {
        // The version is read before the settings, so a Save landing meanwhile is not missed.
        let version = self.pool.versions().everyone();
        if let Ok(read) = self.upstreams_read.lock()
            && let Some((at, upstreams)) = read.as_ref()
            && *at == version
        {
            return Ok(upstreams.clone());
        }
        let (config, client_id) = (self.config.clone(), self.plex_client_id.clone());
        let upstreams = Arc::new(
            db::run(&self.pool, move |conn| {
                Ok(Upstreams::load(conn, &config, &client_id)?)
            })
            .await?,
        );
        if let Ok(mut read) = self.upstreams_read.lock() {
            *read = Some((version, upstreams.clone()));
        }
        Ok(upstreams)
    }

    /// Plex.tv alone, which needs no settings read.
    pub fn plex_only(&self) -> Upstreams {
        Upstreams::from_config(&self.config, &self.plex_client_id)
    }

    /// Who asked and for which host and scheme, believing forwarded headers only from a
    /// trusted proxy.
    pub fn origin_of(&self, req: &actix_web::HttpRequest) -> crate::http::forwarded::Origin {
        crate::http::forwarded::Origin::of(
            req,
            &self.config.trusted_proxies,
            self.config.proxy_headers,
        )
    }

    /// The origin users reach us at: `SAGARR_PUBLIC_URL`, else what the request says (and a
    /// trusted proxy's `X-Forwarded-*` headers).
    pub fn public_origin(&self, req: &actix_web::HttpRequest) -> String {
        match &self.config.public_url {
            Some(url) => url.origin().to_owned(),
            None => self.origin_of(req).url(),
        }
    }
}
