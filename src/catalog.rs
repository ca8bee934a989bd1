//! What we know about titles, asking upstreams only on a cache miss: TMDb details (kept for
//! [`TMDB_TTL_SECONDS`]) and the TMDb id behind a Tautulli rating key (kept while the key exists).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::db::{self, DbPool};
use crate::domain::TitleId;
use crate::engine::error::EngineError;
use crate::integrations::tautulli::Tautulli;
use crate::integrations::tmdb::{Details, ExternalSource, Tmdb};
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;

/// How long TMDb details are reused before being fetched again.
pub const TMDB_TTL_SECONDS: i64 = 7 * 86_400;

/// Details of (kind, id) when the cache holds them fresh.
pub async fn cached_details(
    pool: &DbPool,
    kind: Kind,
    id: i64,
) -> Result<Option<Details>, EngineError> {
    let cached = cached_json(pool, kind, id).await?;
    Ok(cached.and_then(|json| serde_json::from_str::<Details>(&json).ok()))
}

/// What the details cache holds fresh for (kind, id): details JSON, or [`MISSING`].
async fn cached_json(pool: &DbPool, kind: Kind, id: i64) -> Result<Option<String>, EngineError> {
    let fresh_after = db::now() - TMDB_TTL_SECONDS;
    db::run(pool, move |conn| {
        Ok(db::cache::tmdb_details(conn, kind, id, fresh_after)?)
    })
    .await
    .map_err(EngineError::from)
}

/// What the details cache holds for an id TMDb does not know: asked once, not once per view.
const MISSING: &str = "";
/// Unknown ids remembered at most: a flood of made-up ids cannot grow the cache without end.
const MISSING_KEPT: i64 = 1_000;

/// Details of (kind, id), from the cache when fresh, else from TMDb (then cached). An id TMDb
/// does not know is remembered as missing for as long as details are.
pub async fn details(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    id: i64,
) -> Result<Details, EngineError> {
    let cached = cached_json(pool, kind, id).await?;
    if cached.as_deref() == Some(MISSING) {
        return Err(UpstreamError::new(Service::Tmdb, UpstreamErrorKind::NotFound).into());
    }
    if let Some(details) = cached.and_then(|json| serde_json::from_str::<Details>(&json).ok())
        && tmdb.still_fits(&details)
    {
        return Ok(details);
    }
    let details = match tmdb.details(kind, id).await {
        Ok(details) => details,
        Err(error) if error.kind == UpstreamErrorKind::NotFound => {
            db::write(pool, db::Scope::Unshown, move |conn| {
                db::cache::put_tmdb_details(conn, kind, id, MISSING, db::now())?;
                Ok(db::cache::forget_missing_beyond(
                    conn,
                    MISSING,
                    MISSING_KEPT,
                )?)
            })
            .await?;
            return Err(error.into());
        }
        Err(error) => return Err(error.into()),
    };
    let json = serde_json::to_string(&details)
        .map_err(|e| EngineError::internal("caching TMDb details", e))?;
    db::write(pool, db::Scope::Unshown, move |conn| {
        Ok(db::cache::put_tmdb_details(
            conn,
            kind,
            id,
            &json,
            db::now(),
        )?)
    })
    .await?;
    Ok(details)
}

/// How long "Tautulli has no such item" is believed, when Tautulli could reach Plex: the key
/// is asked about again after this, in case the item comes back.
pub const GONE_RETRY_SECONDS: i64 = 86_400;

/// What a Tautulli rating key stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryTitle {
    /// The movie or show, by TMDb id.
    Found(TitleId),
    /// Known to have no usable id (gone from the server, or no TMDb match).
    NoIds,
    /// Tautulli answered `data: {}` just now: the item is gone, or Tautulli cannot reach Plex.
    /// Nothing was cached; [`remember_gone`] stores it once Plex is known to be reachable.
    EmptyAnswer,
    /// Tautulli did not answer in time: it waits up to 15 s for a sleeping or hung Plex
    /// (`PMS_TIMEOUT`) before it answers `{}`. Nothing was cached; treated as an outage.
    Unanswered,
}

