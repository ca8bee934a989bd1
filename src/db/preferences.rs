//! The user's own records (docs/http.md "Records"): ratings, skips, requests, watchlist adds.

use diesel::prelude::*;

use super::schema::preferences;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = preferences)]
pub struct Preference {
    pub id: i32,
    pub user_id: i32,
    pub kind: String,
    pub tmdb_id: i64,
    pub rating: i32,
    pub action: String,
    pub title: String,
    pub year: Option<i32>,
    pub poster_path: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub fn all_for(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<Preference>> {
    preferences::table
        .filter(preferences::user_id.eq(user_id))
        .order(preferences::updated_at.desc())
        .select(Preference::as_select())
        .load(conn)
}

/// What a record says about a title, with what the history page shows of it.
#[derive(Debug, Clone)]
pub struct NewPreference {
    pub kind: String,
    pub tmdb_id: i64,
    pub rating: i32,
    pub action: String,
    pub title: String,
    pub year: Option<i32>,
    pub poster_path: Option<String>,
}

/// Creates or changes the one record of (user, kind, tmdb_id).
pub fn upsert(
    conn: &mut impl super::Writable,
    user_id: i32,
    p: &NewPreference,
    now: i64,
) -> QueryResult<Preference> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        diesel::insert_into(preferences::table)
            .values((
                preferences::user_id.eq(user_id),
                preferences::kind.eq(&p.kind),
                preferences::tmdb_id.eq(p.tmdb_id),
                preferences::rating.eq(p.rating),
                preferences::action.eq(&p.action),
                preferences::title.eq(&p.title),
                preferences::year.eq(p.year),
                preferences::poster_path.eq(&p.poster_path),
                preferences::created_at.eq(now),
                preferences::updated_at.eq(now),
            ))
            .on_conflict((
                preferences::user_id,
                preferences::kind,
                preferences::tmdb_id,
            ))
            .do_update()
            .set((
                preferences::rating.eq(p.rating),
                preferences::action.eq(&p.action),
                preferences::updated_at.eq(now),
            ))
            .execute(conn)?;
        preferences::table
            .filter(preferences::user_id.eq(user_id))
            .filter(preferences::kind.eq(&p.kind))
            .filter(preferences::tmdb_id.eq(p.tmdb_id))
            .select(Preference::as_select())
            .get_result(conn)
    })
}

pub fn find(
    conn: &mut SqliteConnection,
    user_id: i32,
    kind: &str,
    tmdb_id: i64,
) -> QueryResult<Option<Preference>> {
    preferences::table
        .filter(preferences::user_id.eq(user_id))
        .filter(preferences::kind.eq(kind))
        .filter(preferences::tmdb_id.eq(tmdb_id))
        .select(Preference::as_select())
        .get_result(conn)
        .optional()
}

pub fn delete(
    conn: &mut impl super::Writable,
    user_id: i32,
    kind: &str,
    tmdb_id: i64,
) -> QueryResult<usize> {
    let conn = conn.connection();
    diesel::delete(
        preferences::table
            .filter(preferences::user_id.eq(user_id))
            .filter(preferences::kind.eq(kind))
            .filter(preferences::tmdb_id.eq(tmdb_id)),
    )
    .execute(conn)
}

/// One page of the user's records, newest first, and how many there are in all.
pub fn page(
    conn: &mut SqliteConnection,
    user_id: i32,
    page: i64,
    per_page: i64,
) -> QueryResult<(Vec<Preference>, i64)> {
    let total = preferences::table
        .filter(preferences::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    let rows = preferences::table
        .filter(preferences::user_id.eq(user_id))
        .order((preferences::updated_at.desc(), preferences::id.desc()))
        .offset((page - 1) * per_page)
        .limit(per_page)
        .select(Preference::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The (kind, tmdb_id) of every record of the user: titles no longer to show.
pub fn acted_on(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<(String, i64)>> {
    preferences::table
        .filter(preferences::user_id.eq(user_id))
        .select((preferences::kind, preferences::tmdb_id))
        .load(conn)
}
