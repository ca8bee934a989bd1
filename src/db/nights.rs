//! One record per nightly run, for the admin page and for the next night's leftovers.

use diesel::prelude::*;

use super::schema::nights;

/// How a night ended, as `jobs::night` counts it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub refreshed: i32,
    pub skipped: i32,
    pub failed: i32,
    /// Users not started within the budget, in the order they were waiting.
    pub left: Vec<i32>,
    pub ai_calls: i32,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// A night as the admin page lists it.
#[derive(Debug, Clone, Queryable)]
pub struct Night {
    pub id: i32,
    pub trigger: String,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub interrupted: bool,
    pub budget_seconds: i64,
    pub refreshed: i32,
    pub skipped: i32,
    pub failed: i32,
    pub left_count: i32,
    pub left_user_ids: String,
    pub ai_calls: i32,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

impl Night {
    /// The users it left for the next night.
    pub fn left(&self) -> Vec<i32> {
        serde_json::from_str(&self.left_user_ids).unwrap_or_default()
    }
}

/// Records a night's start; returns its id.
pub fn start(
    conn: &mut impl super::Writable,
    trigger: &str,
    started_at: i64,
    budget_seconds: i64,
) -> QueryResult<i32> {
    let conn = conn.connection();
    diesel::insert_into(nights::table)
        .values((
            nights::trigger.eq(trigger),
            nights::started_at.eq(started_at),
            nights::updated_at.eq(started_at),
            nights::budget_seconds.eq(budget_seconds),
        ))
        .execute(conn)?;
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
        "last_insert_rowid()",
    ))
    .get_result(conn)
}

/// Records how the night `id` ended.
pub fn finish(
    conn: &mut impl super::Writable,
    id: i32,
    tally: &Tally,
    finished_at: i64,
) -> QueryResult<()> {
    let conn = conn.connection();
    record_counts(conn, id, tally, finished_at)?;
    diesel::update(nights::table.find(id))
        .set(nights::finished_at.eq(finished_at))
        .execute(conn)
        .map(drop)
}

/// Records what the night `id` has done so far, at `now`.
pub fn record_progress(
    conn: &mut impl super::Writable,
    id: i32,
    tally: &Tally,
    now: i64,
) -> QueryResult<()> {
    record_counts(conn.connection(), id, tally, now)
}

/// A night still open at start-up was cut short by a stop: it ends at its last update.
pub fn close_interrupted(conn: &mut impl super::Writable) -> QueryResult<usize> {
    diesel::update(nights::table.filter(nights::finished_at.is_null()))
        .set((
            nights::finished_at.eq(nights::updated_at.nullable()),
            nights::interrupted.eq(true),
        ))
        .execute(conn.connection())
}

fn record_counts(conn: &mut SqliteConnection, id: i32, tally: &Tally, now: i64) -> QueryResult<()> {
    let left = serde_json::to_string(&tally.left).unwrap_or_else(|_| "[]".to_owned());
    diesel::update(nights::table.find(id))
        .set((
            nights::updated_at.eq(now),
            nights::refreshed.eq(tally.refreshed),
            nights::skipped.eq(tally.skipped),
            nights::failed.eq(tally.failed),
            nights::left_count.eq(tally.left.len() as i32),
            nights::left_user_ids.eq(left),
            nights::ai_calls.eq(tally.ai_calls),
            nights::prompt_tokens.eq(tally.prompt_tokens),
            nights::completion_tokens.eq(tally.completion_tokens),
        ))
        .execute(conn)
        .map(drop)
}

/// The latest nights, newest first.
pub fn recent(conn: &mut SqliteConnection, limit: i64) -> QueryResult<Vec<Night>> {
    nights::table
        .order(nights::id.desc())
        .limit(limit)
        .load(conn)
}

/// Who the last night that ran to its end left for this one.
pub fn leftovers(conn: &mut SqliteConnection) -> QueryResult<Vec<i32>> {
    Ok(nights::table
        .filter(nights::finished_at.is_not_null())
        .filter(nights::interrupted.eq(false))
        .order(nights::id.desc())
        .first::<Night>(conn)
        .optional()?
        .map(|night| night.left())
        .unwrap_or_default())
}
