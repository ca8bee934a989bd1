//! A record per refresh run, for the admin page.

use diesel::prelude::*;

use super::schema::{refresh_runs, users};
use super::states::RunOutcome;

#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = refresh_runs)]
pub struct NewRun {
    pub user_id: i32,
    pub trigger: String,
    pub provider: String,
    pub model: String,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub proposed: i32,
    pub kept: i32,
    pub dropped_json: String,
    #[diesel(serialize_as = String)]
    pub outcome: RunOutcome,
    pub message: String,
    pub started_at: i64,
    pub finished_at: i64,
    /// Milliseconds spent waiting on the AI, every attempt included.
    pub ai_ms: i64,
    /// The taste fingerprint the rows were made from (`engine::fingerprint`); none when the
    /// run was incomplete, so the next night asks again (stored as an empty column).
    #[diesel(skip_insertion)]
    pub fingerprint: Option<String>,
    /// AI requests made, every attempt and fallback included.
    pub ai_calls: i32,
    /// Milliseconds the model thought before its answer's first word, every attempt included.
    pub ai_think_ms: i64,
    /// Ollama: the context (`num_ctx`) the last answer was asked within; 0 elsewhere.
    pub ai_context: i32,
}

pub fn insert(conn: &mut impl super::Writable, run: &NewRun) -> QueryResult<()> {
    let conn = conn.connection();
    let fingerprint = run.fingerprint.clone().unwrap_or_default();
    diesel::insert_into(refresh_runs::table)
        .values((run.clone(), refresh_runs::fingerprint.eq(fingerprint)))
        .execute(conn)
        .map(drop)
}

/// A run as the admin page lists it, with the user's name.
#[derive(Debug, Clone, Queryable)]
pub struct RunRow {
    pub username: String,
    pub trigger: String,
    pub provider: String,
    pub model: String,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub proposed: i32,
    pub kept: i32,
    pub dropped_json: String,
    #[diesel(deserialize_as = String)]
    pub outcome: RunOutcome,
    pub message: String,
    pub started_at: i64,
    pub finished_at: i64,
    pub ai_ms: i64,
    pub ai_think_ms: i64,
    pub ai_context: i32,
}

pub fn recent(conn: &mut SqliteConnection, limit: i64) -> QueryResult<Vec<RunRow>> {
    refresh_runs::table
        .inner_join(users::table)
        .order(refresh_runs::id.desc())
        .limit(limit)
        .select((
            users::username,
            refresh_runs::trigger,
            refresh_runs::provider,
            refresh_runs::model,
            refresh_runs::prompt_tokens,
            refresh_runs::completion_tokens,
            refresh_runs::proposed,
            refresh_runs::kept,
            refresh_runs::dropped_json,
            refresh_runs::outcome,
            refresh_runs::message,
            refresh_runs::started_at,
            refresh_runs::finished_at,
            refresh_runs::ai_ms,
            refresh_runs::ai_think_ms,
            refresh_runs::ai_context,
        ))
        .load(conn)
}

/// The user's last run that made his current rows (a failed run changes nothing): its
/// fingerprint (none when it kept none) and when it finished.
pub fn last_good(
    conn: &mut SqliteConnection,
    user_id: i32,
) -> QueryResult<Option<(Option<String>, i64)>> {
    let last: Option<(String, i64)> = refresh_runs::table
        .filter(refresh_runs::user_id.eq(user_id))
        .filter(refresh_runs::outcome.ne(RunOutcome::Failed.as_str()))
        // A group's AI call made the group's rows, not his.
        .filter(refresh_runs::trigger.ne("together"))
        .order(refresh_runs::id.desc())
        .select((refresh_runs::fingerprint, refresh_runs::finished_at))
        .first(conn)
        .optional()?;
    Ok(last.map(|(kept, at)| (Some(kept).filter(|k| !k.is_empty()), at)))
}

/// The AI's measured writing speed for (provider, model) over its last `runs` answers that
/// wrote anything: (completion tokens, milliseconds), summed. Providers report versioned
/// model names (`gpt-4o-mini-2024-07-18` for `gpt-4o-mini`), so the model is a prefix.
pub fn ai_speed(
    conn: &mut SqliteConnection,
    provider: &str,
    model: &str,
    runs: i64,
) -> QueryResult<Option<(i64, i64)>> {
    let recent: Vec<(i32, i64)> = refresh_runs::table
        .filter(refresh_runs::provider.eq(provider))
        .filter(refresh_runs::model.like(format!("{}%", model.replace(['%', '_'], ""))))
        .filter(refresh_runs::completion_tokens.gt(0))
        .filter(refresh_runs::ai_ms.gt(0))
        .order(refresh_runs::id.desc())
        .limit(runs)
        .select((refresh_runs::completion_tokens, refresh_runs::ai_ms))
        .load(conn)?;
    if recent.is_empty() {
        return Ok(None);
    }
    Ok(Some(recent.iter().fold((0, 0), |(t, ms), (rt, rms)| {
        (t + i64::from(*rt), ms + rms)
    })))
}

