//! What we know about titles, asking upstreams only on a cache miss: TMDb details (kept for
//! [`TMDB_TTL_SECONDS`]) and the TMDb id behind a Tautulli rating key (kept while the key exists).

use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::integrations::tautulli::Tautulli;
use crate::integrations::tmdb::{Details, ExternalSource, Tmdb};
use crate::media::Kind;

/// How long TMDb details are reused before being fetched again.
pub const TMDB_TTL_SECONDS: i64 = 7 * 86_400;

/// Details of (kind, id), from the cache when fresh, else from TMDb (then cached).
pub async fn details(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    id: i64,
) -> Result<Details, AppError> {
    let fresh_after = db::now() - TMDB_TTL_SECONDS;
    let cached = db::run(pool, move |conn| {
        Ok(db::cache::tmdb_details(
            conn,
            kind.as_str(),
            id,
            fresh_after,
        )?)
    })
    .await?;
    if let Some(details) = cached.and_then(|json| serde_json::from_str::<Details>(&json).ok()) {
        return Ok(details);
    }
    let details = tmdb.details(kind, id).await?;
    let json = serde_json::to_string(&details)
        .map_err(|e| AppError::internal("caching TMDb details", e))?;
    db::run(pool, move |conn| {
        Ok(db::cache::put_tmdb_details(
            conn,
            kind.as_str(),
            id,
            &json,
            db::now(),
        )?)
    })
    .await?;
    Ok(details)
}

/// The (kind, TMDb id) of the movie or show behind a Tautulli rating key (for an episode, pass
/// its show's key). Asked of Tautulli once per key, then of TMDb's `/find` when the server only
/// knows an IMDb or TVDB id. `None` when the item is gone or has no usable id.
pub async fn library_title(
    pool: &DbPool,
    tautulli: &Tautulli<'_>,
    tmdb: &Tmdb<'_>,
    rating_key: &str,
) -> Result<Option<(Kind, i64)>, AppError> {
    let key = rating_key.to_owned();
    let cached = db::run(pool, move |conn| Ok(db::cache::library_ids(conn, &key)?)).await?;
    if let Some((kind, id)) = cached {
        return Ok(kind.as_deref().and_then(Kind::parse).zip(id));
    }
    let ids = tautulli.external_ids(rating_key).await?;
    let (kind, tmdb_id, title, year) = match ids {
        None => (None, None, String::new(), None),
        Some(ids) => {
            let tmdb_id = match (ids.kind, ids.tmdb) {
                (_, Some(id)) => Some(id),
                (Some(kind), None) => {
                    find_by_external_id(tmdb, kind, ids.imdb.as_deref(), ids.tvdb).await?
                }
                (None, None) => None,
            };
            (
                ids.kind,
                tmdb_id,
                ids.title,
                ids.year.and_then(|y| i32::try_from(y).ok()),
            )
        }
    };
    let key = rating_key.to_owned();
    let stored = (kind.map(|k| k.as_str().to_owned()), tmdb_id);
    db::run(pool, move |conn| {
        Ok(db::cache::put_library_ids(
            conn,
            &key,
            &stored,
            &title,
            year,
            db::now(),
        )?)
    })
    .await?;
    Ok(kind.zip(tmdb_id))
}

async fn find_by_external_id(
    tmdb: &Tmdb<'_>,
    kind: Kind,
    imdb: Option<&str>,
    tvdb: Option<i64>,
) -> Result<Option<i64>, AppError> {
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