/// The (kind, TMDb id) of the movie or show behind a Tautulli rating key (for an episode, pass
/// its show's key). Asked of Tautulli once per key, then of TMDb's `/find` when the server only
/// knows an IMDb or TVDB id. Once one `get_metadata` has timed out, `plex_hung` is set and the
/// keys not cached are not asked at all, so a hung Plex costs one timeout, not one per title.
pub async fn library_title(
    pool: &DbPool,
    tautulli: &Tautulli<'_>,
    tmdb: &Tmdb<'_>,
    rating_key: &str,
    plex_hung: &AtomicBool,
) -> Result<LibraryTitle, EngineError> {
    let key = rating_key.to_owned();
    let now = db::now();
    let cached = db::run(pool, move |conn| {
        Ok(db::cache::library_ids(conn, &key, now)?)
    })
    .await?;
    if let Some((kind, id)) = cached {
        return Ok(match kind.as_deref().and_then(Kind::parse).zip(id) {
            Some((kind, id)) => LibraryTitle::Found(TitleId(kind, id)),
            None => LibraryTitle::NoIds,
        });
    }
    if plex_hung.load(Ordering::Relaxed) {
        return Ok(LibraryTitle::Unanswered);
    }
    let ids = match tautulli.external_ids(rating_key).await {
        Ok(Some(ids)) => ids,
        Ok(None) => return Ok(LibraryTitle::EmptyAnswer),
        Err(error) if matches!(error.kind, UpstreamErrorKind::TimedOut { .. }) => {
            tracing::warn!(%error, "Tautulli did not answer about a title: Plex may be asleep");
            plex_hung.store(true, Ordering::Relaxed);
            return Ok(LibraryTitle::Unanswered);
        }
        Err(error) => return Err(error.into()),
    };
    let tmdb_id = match (ids.kind, ids.tmdb) {
        (_, Some(id)) => Some(id),
        (Some(kind), None) => {
            find_by_external_id(tmdb, kind, ids.imdb.as_deref(), ids.tvdb).await?
        }
        (None, None) => None,
    };
    let kind = ids.kind;
    let year = ids.year.and_then(|y| i32::try_from(y).ok());
    let key = rating_key.to_owned();
    let stored = (kind.map(|k| k.as_str().to_owned()), tmdb_id);
    db::write(pool, db::Scope::Unshown, move |conn| {
        Ok(db::cache::put_library_ids(
            conn,
            &key,
            &stored,
            &ids.title,
            year,
            db::now(),
            None,
        )?)
    })
    .await?;
    Ok(match kind.zip(tmdb_id) {
        Some((kind, id)) => LibraryTitle::Found(TitleId(kind, id)),
        None => LibraryTitle::NoIds,
    })
}

/// Remembers, for [`GONE_RETRY_SECONDS`], that these keys answered `data: {}` while Tautulli
/// could reach Plex: they are really gone.
pub async fn remember_gone(pool: &DbPool, rating_keys: Vec<String>) -> Result<(), EngineError> {
    db::write(pool, db::Scope::Unshown, move |conn| {
        let now = db::now();
        for key in &rating_keys {
            db::cache::put_library_ids(
                conn,
                key,
                &(None, None),
                "",
                None,
                now,
                Some(now + GONE_RETRY_SECONDS),
            )?;
        }
        Ok(())
    })
    .await
    .map_err(EngineError::from)
}

async fn find_by_external_id(
    tmdb: &Tmdb<'_>,
    kind: Kind,
    imdb: Option<&str>,
    tvdb: Option<i64>,
) -> Result<Option<i64>, EngineError> {
    let tvdb = tvdb.map(|id| id.to_string());
    let lookups = [
        (ExternalSource::Imdb, imdb),
        (ExternalSource::Tvdb, tvdb.as_deref()),
    ];
    for (source, id) in lookups {
        let Some(id) = id else { continue };
        let found = tmdb.find(source, id).await?;
        let hits = if kind == Kind::Movie {
            found.movie_results
        } else {
            found.tv_results
        };
        if let Some(hit) = hits.first() {
            return Ok(Some(hit.id));
        }
    }
    Ok(None)
}
