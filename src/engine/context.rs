//! What a refresh needs from the app, and nothing more: the database, the configuration and
//! our Plex client identifier. The web server, the queue and `sagarr refresh` each hand one in.

use std::sync::Arc;

use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::integrations::upstreams::Upstreams;

/// Cheap to clone: the pool and the configuration are shared.
#[derive(Clone)]
pub struct Context {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Our `X-Plex-Client-Identifier`, generated once per install.
    pub plex_client_id: String,
}

impl Context {
    /// Every upstream client, from one read of the settings.
    pub async fn upstreams(&self) -> Result<Upstreams, AppError> {
        let config = self.config.clone();
        let client_id = self.plex_client_id.clone();
        db::run(&self.pool, move |conn| {
            Ok(Upstreams::load(conn, &config, &client_id)?)
        })
        .await
    }
}
