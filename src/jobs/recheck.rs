//! After a page view: the stale availability statuses it showed are asked again in the
//! background. The page itself never waits for this, and concurrent views of the same title
//! ask Overseerr once.

use std::sync::{Arc, Mutex};

use crate::domain::TitleId;
use crate::engine::{self, availability};

/// The re-checks in flight; cheap to clone, shared by every worker.
#[derive(Clone)]
pub struct Rechecks {
    ctx: engine::Context,
    in_flight: Arc<Mutex<Vec<TitleId>>>,
}

impl Rechecks {
    pub fn new(ctx: engine::Context) -> Self {
        Self {
            ctx,
            in_flight: Arc::default(),
        }
    }

    /// Re-checks `titles` in the background, skipping those already being asked about. Must
    /// be called on the actix runtime.
    pub fn start(&self, titles: Vec<TitleId>) {
        let claimed: Vec<TitleId> = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let claimed: Vec<_> = titles
                .into_iter()
                .filter(|t| !in_flight.contains(t))
                .collect();
            in_flight.extend(claimed.iter().copied());
            claimed
        };
        if claimed.is_empty() {
            return;
        }
        let (ctx, in_flight) = (self.ctx.clone(), self.in_flight.clone());
        actix_web::rt::spawn(async move {
            let http = crate::integrations::http_client();
            if let Ok(upstreams) = ctx.upstreams().await {
                availability::fetch_and_store(
                    &ctx.pool,
                    upstreams.overseerr(&http),
                    claimed.clone(),
                )
                .await;
            }
            in_flight
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .retain(|t| !claimed.contains(t));
        });
    }
}
