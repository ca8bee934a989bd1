//! The user's own records (docs/http.md "Records"): ratings, skips, requests, watchlist adds;
//! the genres he is not interested in; and what they leave him eligible to be shown.

use diesel::prelude::*;

use super::schema::{hidden_genres, preferences, users};
use crate::domain::eligibility::Viewer;
use crate::domain::{Eligibility, TitleId, Verdict};
use crate::media::Kind;

/// A user's record of a title.
#[derive(Debug, Clone)]
pub struct Preference {
    pub id: i32,
    pub user_id: i32,
    pub kind: Kind,
    pub tmdb_id: i64,
    pub verdict: Verdict,
    pub title: String,
    pub year: Option<i32>,
    pub poster_path: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The stored row: the verdict as its (action, rating) pair.
#[derive(Queryable, Selectable)]
#[diesel(table_name = preferences)]
struct Row {
    id: i32,
    user_id: i32,
    kind: Kind,
    tmdb_id: i64,
    rating: i32,
    action: String,
    title: String,
    year: Option<i32>,
    poster_path: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Preference {
    type Error = diesel::result::Error;

    fn try_from(row: Row) -> Result<Self, Self::Error> {
        let verdict = Verdict::from_stored(&row.action, row.rating).ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("a record with action {:?}", row.action).into(),
            )
        })?;
        Ok(Self {
            id: row.id,
            user_id: row.user_id,
            kind: row.kind,
            tmdb_id: row.tmdb_id,
            verdict,
            title: row.title,
            year: row.year,
            poster_path: row.poster_path,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

fn typed(rows: Vec<Row>) -> QueryResult<Vec<Preference>> {
    rows.into_iter().map(Preference::try_from).collect()
}

pub fn all_for(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<Preference>> {
    preferences::table
        .filter(preferences::user_id.eq(user_id))
        .order(preferences::updated_at.desc())
        .select(Row::as_select())
        .load(conn)
        .and_then(typed)
}

/// What a record says about a title, with what the history page shows of it.
#[derive(Debug, Clone)]
pub struct NewPreference {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub verdict: Verdict,
    pub title: String,
    pub year: Option<i32>,
    pub poster_path: Option<String>,
}

/// Creates or changes the one record of (user, kind, tmdb_id). Written as a read and a plain
/// insert or replace, not as `INSERT … ON CONFLICT DO UPDATE`: diesel never keeps an upsert's
/// or an update's prepared statement, and SQLite compiling one on every rating was a third of
/// a rating's cost (docs/performance.md "Fragments"); these three statements are kept.
pub fn upsert(
    conn: &mut impl super::Writable,
    user_id: i32,
    p: &NewPreference,
    now: i64,
) -> QueryResult<Preference> {
    conn.connection().immediate_transaction(|conn| {
        let stored = match find(conn, user_id, p.kind, p.tmdb_id)? {
            Some(kept) => Preference {
                verdict: p.verdict,
                updated_at: now,
                ..kept
            },
            None => Preference {
                id: 0,
                user_id,
                kind: p.kind,
                tmdb_id: p.tmdb_id,
                verdict: p.verdict,
                title: p.title.clone(),
                year: p.year,
                poster_path: p.poster_path.clone(),
                created_at: now,
                updated_at: now,
            },
        };
        let values = (
            preferences::user_id.eq(user_id),
            preferences::kind.eq(stored.kind),
            preferences::tmdb_id.eq(stored.tmdb_id),
            preferences::rating.eq(stored.verdict.rating()),
            preferences::action.eq(stored.verdict.action()),
            preferences::title.eq(&stored.title),
            preferences::year.eq(stored.year),
            preferences::poster_path.eq(&stored.poster_path),
            preferences::created_at.eq(stored.created_at),
            preferences::updated_at.eq(stored.updated_at),
        );
        if stored.id == 0 {
            diesel::insert_into(preferences::table)
                .values(values)
                .execute(conn)?;
            find(conn, user_id, p.kind, p.tmdb_id)?.ok_or(diesel::result::Error::NotFound)
        } else {
            diesel::replace_into(preferences::table)
                .values((preferences::id.eq(stored.id), values))
                .execute(conn)?;
            Ok(stored)
        }
    })
}

pub fn find(
    conn: &mut SqliteConnection,
    user_id: i32,
    kind: Kind,
    tmdb_id: i64,
) -> QueryResult<Option<Preference>> {
    preferences::table
        .filter(preferences::user_id.eq(user_id))
        .filter(preferences::kind.eq(kind))
        .filter(preferences::tmdb_id.eq(tmdb_id))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Preference::try_from)
        .transpose()
}

pub fn delete(
    conn: &mut impl super::Writable,
    user_id: i32,
    kind: Kind,
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
        .select(Row::as_select())
        .load(conn)?;
    Ok((typed(rows)?, total))
}

/// What `user_id` may be shown, as stored: his rating limit, and the titles his records keep
/// off `viewer`'s rows. The one place an eligibility is read: his rows, his shelf and a group's
/// all start here (a run adds what he watched).
pub fn eligibility(
    conn: &mut SqliteConnection,
    user_id: i32,
    viewer: Viewer,
) -> QueryResult<Eligibility> {
    let limit = users::table
        .find(user_id)
        .select(users::rating_limit)
        .get_result::<Option<String>>(conn)
        .optional()?
        .flatten();
    let kept_out = preferences::table
        .filter(preferences::user_id.eq(user_id))
        .select((
            (preferences::kind, preferences::tmdb_id),
            preferences::action,
            preferences::rating,
        ))
        .load::<(TitleId, String, i32)>(conn)?
        .into_iter()
        .filter(|(_, action, rating)| {
            Verdict::from_stored(action, *rating).is_none_or(|v| viewer.keeps_out(v))
        })
        .map(|(title, _, _)| title)
        .collect::<Vec<_>>();
    Ok(Eligibility::new(limit, kept_out).hiding_genres(hidden_genres(conn, user_id)?))
}

/// The genres `user_id` is not interested in (TMDb id, name), by name.
pub fn hidden_genres(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<(i64, String)>> {
    hidden_genres::table
        .filter(hidden_genres::user_id.eq(user_id))
        .order((hidden_genres::name, hidden_genres::genre_id))
        .select((hidden_genres::genre_id, hidden_genres::name))
        .load(conn)
}

/// "Not interested in this genre": hides the genre `(id, name)` from his rows. Hiding it again
/// changes nothing.
pub fn hide_genre(
    conn: &mut impl super::Writable,
    user_id: i32,
    (genre_id, name): (i64, &str),
    now: i64,
) -> QueryResult<usize> {
    diesel::insert_into(hidden_genres::table)
        .values((
            hidden_genres::user_id.eq(user_id),
            hidden_genres::genre_id.eq(genre_id),
            hidden_genres::name.eq(name),
            hidden_genres::created_at.eq(now),
        ))
        .on_conflict((hidden_genres::user_id, hidden_genres::genre_id))
        .do_nothing()
        .execute(conn.connection())
}

/// Shows the genre again; its name when it was hidden, `None` when it was not.
pub fn show_genre(
    conn: &mut impl super::Writable,
    user_id: i32,
    genre_id: i64,
) -> QueryResult<Option<String>> {
    let conn = conn.connection();
    let mine = hidden_genres::table
        .filter(hidden_genres::user_id.eq(user_id))
        .filter(hidden_genres::genre_id.eq(genre_id));
    let name = mine
        .select(hidden_genres::name)
        .get_result(conn)
        .optional()?;
    diesel::delete(mine).execute(conn)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::users::{SignedInAccount, record_sign_in};

    fn someone() -> SignedInAccount {
        SignedInAccount {
            plex_id: 1,
            username: "someone".into(),
            email: None,
            avatar_url: None,
            plex_token: "token".to_owned().into(),
        }
    }

    #[test]
    fn a_second_record_of_a_title_changes_its_verdict_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("sagarr.db")).unwrap();
        let mut conn = pool.get().unwrap();
        let user = record_sign_in(&mut conn, &someone(), 1).unwrap();
        let record = |verdict, title: &str| NewPreference {
            kind: Kind::Movie,
            tmdb_id: 603,
            verdict,
            title: title.to_owned(),
            year: Some(1999),
            poster_path: None,
        };
        let first = upsert(
            &mut conn,
            user.id,
            &record(Verdict::Liked, "The Matrix"),
            10,
        )
        .unwrap();
        assert_eq!((first.verdict, first.created_at), (Verdict::Liked, 10));
        let second = upsert(&mut conn, user.id, &record(Verdict::Skipped, "Matrix"), 20).unwrap();
        assert_eq!(second.id, first.id, "the same record");
        assert_eq!(second.verdict, Verdict::Skipped);
        assert_eq!((second.created_at, second.updated_at), (10, 20));
        assert_eq!(second.title, "The Matrix", "what it was first recorded as");
        let stored = all_for(&mut conn, user.id).unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(
            (stored[0].id, stored[0].verdict, stored[0].updated_at),
            (first.id, Verdict::Skipped, 20)
        );
    }

    #[actix_web::test]
    async fn records_in_flight_together_are_followed_up_in_the_order_they_committed() {
        use std::sync::{Arc, Mutex};
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("sagarr.db")).unwrap();
        let user_id = record_sign_in(&mut pool.get().unwrap(), &someone(), 1)
            .unwrap()
            .id;
        let steps = Arc::new(Mutex::new(Vec::new()));
        let writes = (1..=32).map(|tmdb_id| {
            let (pool, steps) = (&pool, steps.clone());
            async move {
                let record = NewPreference {
                    kind: Kind::Movie,
                    tmdb_id,
                    verdict: Verdict::Liked,
                    title: format!("Title {tmdb_id}"),
                    year: None,
                    poster_path: None,
                };
                crate::db::write_records(
                    pool,
                    user_id,
                    move |c| Ok(upsert(c, user_id, &record, 1)?),
                    move |step| steps.lock().unwrap().push(step),
                )
                .await
                .unwrap()
            }
        });
        futures_util::future::join_all(writes).await;
        let steps = steps.lock().unwrap();
        assert_eq!(steps.len(), 32);
        // Each follow-up (the patch of the kept tabs) finds what the one before it left.
        for pair in steps.windows(2) {
            assert_eq!(pair[1].before, pair[0].after, "{steps:?}");
        }
    }
}
