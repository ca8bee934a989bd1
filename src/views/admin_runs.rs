//! The admin page's recent refresh runs with AI usage (`partials/admin_runs.html`).

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

#[derive(Template)]
#[template(path = "partials/admin_runs.html")]
pub struct RunsFragment {
    pub runs: Vec<RunView>,
    pub totals: Totals,
    pub runs_notice: Option<String>,
}

pub async fn load(state: &AppState, runs_notice: Option<String>) -> Result<RunsFragment, AppError> {
    let since = db::now() - 30 * 86_400;
    let (rows, totals) = db::run(&state.pool, move |conn| {
        Ok((db::runs::recent(conn, 20)?, db::runs::totals(conn, since)?))
    })
    .await?;
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
        runs,
        totals: Totals {
            runs: runs_count,
            failed,
            prompt_tokens,
            completion_tokens,
            seconds,
        },
        runs_notice,
    })
}
