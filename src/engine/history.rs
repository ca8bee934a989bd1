//! Reading a user's taste: his Tautulli history (paged, each title resolved to its TMDb id
//! through the caches) with his own records, and TMDb's recommendations of his favourites.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;

use futures_util::{StreamExt, stream};

use super::error::EngineError;
use crate::catalog::{self, LibraryTitle};
use crate::db::{self, DbPool};
use crate::domain::TitleId;
use crate::integrations::tautulli::{HistoryPage, HistoryRow, Tautulli};
use crate::integrations::tmdb::{Summary, Tmdb};
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;

use super::fingerprint::{AskedShape, Fingerprint, HistoryMark};
use super::prompt::Candidate;
use super::taste::{NamedTitle, Play, Taste};
use super::{FAVOURITES, HISTORY_PAGE, HISTORY_PAGES, LOOKUP_CONCURRENCY, Run};

/// The history's titles by key: resolved to TMDb ids, or known by name only.
#[derive(Default)]
struct Resolved {
    ids: HashMap<String, TitleId>,
    /// No ids (deleted from Plex since, or no TMDb match).
    nameless_keys: HashSet<String>,
    /// Tautulli could not look them up (Plex out of reach or asleep).
    unlooked_keys: HashSet<String>,
    keys_total: usize,
}

/// The watched titles known by name only, each once: everything Tautulli could not look up (as
/// during an outage), and what was watched of the nameless (a partial play is a signal, not an
/// exclusion).
fn named_only(rows: &[HistoryRow], resolved: &Resolved) -> Vec<NamedTitle> {
    let mut named: HashSet<(Kind, String, Option<i32>)> = HashSet::new();
    let mut out = Vec::new();
    for row in rows {
        let Some(key) = row.title_key() else { continue };
        let wanted = resolved.unlooked_keys.contains(key)
            || (resolved.nameless_keys.contains(key) && row.is_watched());
        if !wanted {
            continue;
        }
        let named_title = NamedTitle::of(row);
        if !named_title.title.is_empty()
            && named.insert((
                named_title.kind,
                named_title.title.clone(),
                named_title.year,
            ))
        {
            out.push(named_title);
        }
    }
    out
}

