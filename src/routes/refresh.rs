//! `POST /refresh` and `GET /refresh/status`: a user's own refresh and its progress.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::respond::see_other;
use super::respond::{html, render};
use crate::auth::session::CurrentUser;
use crate::db::{self, recommendations::Status};
use crate::engine::Trigger;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;
use crate::views::refresh_status::StatusFragment;

/// docs/http.md's `GET /refresh/status` body.
#[derive(Serialize)]
pub struct StatusJson {
    pub state: String,
    pub step: String,
    pub done: i32,
    pub total: i32,
    pub message: String,
    pub finished_at: Option<String>,
}

impl From<&Status> for StatusJson {
    fn from(s: &Status) -> Self {
        Self {
            state: s.state.as_str().to_owned(),
            step: s.step.clone(),
            done: s.done,
            total: s.total,
            message: s.message.clone(),
            finished_at: s
                .finished_at
                .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

pub async fn load_status(state: &AppState, user_id: i32) -> Result<Status, AppError> {
    db::run(&state.ctx.pool, move |conn| {
        Ok(db::recommendations::status(conn, user_id)?)
    })
    .await
    .map_err(AppError::from)
}

/// The status: the progress box for HTMX, JSON for anyone else (a JSON route).
fn answer(
    req: &HttpRequest,
    response: ResponseKind,
    status: Status,
) -> Result<HttpResponse, AppError> {
    if !response.is_fragment() {
        return Ok(HttpResponse::Ok().json(StatusJson::from(&status)));
    }
    let fragment = StatusFragment { status };
    let mut response = html(render(&fragment)?);
    // The box was polling a refresh that has now ended: the page reloads its rows.
    if req.query_string().contains("was=active")
        && !fragment.active()
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str("sagarr-refreshed")
    {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("hx-trigger"),
            value,
        );
    }
    Ok(response)
}

/// `POST /refresh`: queues the user's refresh (a no-op when one is already queued or running,
/// or when his last one ended less than `SAGARR_REFRESH_SPACING_SECONDS` ago: a click
/// repeated in a hurry joins the refresh it follows instead of paying for another AI call).
pub async fn start(
    req: HttpRequest,
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let last = load_status(&state, user.id).await?;
    let spacing = i64::try_from(state.ctx.config.refresh_spacing.as_secs()).unwrap_or(i64::MAX);
    let just_done = last
        .finished_at
        .is_some_and(|at| db::now() - at < spacing && !last.state.is_active());
    if just_done {
        tracing::info!(
            user_id = user.id,
            "a refresh asked again right after the last one: joined"
        );
    } else {
        state
            .queue
            .enqueue(&state.ctx.pool, user.id, Trigger::Manual)
            .await?;
    }
    if response == ResponseKind::Page {
        return Ok(see_other("/"));
    }
    answer(&req, response, load_status(&state, user.id).await?)
}

/// `GET /refresh/status`: JSON, or the progress fragment for HTMX.
pub async fn status(
    req: HttpRequest,
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    answer(&req, response, load_status(&state, user.id).await?)
}
