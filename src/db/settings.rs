//! The key/value settings table: admin-page values and generated identifiers.

use diesel::prelude::*;

use super::schema::settings;

pub fn get(conn: &mut SqliteConnection, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .get_result(conn)
        .optional()
}

pub fn put(conn: &mut impl super::Writable, key: &str, value: &str, now: i64) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::insert_into(settings::table)
        .values((
            settings::key.eq(key),
            settings::value.eq(value),
            settings::updated_at.eq(now),
        ))
        .on_conflict(settings::key)
        .do_update()
        .set((settings::value.eq(value), settings::updated_at.eq(now)))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut impl super::Writable, key: &str) -> QueryResult<usize> {
    let conn = conn.connection();

    diesel::delete(settings::table.find(key)).execute(conn)
}

/// Returns the stored value for `key`, or stores the one `make` gives and returns it. Used for
/// identifiers generated once per install (the Plex client identifier).
pub fn get_or_create(
    conn: &mut impl super::Writable,
    key: &str,
    now: i64,
    make: impl FnOnce() -> String,
) -> QueryResult<String> {
    conn.write_transaction(|conn| {
        if let Some(value) = get(conn, key)? {
            return Ok(value);
        }
        let value = make();
        put(conn, key, &value, now)?;
        Ok(value)
    })
}
