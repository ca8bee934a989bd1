//! What every handler can reach: configuration, the database, and install-wide identifiers.

use crate::config::Config;
use crate::db::DbPool;
use crate::queue::RefreshQueue;

pub struct AppState {
    pub config: Config,
    pub pool: DbPool,
    /// Our `X-Plex-Client-Identifier`, generated once per install and kept in the database.
    pub plex_client_id: String,
    /// Where refreshes wait their turn.
    pub queue: RefreshQueue,
    /// Rendered dashboards and checked sessions.
    pub cache: crate::page_cache::PageCache,
    /// Sign-in starts per client, against floods (each start creates a PIN on plex.tv).
    pub sign_in_limiter: crate::http::limiter::Limiter,
    /// Asking Tautulli to re-read its users from plex.tv, at most once a minute per install.
    pub tautulli_users_refresh: crate::http::limiter::Cooldown,
}

impl AppState {
    /// The origin users reach us at: `SAGARR_PUBLIC_URL`, else what the request (and the proxy's
    /// `X-Forwarded-*` headers) say.
    pub fn public_origin(&self, req: &actix_web::HttpRequest) -> String {
        match &self.config.public_url {
            Some(url) => url.origin().to_owned(),
            None => {
                let conn = req.connection_info();
                format!("{}://{}", conn.scheme(), conn.host())
            }
        }
    }
}
