//! Queries for the shared caches: TMDb details, Tautulli rating keys, Discover keys, availability.

use diesel::prelude::*;

use super::schema::{
    availability, plex_discover_keys, tautulli_metadata, title_lookups, tmdb_details, tmdb_lists,
};

/// Cached TMDb details JSON of (kind, id) fetched after `fresh_after`.
pub fn tmdb_details(
    conn: &mut SqliteConnection,
    kind: &str,
    id: i64,
    fresh_after: i64,
) -> QueryResult<Option<String>> {
    tmdb_details::table
        .find((kind, id))
        .filter(tmdb_details::fetched_at.gt(fresh_after))
        .select(tmdb_details::json)
        .first(conn)
        .optional()
}

pub fn put_tmdb_details(
    conn: &mut impl super::Writable,
    kind: &str,
    id: i64,
    json: &str,
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(tmdb_details::table)
        .values((
            tmdb_details::kind.eq(kind),
            tmdb_details::tmdb_id.eq(id),
            tmdb_details::json.eq(json),
            tmdb_details::fetched_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// A cached rating key: `Some((kind, tmdb_id))`, where either may be unknown.
pub type LibraryIds = (Option<String>, Option<i64>);

/// The cached ids of a rating key, unless it was stored with a `retry_after` that has passed.
pub fn library_ids(
    conn: &mut SqliteConnection,
    rating_key: &str,
    now: i64,
) -> QueryResult<Option<LibraryIds>> {
    tautulli_metadata::table
        .find(rating_key)
        .filter(
            tautulli_metadata::retry_after
                .is_null()
                .or(tautulli_metadata::retry_after.gt(now)),
        )
        .select((tautulli_metadata::kind, tautulli_metadata::tmdb_id))
        .first(conn)
        .optional()
}

/// Stores what a rating key resolved to; `retry_after` set means "ask again after then".
#[allow(clippy::too_many_arguments)]
pub fn put_library_ids(
    conn: &mut impl super::Writable,
    rating_key: &str,
    ids: &LibraryIds,
    title: &str,
    year: Option<i32>,
    now: i64,
    retry_after: Option<i64>,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(tautulli_metadata::table)
        .values((
            tautulli_metadata::rating_key.eq(rating_key),
            tautulli_metadata::kind.eq(&ids.0),
            tautulli_metadata::tmdb_id.eq(ids.1),
            tautulli_metadata::title.eq(title),
            tautulli_metadata::year.eq(year),
            tautulli_metadata::fetched_at.eq(now),
            tautulli_metadata::retry_after.eq(retry_after),
        ))
        .execute(conn)
        .map(drop)
}

pub fn discover_key(
    conn: &mut SqliteConnection,
    kind: &str,
    id: i64,
) -> QueryResult<Option<String>> {
    plex_discover_keys::table
        .find((kind, id))
        .select(plex_discover_keys::rating_key)
        .first(conn)
        .optional()
}

pub fn put_discover_key(
    conn: &mut impl super::Writable,
    kind: &str,
    id: i64,
    key: &str,
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(plex_discover_keys::table)
        .values((
            plex_discover_keys::kind.eq(kind),
            plex_discover_keys::tmdb_id.eq(id),
            plex_discover_keys::rating_key.eq(key),
            plex_discover_keys::fetched_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Cached availability of (kind, id) and when it was fetched.
pub fn availability(
    conn: &mut SqliteConnection,
    kind: &str,
    id: i64,
) -> QueryResult<Option<(String, i64)>> {
    availability::table
        .find((kind, id))
        .select((availability::status, availability::fetched_at))
        .first(conn)
        .optional()
}

pub fn put_availability(
    conn: &mut impl super::Writable,
    kind: &str,
    id: i64,
    status: &str,
    now: i64,
) -> QueryResult<()> {
    put_availability_linked(conn, kind, id, status, None, now)
}

/// The same, with the title's Plex link when Overseerr gave one.
pub fn put_availability_linked(
    conn: &mut impl super::Writable,
    kind: &str,
    id: i64,
    status: &str,
    plex_url: Option<&str>,
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(availability::table)
        .values((
            availability::kind.eq(kind),
            availability::tmdb_id.eq(id),
            availability::status.eq(status),
            availability::fetched_at.eq(now),
            availability::plex_url.eq(plex_url),
        ))
        .execute(conn)
        .map(drop)
}

/// A cached title lookup: `Some(Some(id))` found, `Some(None)` TMDb has no such title.
pub fn title_lookup(
    conn: &mut SqliteConnection,
    kind: &str,
    title: &str,
    year: i32,
    fresh_after: i64,
) -> QueryResult<Option<Option<i64>>> {
    title_lookups::table
        .find((kind, title, year))
        .filter(title_lookups::fetched_at.gt(fresh_after))
        .select(title_lookups::tmdb_id)
        .first(conn)
        .optional()
}

pub fn put_title_lookup(
    conn: &mut impl super::Writable,
    kind: &str,
    title: &str,
    year: i32,
    id: Option<i64>,
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(title_lookups::table)
        .values((
            title_lookups::kind.eq(kind),
            title_lookups::title.eq(title),
            title_lookups::year.eq(year),
            title_lookups::tmdb_id.eq(id),
            title_lookups::fetched_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

pub fn tmdb_list(
    conn: &mut SqliteConnection,
    kind: &str,
    id: i64,
    list: &str,
    fresh_after: i64,
) -> QueryResult<Option<String>> {
    tmdb_lists::table
        .find((kind, id, list))
        .filter(tmdb_lists::fetched_at.gt(fresh_after))
        .select(tmdb_lists::json)
        .first(conn)
        .optional()
}

pub fn put_tmdb_list(
    conn: &mut impl super::Writable,
    kind: &str,
    id: i64,
    list: &str,
    json: &str,
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::replace_into(tmdb_lists::table)
        .values((
            tmdb_lists::kind.eq(kind),
            tmdb_lists::tmdb_id.eq(id),
            tmdb_lists::list.eq(list),
            tmdb_lists::json.eq(json),
            tmdb_lists::fetched_at.eq(now),
        ))
        .execute(conn)
        .map(drop)
}

/// Cached availability of many titles at once, with when each was fetched.
/// A cached availability, as the dashboard reads it.
#[derive(Debug, Clone, Queryable)]
pub struct CachedAvailability {
    pub kind: String,
    pub tmdb_id: i64,
    pub status: String,
    pub fetched_at: i64,
    pub plex_url: Option<String>,
}

pub fn availabilities(
    conn: &mut SqliteConnection,
    titles: &[(String, i64)],
) -> QueryResult<Vec<CachedAvailability>> {
    if titles.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = titles.iter().map(|(_, id)| *id).collect();
    let rows: Vec<CachedAvailability> = availability::table
        .filter(availability::tmdb_id.eq_any(ids))
        .select((
            availability::kind,
            availability::tmdb_id,
            availability::status,
            availability::fetched_at,
            availability::plex_url,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|a| {
            titles
                .iter()
                .any(|(k, id)| *k == a.kind && *id == a.tmdb_id)
        })
        .collect())
}
