//! Watch together's records (docs/recommendations.md "Watch together"): who said yes, what each
//! user's last refresh learned of his taste, and the AI's rows for a group.

use diesel::prelude::*;

use super::schema::{taste_profiles, together_rows, users};
use super::users::User;

/// Whether others may pick `user_id` on the Watch together page.
pub fn set_share(conn: &mut impl super::Writable, user_id: i32, share: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::share_together.eq(share))
        .execute(conn.connection())
        .map(drop)
}

/// Everyone but `user_id` who said yes, by name.
pub fn sharing_except(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::share_together.eq(true))
        .filter(users::id.ne(user_id))
        .order(users::username.asc())
        .select(User::as_select())
        .load(conn)
}

/// The users called `names` (exact Plex usernames), whoever they are: the caller checks consent.
pub fn named(conn: &mut SqliteConnection, names: &[String]) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::username.eq_any(names))
        .select(User::as_select())
        .load(conn)
}

/// A user's taste profile, as JSON (`engine::profile::TasteProfile`).
pub fn profile(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Option<String>> {
    taste_profiles::table
        .find(user_id)
        .select(taste_profiles::json)
        .get_result(conn)
        .optional()
}

pub fn put_profile(
    conn: &mut impl super::Writable,
    user_id: i32,
    json: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::replace_into(taste_profiles::table)
        .values((
            taste_profiles::user_id.eq(user_id),
            taste_profiles::json.eq(json),
            taste_profiles::updated_at.eq(now),
        ))
        .execute(conn.connection())
        .map(drop)
}

/// The key of a group: its user ids, sorted, joined by commas.
pub fn group_key(members: &[i32]) -> String {
    let mut ids = members.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

/// The AI's rows for a group (JSON of `engine::rows::Row`s), and when they were made.
pub fn group_rows(
    conn: &mut SqliteConnection,
    members: &[i32],
) -> QueryResult<Option<(String, i64)>> {
    together_rows::table
        .find(group_key(members))
        .select((together_rows::rows_json, together_rows::generated_at))
        .get_result(conn)
        .optional()
}

pub fn put_group_rows(
    conn: &mut impl super::Writable,
    members: &[i32],
    rows_json: &str,
    now: i64,
) -> QueryResult<()> {
    diesel::replace_into(together_rows::table)
        .values((
            together_rows::members.eq(group_key(members)),
            together_rows::rows_json.eq(rows_json),
            together_rows::generated_at.eq(now),
        ))
        .execute(conn.connection())
        .map(drop)
}
