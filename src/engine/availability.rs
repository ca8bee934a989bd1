//! Availability of every recommended title from Overseerr, in one pass with bounded
//! concurrency at refresh time, cached with its time (PRODUCT.md rule 6).

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

/// Fetches the availability of every card whose cached status is stale, and returns how many
/// were asked. Failures leave the title `unknown`; they never fail the refresh.
pub async fn check_all(state: &AppState, http: &awc::Client, assembly: &Assembly) -> i32 {
    let env = state.config.env_integrations.clone();
    let Ok(endpoint) = db::run(&state.pool, move |c| {
        Ok(Endpoint::load(c, &env, Section::Overseerr)?)
    })
    .await
    else {
        return 0;
    };
    if endpoint.url.is_empty() || endpoint.api_key.is_empty() {
        return 0;
    }
    let titles: Vec<(Kind, i64)> = assembly
        .tabs
        .values()
        .flatten()
        .flat_map(|row| row.cards.iter().map(|c| (c.kind, c.tmdb_id)))
        .collect();
    let fresh_after = db::now() - FRESH_SECONDS;
    let wanted = titles.clone();
    let stale: Vec<(Kind, i64)> = db::run(&state.pool, move |c| {
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
    let overseerr = Overseerr {
        http,
        base: &endpoint.url,
        api_key: &endpoint.api_key,
        timeout: state.config.upstream_timeout,
    };
    let total = stale.len() as i32;
    let answers: Vec<(Kind, i64, Availability)> = stream::iter(stale)
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
    let _ = db::run(&state.pool, move |c| {
        let now = db::now();
        for (kind, id, status) in answers {
            db::cache::put_availability(c, kind.as_str(), id, status.as_str(), now)?;
        }
        Ok(())
    })
    .await;
    total
}

/// Titles being re-checked now, so concurrent page views ask Overseerr once.
static IN_FLIGHT: std::sync::Mutex<Vec<(Kind, i64)>> = std::sync::Mutex::new(Vec::new());

/// Re-checks stale statuses in the background after a page view, a few at a time; the page
/// itself never waits for this.
pub fn recheck(state: actix_web::web::Data<AppState>, titles: Vec<(Kind, i64)>) {
    let fresh: Vec<(Kind, i64)> = {
        let mut in_flight = IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner());
        let fresh: Vec<_> = titles
            .into_iter()
            .filter(|t| !in_flight.contains(t))
            .collect();
        in_flight.extend(fresh.iter().copied());
        fresh
    };
    if fresh.is_empty() {
        return;
    }
    actix_web::rt::spawn(async move {
        let env = state.config.env_integrations.clone();
        if let Ok(endpoint) = db::run(&state.pool, move |c| {
            Ok(Endpoint::load(c, &env, Section::Overseerr)?)
        })
        .await
        {
            let http = crate::integrations::http_client();
            let overseerr = Overseerr {
                http: &http,
                base: &endpoint.url,
                api_key: &endpoint.api_key,
                timeout: state.config.upstream_timeout,
            };
            let answers: Vec<(Kind, i64, Availability)> = stream::iter(fresh.clone())
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
            let _ = db::run(&state.pool, move |c| {
                for (kind, id, status) in answers {
                    db::cache::put_availability(c, kind.as_str(), id, status.as_str(), db::now())?;
                }
                Ok(())
            })
            .await;
        }
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|t| !fresh.contains(t));
    });
}
