//! Queries for the shared caches: TMDb details, Tautulli rating keys, Discover keys, availability.

use diesel::prelude::*;

use crate::domain::TitleId;
use crate::media::Kind;

use super::schema::{
    availability, plex_discover_keys, tautulli_metadata, title_lookups, tmdb_details, tmdb_lists,
};

/// Cached TMDb details JSON of (kind, id) fetched after `fresh_after`.
pub fn tmdb_details(
    conn: &mut SqliteConnection,
    kind: Kind,
    id: i64,
    fresh_after: i64,
) -> QueryResult<Option<String>> {
    tmdb_details::table
        .find((kind, id))
        .filter(tmdb_details::fetched_at.gt(fresh_after))
        .select(tmdb_details::json)
        .get_result(conn)
        .optional()
}

pub fn put_tmdb_details(
    conn: &mut impl super::Writable,
    kind: Kind,
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

/// Keeps only the `kept` newest details rows holding `marker` (ids TMDb does not know).
pub fn forget_missing_beyond(
    conn: &mut impl super::Writable,
    marker: &str,
    kept: i64,
) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Text};
    diesel::sql_query(
        "DELETE FROM tmdb_details WHERE json = ?1 AND rowid NOT IN \
         (SELECT rowid FROM tmdb_details WHERE json = ?1 ORDER BY fetched_at DESC LIMIT ?2)",
    )
    .bind::<Text, _>(marker)
    .bind::<BigInt, _>(kept)
    .execute(conn.connection())
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
        .get_result(conn)
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
    kind: Kind,
    id: i64,
) -> QueryResult<Option<String>> {
    plex_discover_keys::table
        .find((kind, id))
        .select(plex_discover_keys::rating_key)
        .get_result(conn)
        .optional()
}

pub fn put_discover_key(
    conn: &mut impl super::Writable,
    kind: Kind,
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
    kind: Kind,
    id: i64,
) -> QueryResult<Option<(String, i64)>> {
    availability::table
        .find((kind, id))
        .select((availability::status, availability::fetched_at))
        .get_result(conn)
        .optional()
}

/// Cached availability of (kind, id), its Plex link, and when it was fetched.
pub fn availability_linked(
    conn: &mut SqliteConnection,
    kind: Kind,
    id: i64,
) -> QueryResult<Option<(String, Option<String>, i64)>> {
    availability::table
        .find((kind, id))
        .select((
            availability::status,
            availability::plex_url,
            availability::fetched_at,
        ))
        .get_result(conn)
        .optional()
}

pub fn put_availability(
    conn: &mut impl super::Writable,
    kind: Kind,
    id: i64,
    status: &str,
    now: i64,
) -> QueryResult<()> {
    put_availability_linked(conn, kind, id, status, None, now)
}

/// The same, with the title's Plex link when Overseerr gave one.
pub fn put_availability_linked(
    conn: &mut impl super::Writable,
    kind: Kind,
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
    kind: Kind,
    title: &str,
    year: i32,
    fresh_after: i64,
) -> QueryResult<Option<Option<i64>>> {
    title_lookups::table
        .find((kind, title, year))
        .filter(title_lookups::fetched_at.gt(fresh_after))
        .select(title_lookups::tmdb_id)
        .get_result(conn)
        .optional()
}

pub fn put_title_lookup(
    conn: &mut impl super::Writable,
    kind: Kind,
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
    kind: Kind,
    id: i64,
    list: &str,
    fresh_after: i64,
) -> QueryResult<Option<String>> {
    tmdb_lists::table
        .find((kind, id, list))
        .filter(tmdb_lists::fetched_at.gt(fresh_after))
        .select(tmdb_lists::json)
        .get_result(conn)
        .optional()
}

pub fn put_tmdb_list(
    conn: &mut impl super::Writable,
    kind: Kind,
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
    pub kind: Kind,
    pub tmdb_id: i64,
    pub status: String,
    pub fetched_at: i64,
    pub plex_url: Option<String>,
}

pub fn availabilities(
    conn: &mut SqliteConnection,
    titles: &[TitleId],
) -> QueryResult<Vec<CachedAvailability>> {
    if titles.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = titles.iter().map(|TitleId(_, id)| *id).collect();
    let rows: Vec<CachedAvailability> = availability::table
        .filter(TmdbIdIn::new(&ids))
        .select((
            availability::kind,
            availability::tmdb_id,
            availability::status,
            availability::fetched_at,
            availability::plex_url,
        ))
        .load(conn)?;
    // The ids matched; keep the rows of the asked kinds (a movie and a show may share an id).
    let asked: std::collections::HashSet<&TitleId> = titles.iter().collect();
    Ok(rows
        .into_iter()
        .filter(|a| asked.contains(&TitleId(a.kind, a.tmdb_id)))
        .collect())
}

/// `availability.tmdb_id IN (…)` with the ids as one bound JSON array. Diesel's `eq_any` writes
/// one placeholder per id, so its SQL changes with the count and SQLite prepares it again on
/// every dashboard build; this SQL never changes, so the prepared statement is reused.
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
struct TmdbIdIn {
    ids_json: String,
}

impl TmdbIdIn {
    fn new(ids: &[i64]) -> Self {
        Self {
            ids_json: serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned()),
        }
    }
}

impl diesel::expression::Expression for TmdbIdIn {
    type SqlType = diesel::sql_types::Bool;
}

impl diesel::expression::AppearsOnTable<availability::table> for TmdbIdIn {}

impl diesel::expression::ValidGrouping<()> for TmdbIdIn {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for TmdbIdIn {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        out.push_sql("`availability`.`tmdb_id` IN (SELECT value FROM json_each(");
        out.push_bind_param::<diesel::sql_types::Text, _>(&self.ids_json)?;
        out.push_sql("))");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availabilities_are_read_for_exactly_the_titles_asked() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("sagarr.db")).unwrap();
        let mut conn = pool.get().unwrap();
        for (kind, id, status) in [
            ("movie", 603, "available"),
            ("tv", 603, "missing"),
            ("movie", 27205, "requested"),
        ] {
            put_availability(&mut conn, Kind::parse(kind).unwrap(), id, status, 1).unwrap();
        }
        let mut found = |titles: &[(&str, i64)]| {
            let titles: Vec<TitleId> = titles
                .iter()
                .filter_map(|(k, id)| Some(TitleId(Kind::parse(k)?, *id)))
                .collect();
            let mut found: Vec<(String, i64, String)> = availabilities(&mut conn, &titles)
                .unwrap()
                .into_iter()
                .map(|a| (a.kind.as_str().to_owned(), a.tmdb_id, a.status))
                .collect();
            found.sort();
            found
        };
        assert_eq!(
            found(&[("movie", 603), ("movie", 27205), ("movie", 1)]),
            [
                ("movie".to_owned(), 603, "available".to_owned()),
                ("movie".to_owned(), 27205, "requested".to_owned())
            ]
        );
        assert_eq!(
            found(&[("tv", 603)]),
            [("tv".to_owned(), 603, "missing".to_owned())]
        );
        assert!(found(&[]).is_empty());
        // Asked again with another count: the same statement answers.
        assert_eq!(found(&[("movie", 27205)]).len(), 1);
    }
}
