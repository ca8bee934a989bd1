//! Reading a user's taste: his Tautulli history (paged, each title resolved to its TMDb id
//! through the caches) with his own records, and TMDb's recommendations of his favourites.

use std::collections::{HashMap, HashSet};

use futures_util::{StreamExt, stream};

use crate::catalog;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::integrations::UpstreamErrorKind;
use crate::integrations::tautulli::HistoryRow;
use crate::integrations::tmdb::{Summary, Tmdb};
use crate::media::Kind;

use super::prompt::Candidate;
use super::taste::{Play, Taste};
use super::{FAVOURITES, HISTORY_PAGE, HISTORY_PAGES, LOOKUP_CONCURRENCY, Resolved, Run};

impl Run<'_> {
    /// Reads the history (paged), resolves each title to its TMDb id (cached), and adds the
    /// user's own records.
    pub(super) async fn read_taste(&self) -> Result<Taste, AppError> {
        let tautulli = self.tautulli();
        let tautulli_user = self.user.tautulli_user_id.unwrap_or(self.user.plex_id);
        let mut rows: Vec<HistoryRow> = Vec::new();
        for page in 0..HISTORY_PAGES {
            let batch = tautulli
                .history_page(tautulli_user, page * HISTORY_PAGE, HISTORY_PAGE)
                .await?;
            let total_pages = batch.records_filtered.map_or(1, |n| {
                (n.max(0) as usize)
                    .div_ceil(HISTORY_PAGE)
                    .clamp(1, HISTORY_PAGES)
            });
            let fetched = batch.data.len();
            rows.extend(batch.data);
            self.report(
                "Reading your watch history",
                (page + 1) as i32,
                total_pages as i32,
            )
            .await;
            if fetched < HISTORY_PAGE {
                break;
            }
        }

        let keys: Vec<String> = rows
            .iter()
            .filter_map(|r| r.title_key().map(str::to_owned))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let tmdb = self.tmdb();
        let total = keys.len() as i32;
        let resolved: Vec<(String, Resolved)> = stream::iter(keys)
            .map(|key| {
                let (tautulli, tmdb) = (&tautulli, &tmdb);
                async move {
                    let found = catalog::library_title(self.pool(), tautulli, tmdb, &key).await;
                    (key, found)
                }
            })
            .buffer_unordered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        self.report("Reading your watch history", total, total)
            .await;
        let mut ids = HashMap::new();
        for (key, found) in resolved {
            if let Some(title) = found? {
                ids.insert(key, title);
            }
        }
        let plays: Vec<Play<'_>> = rows
            .iter()
            .filter_map(|row| {
                let (kind, tmdb_id) = *ids.get(row.title_key()?)?;
                let year = if kind == Kind::Movie {
                    row.year.and_then(|y| i32::try_from(y).ok())
                } else {
                    None
                };
                Some(Play {
                    row,
                    kind,
                    tmdb_id,
                    year,
                })
            })
            .collect();
        let user_id = self.user.id;
        let preferences = db::run(self.pool(), move |conn| {
            Ok(db::preferences::all_for(conn, user_id)?)
        })
        .await?;
        let mut taste = Taste::build(&plays, &preferences, db::now());
        // Shows' years come from TMDb (cached); history rows only know the episode's.
        for seen in taste.seen.iter_mut().take(50).filter(|s| s.year.is_none()) {
            if let Ok(details) = catalog::details(self.pool(), &tmdb, seen.kind, seen.tmdb_id).await
            {
                seen.year = details.year();
            }
        }
        Ok(taste)
    }

    /// TMDb's recommendations of the favourites (cached), minus what the user has seen.
    pub(super) async fn candidates(&self, taste: &Taste) -> Result<Vec<Candidate>, AppError> {
        let tmdb = self.tmdb();
        let mut out: Vec<Candidate> = Vec::new();
        let mut placed = HashSet::new();
        for favourite in taste.favourites(FAVOURITES) {
            let list =
                recommendations(self.pool(), &tmdb, favourite.kind, favourite.tmdb_id).await?;
            for s in list {
                let key = (favourite.kind, s.id);
                if taste.excluded.contains(&key) || !placed.insert(key) {
                    continue;
                }
                out.push(Candidate {
                    kind: favourite.kind,
                    tmdb_id: s.id,
                    year: s.year(),
                    title: s.title,
                    because: favourite.title.clone(),
                });
            }
        }
        Ok(out)
    }
}

/// TMDb's recommendations of a title, cached like details.
async fn recommendations(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    id: i64,
) -> Result<Vec<Summary>, AppError> {
    let fresh_after = db::now() - catalog::TMDB_TTL_SECONDS;
    let cached = db::run(pool, move |c| {
        Ok(db::cache::tmdb_list(
            c,
            kind.as_str(),
            id,
            "recommendations",
            fresh_after,
        )?)
    })
    .await?;
    if let Some(list) = cached.and_then(|json| serde_json::from_str::<Vec<Summary>>(&json).ok()) {
        return Ok(list);
    }
    let list = match tmdb.recommendations(kind, id).await {
        Ok(list) => list,
        Err(e) if e.kind == UpstreamErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let json =
        serde_json::to_string(&list).map_err(|e| AppError::internal("caching a TMDb list", e))?;
    db::run(pool, move |c| {
        Ok(db::cache::put_tmdb_list(
            c,
            kind.as_str(),
            id,
            "recommendations",
            &json,
            db::now(),
        )?)
    })
    .await?;
    Ok(list)
}
