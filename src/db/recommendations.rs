//! Each user's stored rows per tab, and where his refresh stands.

use diesel::prelude::*;

use super::schema::{recommendations, refresh_status, together_rows};
use super::states::{RefreshState, RunFor, RunOutcome};

/// Replaces all of a user's rows at once (the tabs not given are emptied): one transaction, so a
/// page view sees either the old rows or the new ones.
pub fn replace(
    conn: &mut impl super::Writable,
    user_id: i32,
    tabs: &[(&str, String)],
    now: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        diesel::delete(recommendations::table.filter(recommendations::user_id.eq(user_id)))
            .execute(conn)?;
        for (tab, json) in tabs {
            diesel::insert_into(recommendations::table)
                .values((
                    recommendations::user_id.eq(user_id),
                    recommendations::tab.eq(*tab),
                    recommendations::rows_json.eq(json),
                    recommendations::generated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The stored rows JSON of a tab and when it was made.
pub fn load(
    conn: &mut SqliteConnection,
    user_id: i32,
    tab: &str,
) -> QueryResult<Option<(String, i64)>> {
    recommendations::table
        .find((user_id, tab))
        .select((recommendations::rows_json, recommendations::generated_at))
        .get_result(conn)
        .optional()
}

/// When a tab's rows were stored, without reading them.
pub fn generated_at(
    conn: &mut SqliteConnection,
    user_id: i32,
    tab: &str,
) -> QueryResult<Option<i64>> {
    recommendations::table
        .find((user_id, tab))
        .select(recommendations::generated_at)
        .get_result(conn)
        .optional()
}

pub fn has_any(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        recommendations::table.filter(recommendations::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Where a user's refresh stands (docs/http.md `GET /refresh/status`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Status {
    #[serde(skip)]
    pub user_id: i32,
    pub state: RefreshState,
    pub step: String,
    pub done: i32,
    pub total: i32,
    pub message: String,
    #[serde(skip)]
    pub started_at: Option<i64>,
    #[serde(skip)]
    pub finished_at: Option<i64>,
    #[serde(skip)]
    pub last_success_at: Option<i64>,
    /// How the last finished run ended; `None` before the first.
    #[serde(skip)]
    pub last_outcome: Option<RunOutcome>,
    /// Whose run this is: his own refresh, or a group's AI call.
    #[serde(skip)]
    pub run_for: RunFor,
}

/// The stored row, as text.
#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_status)]
struct StatusRow {
    user_id: i32,
    state: String,
    step: String,
    done: i32,
    total: i32,
    message: String,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    last_success_at: Option<i64>,
    last_outcome: Option<String>,
    run_for: String,
}

impl From<StatusRow> for Status {
    fn from(row: StatusRow) -> Self {
        Self {
            user_id: row.user_id,
            state: row.state.into(),
            step: row.step,
            done: row.done,
            total: row.total,
            message: row.message,
            started_at: row.started_at,
            finished_at: row.finished_at,
            last_success_at: row.last_success_at,
            last_outcome: row.last_outcome.map(RunOutcome::from),
            run_for: row.run_for.into(),
        }
    }
}

pub fn status(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Status> {
    Ok(refresh_status::table
        .find(user_id)
        .select(StatusRow::as_select())
        .get_result(conn)
        .optional()?
        .map_or_else(
            || Status {
                user_id,
                ..Status::default()
            },
            Status::from,
        ))
}

fn upsert(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<()> {
    diesel::insert_or_ignore_into(refresh_status::table)
        .values(refresh_status::user_id.eq(user_id))
        .execute(conn)
        .map(drop)
}

/// Marks a run queued (a new run clears the last step and message).
pub fn set_queued(
    conn: &mut impl super::Writable,
    user_id: i32,
    run_for: RunFor,
) -> QueryResult<()> {
    let conn = conn.connection();
    upsert(conn, user_id)?;
    diesel::update(refresh_status::table.find(user_id))
        .set((
            refresh_status::state.eq(RefreshState::Queued.as_str()),
            refresh_status::step.eq("Waiting for its turn"),
            refresh_status::done.eq(0),
            refresh_status::total.eq(0),
            refresh_status::run_for.eq(run_for.as_str()),
        ))
        .execute(conn)
        .map(drop)
}

/// Marks the user's own refresh started, whatever state the last one left (a CLI run is never
/// queued).
pub fn set_running(conn: &mut impl super::Writable, user_id: i32, now: i64) -> QueryResult<()> {
    set_running_for(conn, user_id, now, RunFor::Own)
}

/// Marks a run started: his own refresh or a group's AI call.
pub fn set_running_for(
    conn: &mut impl super::Writable,
    user_id: i32,
    now: i64,
    run_for: RunFor,
) -> QueryResult<()> {
    let conn = conn.connection();
    upsert(conn, user_id)?;
    diesel::update(refresh_status::table.find(user_id))
        .set((
            refresh_status::state.eq(RefreshState::Running.as_str()),
            refresh_status::step.eq("Starting"),
            refresh_status::done.eq(0),
            refresh_status::total.eq(0),
            refresh_status::started_at.eq(now),
            refresh_status::run_for.eq(run_for.as_str()),
        ))
        .execute(conn)
        .map(drop)
}

/// Records progress: the run is running, at `step`, `done` of `total`. Only a queued or
/// running refresh moves; a finished one is never reopened.
pub fn set_progress(
    conn: &mut impl super::Writable,
    user_id: i32,
    step: &str,
    done: i32,
    total: i32,
) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::update(
        refresh_status::table
            .find(user_id)
            .filter(refresh_status::state.eq(RefreshState::Running.as_str())),
    )
    .set((
        refresh_status::state.eq(RefreshState::Running.as_str()),
        refresh_status::step.eq(step),
        refresh_status::done.eq(done),
        refresh_status::total.eq(total),
    ))
    .execute(conn)
    .map(drop)
}

/// Records how a run ended: `idle` after a success (rows or not), `failed` with the reason.
pub fn set_finished(
    conn: &mut impl super::Writable,
    user_id: i32,
    outcome: RunOutcome,
    message: &str,
    now: i64,
) -> QueryResult<()> {
    let success = outcome.succeeded();
    let conn = conn.connection();
    upsert(conn, user_id)?;
    let target = refresh_status::table.find(user_id);
    diesel::update(target)
        .set((
            refresh_status::state.eq(if success {
                RefreshState::Idle.as_str()
            } else {
                RefreshState::Failed.as_str()
            }),
            refresh_status::last_outcome.eq(outcome.as_str()),
            refresh_status::step.eq(""),
            refresh_status::message.eq(message),
            refresh_status::finished_at.eq(now),
        ))
        .execute(conn)?;
    if success {
        diesel::update(target)
            .set(refresh_status::last_success_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// At start-up: runs cut short by a stop or crash are marked failed, queued ones forgotten, so
/// nothing shows "running" forever.
pub fn reset_interrupted(conn: &mut impl super::Writable, now: i64) -> QueryResult<usize> {
    let conn = conn.connection();
    let failed = diesel::update(
        refresh_status::table.filter(refresh_status::state.eq(RefreshState::Running.as_str())),
    )
    .set((
        refresh_status::state.eq(RefreshState::Failed.as_str()),
        refresh_status::last_outcome.eq(RunOutcome::Failed.as_str()),
        refresh_status::step.eq(""),
        refresh_status::message
            .eq("The refresh was interrupted by a restart; the previous rows were kept."),
        refresh_status::finished_at.eq(now),
    ))
    .execute(conn)?;
    let forgotten = diesel::update(
        refresh_status::table.filter(refresh_status::state.eq(RefreshState::Queued.as_str())),
    )
    .set((
        refresh_status::state.eq(RefreshState::Idle.as_str()),
        refresh_status::step.eq(""),
    ))
    .execute(conn)?;
    Ok(failed + forgotten)
}

/// Everyone whose pages show any of `titles` (kind, id): the users whose stored rows hold one,
/// and the members of every group whose AI rows do. Matched in the stored JSON, where a card
/// starts `{"kind":"movie","tmdb_id":603,`.
pub fn holders(
    conn: &mut SqliteConnection,
    titles: &[(crate::media::Kind, i64)],
) -> QueryResult<std::collections::BTreeSet<i32>> {
    let mut users = std::collections::BTreeSet::new();
    for (kind, id) in titles {
        let pattern = format!("%\"kind\":\"{kind}\",\"tmdb_id\":{id},%");
        users.extend(
            recommendations::table
                .filter(recommendations::rows_json.like(&pattern))
                .select(recommendations::user_id)
                .load::<i32>(conn)?,
        );
        for members in together_rows::table
            .filter(together_rows::rows_json.like(&pattern))
            .select(together_rows::members)
            .load::<String>(conn)?
        {
            users.extend(members.split(',').filter_map(|m| m.parse::<i32>().ok()));
        }
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{self, states::RunFor};

    #[test]
    fn a_status_says_whose_run_it_shows() {
        let (_dir, pool, user_id) = db::users::test_pool_with_user();
        let mut conn = pool.get().unwrap();
        set_queued(&mut conn, user_id, RunFor::Group).unwrap();
        assert_eq!(status(&mut conn, user_id).unwrap().run_for, RunFor::Group);
        // His own refresh next, whatever its message says: his own.
        set_running(&mut conn, user_id, 2).unwrap();
        assert_eq!(status(&mut conn, user_id).unwrap().run_for, RunFor::Own);
        set_running_for(&mut conn, user_id, 3, RunFor::Group).unwrap();
        assert_eq!(status(&mut conn, user_id).unwrap().run_for, RunFor::Group);
    }
}
