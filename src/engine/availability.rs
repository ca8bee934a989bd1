//! Availability of recommended titles from Overseerr: fetched in one bounded pass at refresh
//! time and cached with its time (docs/recommendations.md), and re-checked in the background when a
//! page view finds a cached status stale.

use futures_util::{StreamExt, stream};

use crate::db;
use crate::integrations::overseerr::{Availability, Overseerr};
use crate::media::Kind;
use crate::settings::{Endpoint, Section};
use crate::state::AppState;

use super::rows::Assembly;

/// A cached status younger than this is not asked again.
pub const FRESH_SECONDS: i64 = 6 * 3600;
const CONCURRENCY: usize = 4;

/// Asks Overseerr about `titles`, a few at a time, and caches each answer. Failures are cached
/// as `unknown`; nothing here fails. Returns how many were asked (0 without Overseerr).
async fn fetch_and_store(state: &AppState, http: &awc::Client, titles: Vec<(Kind, i64)>) -> i32 {
    let env = state.config.env_integrations.clone();
    let Ok(endpoint) = db::run(&state.pool, move |c| {
        Ok(Endpoint::load(c, &env, Section::Overseerr)?)
    })
    .await
    else {
        return 0;
    };
    if endpoint.url.is_empty() || endpoint.api_key.is_empty() || titles.is_empty() {
        return 0;
    }
    let overseerr = Overseerr {
        http,
        base: &endpoint.url,
        api_key: &endpoint.api_key,
        timeout: state.config.upstream_timeout,
    };
    let asked = titles.len() as i32;
    let answers: Vec<(Kind, i64, Availability)> = stream::iter(titles)
        .map(|(kind, id)| {
            let overseerr = &overseerr;
            async move {
                (
                    kind,
                    id,
                    overseerr
                        .availability(kind, id)
                        .await
                        .unwrap_or(Availability::Unknown),
                )
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let _ = db::write(&state.pool, db::Scope::Everyone, move |c| {
        let now = db::now();
        for (kind, id, status) in answers {
            db::cache::put_availability(c, kind.as_str(), id, status.as_str(), now)?;
        }
        Ok(())
    })
    .await;
    asked
}

/// At refresh time: every card whose cached status is stale. Returns how many were asked.
pub async fn check_all(state: &AppState, http: &awc::Client, assembly: &Assembly) -> i32 {
    let titles: Vec<(Kind, i64)> = assembly
        .tabs
        .values()
        .flatten()
        .flat_map(|row| row.cards.iter().map(|c| (c.kind, c.tmdb_id)))
        .collect();
    let fresh_after = db::now() - FRESH_SECONDS;
    let wanted = titles.clone();
    let stale = db::run(&state.pool, move |c| {
        let mut stale = Vec::new();
        for (kind, id) in wanted {
            if db::cache::availability(c, kind.as_str(), id)?
                .is_none_or(|(_, at)| at <= fresh_after)
            {
                stale.push((kind, id));
            }
        }
        Ok(stale)
    })
    .await
    .unwrap_or(titles);
    fetch_and_store(state, http, stale).await
}

/// Titles being re-checked now, so concurrent page views ask Overseerr once.
static IN_FLIGHT: std::sync::Mutex<Vec<(Kind, i64)>> = std::sync::Mutex::new(Vec::new());

/// After a page view: re-checks the stale statuses it showed, in the background; the page
/// itself never waits for this.
pub fn recheck(state: actix_web::web::Data<AppState>, titles: Vec<(Kind, i64)>) {
    let claimed: Vec<(Kind, i64)> = {
        let mut in_flight = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
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
    actix_web::rt::spawn(async move {
        let http = crate::integrations::http_client();
        fetch_and_store(&state, &http, claimed.clone()).await;
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|t| !claimed.contains(t));
    });
}
