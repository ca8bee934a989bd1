//! Availability of recommended titles from Overseerr: fetched in one bounded pass at refresh
//! time and cached with its time (docs/recommendations.md). `jobs::recheck` uses the same pass
//! when a page view finds a cached status stale.

use futures_util::{StreamExt, stream};

use super::error::EngineError;
use crate::db;
use crate::domain::Availability;
use crate::domain::TitleId;
use crate::integrations::overseerr::Overseerr;
use crate::media::Kind;

use super::rows::Assembly;

/// A cached status younger than this is not asked again.
pub const FRESH_SECONDS: i64 = 6 * 3600;
const CONCURRENCY: usize = 4;

/// Asks Overseerr about `titles`, a few at a time, and caches each answer. Failures are cached
/// as `unknown`; nothing here fails. Returns how many were asked (0 without Overseerr).
pub async fn fetch_and_store(
    pool: &db::DbPool,
    overseerr: Option<Overseerr<'_>>,
    titles: Vec<TitleId>,
) -> i32 {
    let Some(overseerr) = overseerr else {
        return 0;
    };
    if titles.is_empty() {
        return 0;
    }
    let asked = titles.len() as i32;
    let answers: Vec<(Kind, i64, (Availability, Option<String>))> = stream::iter(titles)
        .map(|TitleId(kind, id)| {
            let overseerr = &overseerr;
            async move {
                (
                    kind,
                    id,
                    overseerr
                        .availability_and_link(kind, id)
                        .await
                        .unwrap_or((Availability::Unknown, None)),
                )
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let answers = answers
        .into_iter()
        .map(|(kind, id, (status, link))| (kind, id, status, link))
        .collect();
    let _ = store(pool, answers).await;
    asked
}

/// Caches each title's availability and Plex link. Only a title whose status or link changed
/// makes pages stale, and only the pages that show it (`recommendations::holders`): a re-check
/// that finds nothing new drops no page, and one badge that flips drops its holders' pages,
/// not everyone's.
pub async fn store(
    pool: &db::DbPool,
    answers: Vec<(Kind, i64, Availability, Option<String>)>,
) -> Result<(), EngineError> {
    db::write_shown_to(pool, move |c| {
        let now = db::now();
        let mut changed = Vec::new();
        for (kind, id, status, link) in answers {
            let before = db::cache::availability_linked(c, kind, id)?;
            if before.is_none_or(|(s, l, _)| s != status.as_str() || l != link) {
                changed.push((kind, id));
            }
            let link = link.as_deref();
            db::cache::put_availability_linked(c, kind, id, status.as_str(), link, now)?;
        }
        Ok(db::recommendations::holders(c, &changed)?)
    })
    .await?;
    Ok(())
}

/// At refresh time: every card whose cached status is stale. Returns how many were asked.
pub async fn check_all(
    pool: &db::DbPool,
    overseerr: Option<Overseerr<'_>>,
    assembly: &Assembly,
) -> i32 {
    let titles: Vec<TitleId> = assembly
        .tabs
        .values()
        .flatten()
        .flat_map(|row| row.cards.iter().map(|c| TitleId(c.kind, c.tmdb_id)))
        .collect();
    check_stale(pool, overseerr, titles).await
}

/// When the nightly keeps a user's rows: every card of his stored rows whose cached status is
/// stale, as a refresh would have asked. Returns how many were asked.
pub async fn check_stored(
    pool: &db::DbPool,
    overseerr: Option<Overseerr<'_>>,
    user_id: i32,
) -> i32 {
    let stored = db::run(pool, move |c| {
        let mut titles = Vec::new();
        for tab in crate::media::TABS {
            if let Some((json, _)) = db::recommendations::load(c, user_id, tab.slug())? {
                let rows: Vec<super::rows::Row> = serde_json::from_str(&json).unwrap_or_default();
                titles.extend(
                    rows.iter()
                        .flat_map(|row| row.cards.iter().map(|c| TitleId(c.kind, c.tmdb_id))),
                );
            }
        }
        Ok(titles)
    })
    .await
    .unwrap_or_default();
    check_stale(pool, overseerr, stored).await
}

/// The titles among `titles` whose cached status is stale, asked again.
async fn check_stale(
    pool: &db::DbPool,
    overseerr: Option<Overseerr<'_>>,
    titles: Vec<TitleId>,
) -> i32 {
    let fresh_after = db::now() - FRESH_SECONDS;
    let wanted = titles.clone();
    let stale = db::run(pool, move |c| {
        let mut stale = Vec::new();
        for TitleId(kind, id) in wanted {
            if db::cache::availability(c, kind, id)?.is_none_or(|(_, at)| at <= fresh_after) {
                stale.push(TitleId(kind, id));
            }
        }
        Ok(stale)
    })
    .await
    .unwrap_or(titles);
    fetch_and_store(pool, overseerr, stale).await
}
