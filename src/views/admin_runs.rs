//! The admin page's last nights and recent refresh runs with AI usage
//! (`partials/admin_runs.html`).

use askama::Template;

use super::format_time;
use crate::db;
use crate::error::AppError;
use crate::state::AppState;

/// One run as the admin reads it.
pub struct RunView {
    pub user: String,
    pub when: String,
    pub trigger: String,
    pub provider: String,
    pub tokens: String,
    pub seconds: i64,
    pub proposed: i32,
    pub kept: i32,
    pub dropped: String,
    pub ok: bool,
    pub message: String,
}

/// Totals over the last 30 days.
pub struct Totals {
    pub runs: i64,
    pub failed: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub seconds: i64,
}

/// One night as the admin reads it.
pub struct NightView {
    pub when: String,
    pub started_by: &'static str,
    pub refreshed: i32,
    pub skipped: i32,
    pub left: i32,
    pub failed: i32,
    pub ai_calls: i32,
    pub tokens: String,
    /// `1 h 12 min`, `40 s`, or `running`.
    pub time: String,
}

#[derive(Template)]
#[template(path = "partials/admin_runs.html")]
pub struct RunsFragment {
    pub nights: Vec<NightView>,
    /// Who the last night left for the next one, said in a sentence.
    pub leftovers: Option<String>,
    pub runs: Vec<RunView>,
    pub totals: Totals,
    pub runs_notice: Option<String>,
    /// What "Refresh everyone now" will use of the month's AI budget, said before it starts.
    pub refresh_estimate: Option<String>,
}

