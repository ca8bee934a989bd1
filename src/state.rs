//! What every handler can reach: configuration, the database, the jobs, and install-wide
//! identifiers.

use crate::engine;
use crate::jobs::{Rechecks, RefreshQueue};

pub struct AppState {
    /// The database, the configuration, our Plex client id and the upstream clients: what a
    /// refresh is handed too (`ctx.clone()`).
    pub ctx: engine::Context,
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
}

impl AppState {
    /// Who asked and for which host and scheme, believing forwarded headers only from a
    /// trusted proxy.
    pub fn origin_of(&self, req: &actix_web::HttpRequest) -> crate::http::forwarded::Origin {
        crate::http::forwarded::Origin::of(
            req,
            &self.ctx.config.trusted_proxies,
            self.ctx.config.proxy_headers,
        )
    }

    /// The origin users reach us at: `SAGARR_PUBLIC_URL`, else what the request says (and a
    /// trusted proxy's `X-Forwarded-*` headers).
    pub fn public_origin(&self, req: &actix_web::HttpRequest) -> String {
        match &self.ctx.config.public_url {
            Some(url) => url.origin().to_owned(),
            None => self.origin_of(req).url(),
        }
    }
}
