//! Server-side session records, so that logout and user removal end a session for good.

use diesel::prelude::*;

use super::schema::{sessions, users};
use super::users::User;

/// Stores a session (by the hash of its token) for `user_id`, and drops expired ones.
pub fn create(
    conn: &mut impl super::Writable,
    token_hash: &str,
    user_id: i32,
    now: i64,
    ttl: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(token_hash),
                sessions::user_id.eq(user_id),
                sessions::created_at.eq(now),
                sessions::expires_at.eq(now + ttl),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// The user behind a live session, if the session still exists and belongs to `user_id`.
pub fn user_of(
    conn: &mut SqliteConnection,
    token_hash: &str,
    user_id: i32,
    now: i64,
) -> QueryResult<Option<User>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(token_hash))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut impl super::Writable, token_hash: &str) -> QueryResult<usize> {
    let conn = conn.connection();

    diesel::delete(sessions::table.find(token_hash)).execute(conn)
}

/// Marks a confirmed Plex PIN as used; `false` when it already was (a replayed pre-login
/// cookie). PINs older than an hour are forgotten: plex.tv's live 30 minutes.
pub fn use_pin(conn: &mut impl super::Writable, pin_id: i64, now: i64) -> QueryResult<bool> {
    use super::schema::used_pins;
    let conn = conn.connection();
    diesel::delete(used_pins::table.filter(used_pins::used_at.lt(now - 3_600))).execute(conn)?;
    let inserted = diesel::insert_or_ignore_into(used_pins::table)
        .values((used_pins::pin_id.eq(pin_id), used_pins::used_at.eq(now)))
        .execute(conn)?;
    Ok(inserted == 1)
}