/// How long: `2 h 05 min`, `12 min`, `40 s`.
fn duration(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        s if s >= 3600 => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn night_view(night: &db::nights::Night) -> NightView {
    NightView {
        when: format_time(night.started_at),
        started_by: if night.trigger == "cli" {
            "sagarr refresh --nightly"
        } else {
            "the clock"
        },
        refreshed: night.refreshed,
        skipped: night.skipped,
        left: night.left_count,
        failed: night.failed,
        ai_calls: night.ai_calls,
        tokens: format!("{} + {}", night.prompt_tokens, night.completion_tokens),
        time: match night.finished_at {
            None => "running".to_owned(),
            Some(end) if night.interrupted => {
                format!(
                    "{}, cut short by a restart",
                    duration(end - night.started_at)
                )
            }
            Some(end) => duration(end - night.started_at),
        },
    }
}

/// "The night of … left 2 users when its 6 h budget ran out: a, b. They go first next night."
fn leftovers_sentence(night: &db::nights::Night, users: &[db::users::User]) -> Option<String> {
    let left = night.left();
    if night.finished_at.is_none() || night.interrupted || left.is_empty() {
        return None;
    }
    let names: Vec<&str> = left
        .iter()
        .filter_map(|id| users.iter().find(|u| u.id == *id))
        .map(|u| u.username.as_str())
        .collect();
    Some(format!(
        "The night of {} left {} user{} when its {} budget (SAGARR_NIGHTLY_HOURS) ran out: {}. They go first next night.",
        format_time(night.started_at),
        left.len(),
        if left.len() == 1 { "" } else { "s" },
        duration(night.budget_seconds),
        names.join(", ")
    ))
}

/// "Refreshing everyone now (3 users) will use about 12,000 tokens: 1% of this month's budget,
/// which has 1,980,000 left." `per_refresh`: tokens one refresh is expected to use.
fn refresh_estimate(users: usize, per_refresh: i64, used: i64, budget: Option<u64>) -> String {
    let tokens = per_refresh.saturating_mul(users as i64);
    let who = format!(
        "Refreshing everyone now ({users} user{}) will use about {} tokens",
        if users == 1 { "" } else { "s" },
        super::ai_usage::digits(tokens)
    );
    match budget.map(|b| i64::try_from(b).unwrap_or(i64::MAX)) {
        None => format!("{who} (no monthly budget set)."),
        Some(budget) => {
            let left = (budget - used).max(0);
            if tokens > left {
                format!(
                    "{who}, more than the {} left in this month's budget: those past it get rows from TMDb alone.",
                    super::ai_usage::digits(left)
                )
            } else {
                format!(
                    "{who}: {}% of this month's budget, which has {} left.",
                    (tokens * 100 + budget / 2) / budget.max(1),
                    super::ai_usage::digits(left)
                )
            }
        }
    }
}

pub async fn load(state: &AppState, runs_notice: Option<String>) -> Result<RunsFragment, AppError> {
    let since = db::now() - 30 * 86_400;
    let upstreams = state.ctx.upstreams().await?;
    let (rows_per_kind, items_per_row) = (
        state.ctx.config.rows_per_kind,
        state.ctx.config.items_per_row + crate::engine::RESERVE_PER_ROW,
    );
    let month_start = crate::engine::budget::month_start();
    let active_since = db::now() - db::users::ACTIVE_SECONDS;
    let (rows, totals, nights, users, (active, per_refresh, used)) =
        db::run(&state.ctx.pool, move |conn| {
            Ok((
                db::runs::recent(conn, 20)?,
                db::runs::totals(conn, since)?,
                db::nights::recent(conn, 7)?,
                db::users::all(conn)?,
                (
                    db::users::active_by_last_visit(conn, active_since)?.len(),
                    crate::engine::budget::per_refresh(conn, rows_per_kind, items_per_row)?,
                    db::runs::tokens_since(conn, month_start)?,
                ),
            ))
        })
        .await?;
    let refresh_estimate = (!upstreams.ai.is_empty())
        .then(|| refresh_estimate(active, per_refresh, used, upstreams.ai_budget));
    let leftovers = nights
        .iter()
        .find(|n| n.finished_at.is_some())
        .and_then(|night| leftovers_sentence(night, &users));
    let nights = nights.iter().map(night_view).collect();
    let runs = rows
        .into_iter()
        .map(|r| {
            let dropped: std::collections::BTreeMap<String, i64> =
                serde_json::from_str(&r.dropped_json).unwrap_or_default();
            RunView {
                user: r.username,
                when: format_time(r.finished_at),
                trigger: r.trigger.replace('_', " "),
                provider: if r.provider.is_empty() {
                    "TMDb only".to_owned()
                } else {
                    format!("{} {}", r.provider, r.model)
                },
                tokens: if r.prompt_tokens + r.completion_tokens == 0 {
                    "—".to_owned()
                } else {
                    format!("{} + {}", r.prompt_tokens, r.completion_tokens)
                },
                seconds: r.finished_at - r.started_at,
                proposed: r.proposed,
                kept: r.kept,
                dropped: dropped
                    .iter()
                    .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", "),
                ok: r.outcome.succeeded(),
                message: r.message,
            }
        })
        .collect();
    let (runs_count, failed, prompt_tokens, completion_tokens, seconds) = totals;
    Ok(RunsFragment {
        nights,
        leftovers,
        runs,
        totals: Totals {
            runs: runs_count,
            failed,
            prompt_tokens,
            completion_tokens,
            seconds,
        },
        runs_notice,
        refresh_estimate,
    })
}

#[cfg(test)]
mod tests {
    use super::{duration, refresh_estimate};

    #[test]
    fn refreshing_everyone_says_its_share_of_the_budget() {
        assert_eq!(
            refresh_estimate(3, 4_000, 20_000, Some(1_000_000)),
            "Refreshing everyone now (3 users) will use about 12,000 tokens: 1% of this month's budget, which has 980,000 left."
        );
        assert!(
            refresh_estimate(3, 4_000, 995_000, Some(1_000_000))
                .contains("more than the 5,000 left")
        );
        assert!(
            refresh_estimate(1, 4_000, 0, None).ends_with("4,000 tokens (no monthly budget set).")
        );
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(40), "40 s");
        assert_eq!(duration(12 * 60 + 5), "12 min");
        assert_eq!(duration(2 * 3600 + 5 * 60), "2 h 05 min");
    }
}