/// How the model behaved over its last `runs` answers: the average thinking time of those that
/// thought (milliseconds, and how many did), and the last answer's prompt tokens and context.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AiHabits {
    pub think_ms: i64,
    pub thought: usize,
    pub prompt_tokens: i64,
    pub context: i64,
}

pub fn ai_habits(
    conn: &mut SqliteConnection,
    provider: &str,
    model: &str,
    runs: i64,
) -> QueryResult<AiHabits> {
    let recent: Vec<(i64, i32, i32)> = refresh_runs::table
        .filter(refresh_runs::provider.eq(provider))
        .filter(refresh_runs::model.like(format!("{}%", model.replace(['%', '_'], ""))))
        .filter(refresh_runs::ai_calls.gt(0))
        .order(refresh_runs::id.desc())
        .limit(runs)
        .select((
            refresh_runs::ai_think_ms,
            refresh_runs::prompt_tokens,
            refresh_runs::ai_context,
        ))
        .load(conn)?;
    let thought: Vec<i64> = recent.iter().map(|r| r.0).filter(|ms| *ms > 0).collect();
    Ok(AiHabits {
        think_ms: thought.iter().sum::<i64>() / (thought.len().max(1) as i64),
        thought: thought.len(),
        prompt_tokens: recent.first().map_or(0, |r| i64::from(r.1)),
        context: recent.first().map_or(0, |r| i64::from(r.2)),
    })
}

/// Tokens (prompt and answer) the AI used in the runs that finished since `since`.
pub fn tokens_since(conn: &mut SqliteConnection, since: i64) -> QueryResult<i64> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    refresh_runs::table
        .filter(refresh_runs::finished_at.ge(since))
        .select(sql::<BigInt>(
            "COALESCE(SUM(prompt_tokens + completion_tokens), 0)",
        ))
        .get_result(conn)
}

/// Every run since `since` that used the AI: who, when it finished, its prompt and answer
/// tokens (the month's chart on the admin page).
pub fn usage_since(
    conn: &mut SqliteConnection,
    since: i64,
) -> QueryResult<Vec<(String, i64, i32, i32)>> {
    refresh_runs::table
        .inner_join(users::table)
        .filter(refresh_runs::finished_at.ge(since))
        .filter((refresh_runs::prompt_tokens + refresh_runs::completion_tokens).gt(0))
        .order(refresh_runs::finished_at.asc())
        .select((
            users::username,
            refresh_runs::finished_at,
            refresh_runs::prompt_tokens,
            refresh_runs::completion_tokens,
        ))
        .load(conn)
}

/// The average tokens (prompt and answer) of the last `runs` refreshes that asked the AI;
/// `None` before any did.
pub fn tokens_per_refresh(conn: &mut SqliteConnection, runs: i64) -> QueryResult<Option<i64>> {
    let recent: Vec<(i32, i32)> = refresh_runs::table
        .filter(refresh_runs::ai_calls.gt(0))
        .filter(refresh_runs::trigger.ne("together"))
        .order(refresh_runs::id.desc())
        .limit(runs)
        .select((refresh_runs::prompt_tokens, refresh_runs::completion_tokens))
        .load(conn)?;
    let sum: i64 = recent
        .iter()
        .map(|(p, c)| i64::from(*p) + i64::from(*c))
        .sum();
    Ok((!recent.is_empty()).then(|| sum / recent.len() as i64))
}

/// Totals since `since`: runs, failed runs, prompt and completion tokens, seconds spent.
pub fn totals(conn: &mut SqliteConnection, since: i64) -> QueryResult<(i64, i64, i64, i64, i64)> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::BigInt;
    refresh_runs::table
        .filter(refresh_runs::finished_at.ge(since))
        .select((
            count_star(),
            sql::<BigInt>("COALESCE(SUM(outcome = 'failed'), 0)"),
            sql::<BigInt>("COALESCE(SUM(prompt_tokens), 0)"),
            sql::<BigInt>("COALESCE(SUM(completion_tokens), 0)"),
            sql::<BigInt>("COALESCE(SUM(finished_at - started_at), 0)"),
        ))
        .first(conn)
}
