//! The user's own records (CONTRACT.md "Records"): ratings, skips, requests, watchlist adds.

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