impl Run<'_> {
    /// Reads the history (paged, from `first_page` when the caller already has it), resolves
    /// each title to its TMDb id (cached), and adds the user's own records. The fingerprint is
    /// of what was read.
    pub(super) async fn read_taste(
        &self,
        first_page: Option<HistoryPage>,
    ) -> Result<(Taste, Fingerprint), EngineError> {
        let tautulli = self
            .tautulli
            .as_ref()
            .ok_or(UpstreamError::not_configured(Service::Tautulli))?;
        let (rows, history_mark) = self.read_history(tautulli, first_page).await?;
        let resolved = self.resolve(tautulli, &rows).await?;
        let plays: Vec<Play<'_>> = rows
            .iter()
            .filter_map(|row| {
                let TitleId(kind, tmdb_id) = *resolved.ids.get(row.title_key()?)?;
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
        let fingerprint = Fingerprint::of(
            &history_mark,
            &preferences,
            self.user.rating_limit.as_deref(),
            &self.upstreams.ai,
            AskedShape::of(&self.ctx.config),
        );
        let mut taste = Taste::build(&plays, &preferences, db::now());
        taste.unlooked = named_only(&rows, &resolved);
        if !resolved.unlooked_keys.is_empty() {
            taste.plex_outage = Some((resolved.unlooked_keys.len(), resolved.keys_total));
        }
        // Shows' years come from TMDb (cached); history rows only know the episode's.
        for seen in taste.seen.iter_mut().take(50).filter(|s| s.year.is_none()) {
            if let Ok(details) =
                catalog::details(self.pool(), &self.tmdb, seen.kind, seen.tmdb_id).await
            {
                seen.year = details.year();
            }
        }
        Ok((taste, fingerprint))
    }

    /// The history's pages (up to `HISTORY_PAGES`), and the mark of its first.
    async fn read_history(
        &self,
        tautulli: &Tautulli<'_>,
        mut first_page: Option<HistoryPage>,
    ) -> Result<(Vec<HistoryRow>, HistoryMark), EngineError> {
        let tautulli_user = self.user.tautulli_user_id.unwrap_or(self.user.plex_id);
        let mut rows: Vec<HistoryRow> = Vec::new();
        let mut history_mark = HistoryMark::default();
        for page in 0..HISTORY_PAGES {
            let batch = match first_page.take() {
                Some(batch) => batch,
                None => {
                    tautulli
                        .history_page(tautulli_user, page * HISTORY_PAGE, HISTORY_PAGE)
                        .await?
                }
            };
            if page == 0 {
                history_mark = HistoryMark::of(&batch);
            }
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
        Ok((rows, history_mark))
    }

    /// Each distinct title of `rows` resolved to its TMDb id through the caches, or known by
    /// name only (no ids, or Tautulli could not look it up).
    async fn resolve(
        &self,
        tautulli: &Tautulli<'_>,
        rows: &[HistoryRow],
    ) -> Result<Resolved, EngineError> {
        let keys: Vec<String> = rows
            .iter()
            .filter_map(|r| r.title_key().map(str::to_owned))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let tmdb = &self.tmdb;
        let total = keys.len() as i32;
        let keys_total = keys.len();
        let plex_hung = AtomicBool::new(false);
        let found: Vec<(String, Result<LibraryTitle, EngineError>)> = stream::iter(keys)
            .map(|key| {
                let (tautulli, tmdb, plex_hung) = (tautulli, tmdb, &plex_hung);
                async move {
                    let found =
                        catalog::library_title(self.pool(), tautulli, tmdb, &key, plex_hung).await;
                    (key, found)
                }
            })
            .buffer_unordered(LOOKUP_CONCURRENCY)
            .collect()
            .await;
        self.report("Reading your watch history", total, total)
            .await;
        let mut resolved = Resolved {
            keys_total,
            ..Resolved::default()
        };
        let mut empty_answers = Vec::new();
        // Titles without ids (deleted from Plex, or no TMDb match) are still watched: they are
        // kept out by name and year. Titles Tautulli could not look up (Plex out of reach or
        // asleep) are kept out by name too, and the run says so.
        for (key, found) in found {
            match found? {
                LibraryTitle::Found(title) => {
                    resolved.ids.insert(key, title);
                }
                LibraryTitle::NoIds => {
                    resolved.nameless_keys.insert(key);
                }
                LibraryTitle::EmptyAnswer => empty_answers.push(key),
                LibraryTitle::Unanswered => {
                    resolved.unlooked_keys.insert(key);
                }
            }
        }
        // `data: {}` means "gone" only while Tautulli reaches Plex; during an outage it means
        // nothing, and remembering it would drop those titles from the taste for good.
        if !empty_answers.is_empty() {
            match tautulli.plex_connected().await {
                Ok(true) => {
                    resolved.nameless_keys.extend(empty_answers.iter().cloned());
                    catalog::remember_gone(self.pool(), empty_answers).await?
                }
                Ok(false) => resolved.unlooked_keys.extend(empty_answers),
                Err(error) => {
                    tracing::warn!(%error, "could not ask Tautulli whether it reaches Plex");
                    resolved.unlooked_keys.extend(empty_answers);
                }
            }
        }
        Ok(resolved)
    }

    /// TMDb's recommendations of the favourites (cached), minus what the user has seen.
    pub(super) async fn candidates(&self, taste: &Taste) -> Result<Vec<Candidate>, EngineError> {
        let tmdb = &self.tmdb;
        let mut out: Vec<Candidate> = Vec::new();
        let mut placed = HashSet::new();
        for favourite in taste.favourites(FAVOURITES) {
            let list =
                recommendations(self.pool(), tmdb, favourite.kind, favourite.tmdb_id).await?;
            for s in list {
                let key = TitleId(favourite.kind, s.id);
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
pub(super) async fn recommendations(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    id: i64,
) -> Result<Vec<Summary>, EngineError> {
    cached_list(pool, kind, id, "recommendations", || {
        tmdb.recommendations(kind, id)
    })
    .await
}

/// TMDb's most voted titles of a genre (`discover`), cached like details under the genre id.
pub(super) async fn discover(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    genre: i64,
) -> Result<Vec<Summary>, EngineError> {
    cached_list(pool, kind, genre, "discover", || tmdb.discover(kind, genre)).await
}

/// TMDb's most voted titles within a US certification (`discover` with
/// `certification.lte`), of a genre or of any, cached like details.
pub(super) async fn discover_within(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    certification: &'static str,
    genre: Option<i64>,
) -> Result<Vec<Summary>, EngineError> {
    // Cached per certification, under the genre id (0: any genre).
    let list = match certification {
        "G" | "TV-G" => "discover_within_1",
        "PG" | "TV-PG" => "discover_within_2",
        "PG-13" | "TV-14" => "discover_within_3",
        "R" | "TV-MA" => "discover_within_4",
        _ => "discover_within_5",
    };
    cached_list(pool, kind, genre.unwrap_or(0), list, || {
        tmdb.discover_within(kind, certification, genre)
    })
    .await
}

/// A TMDb list from the cache when fresh, else from `fetch` (then cached); a 404 is empty.
async fn cached_list<F, Fut>(
    pool: &DbPool,
    kind: Kind,
    id: i64,
    list: &'static str,
    fetch: F,
) -> Result<Vec<Summary>, EngineError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Summary>, crate::integrations::UpstreamError>>,
{
    let fresh_after = db::now() - catalog::TMDB_TTL_SECONDS;
    let cached = db::run(pool, move |c| {
        Ok(db::cache::tmdb_list(c, kind, id, list, fresh_after)?)
    })
    .await?;
    if let Some(found) = cached.and_then(|json| serde_json::from_str::<Vec<Summary>>(&json).ok()) {
        return Ok(found);
    }
    let found = match fetch().await {
        Ok(found) => found,
        Err(e) if e.kind == UpstreamErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let json = serde_json::to_string(&found)
        .map_err(|e| EngineError::internal("caching a TMDb list", e))?;
    db::write(pool, db::Scope::Unshown, move |c| {
        Ok(db::cache::put_tmdb_list(
            c,
            kind,
            id,
            list,
            &json,
            db::now(),
        )?)
    })
    .await?;
    Ok(found)
}
