//! `POST /admin/refresh`: refreshes every active user now; the answer is the runs table
//! (`views::admin_runs`).

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::respond::{Return, fragment_or_redirect, render};
use crate::auth::session::AdminUser;
use crate::engine::Trigger;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;
use crate::views::admin_runs;

/// `POST /admin/refresh`: refreshes every active user now.
pub async fn refresh_all(
    response: ResponseKind,
    _admin: AdminUser,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let queued = state
        .queue
        .enqueue_active(&state.ctx.pool, Trigger::Admin)
        .await?;
    let message = format!(
        "Queued {queued} user{} for a refresh.",
        if queued == 1 { "" } else { "s" }
    );
    fragment_or_redirect(
        response,
        &session,
        Return::admin("runs"),
        true,
        message,
        |message| {
            let state = &state;
            async move { render(&admin_runs::load(state, Some(message)).await?) }
        },
    )
    .await
}
