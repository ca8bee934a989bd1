//! What a refresh needs from the app, and nothing more: the database, the configuration, our
//! Plex client identifier and the upstream clients read from the settings. The web server
//! (`AppState` holds one), the queue and `sagarr refresh` each hand one in.

use std::sync::{Arc, Mutex};

use super::error::EngineError;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::integrations::upstreams::Upstreams;

/// The upstream clients as last read, with the data version they were read at.
type ReadAt = Option<(u64, Arc<Upstreams>)>;

/// Cheap to clone: the pool, the configuration and the clients as last read are shared.
#[derive(Clone)]
pub struct Context {
    pub pool: DbPool,
    pub config: Arc<Config>,
    /// Our `X-Plex-Client-Identifier`, generated once per install.
    pub plex_client_id: String,
    upstreams_read: Arc<Mutex<ReadAt>>,
}

impl Context {
    pub fn new(pool: DbPool, config: Arc<Config>, plex_client_id: String) -> Self {
        Self {
            pool,
            config,
            plex_client_id,
            upstreams_read: Arc::default(),
        }
    }

    /// Every upstream client, from one read of the settings, reused until a write every page
    /// sees (settings are saved with that scope): page views and runs alike.
    pub async fn upstreams(&self) -> Result<Arc<Upstreams>, EngineError> {
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
}
