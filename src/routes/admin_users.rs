//! The admin page's Users section: roles, mapping status, removal.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::respond::{Return, fragment_or_redirect, render};
use crate::auth::session::AdminUser;
use crate::db::{self, users::AdminChange};
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;
use crate::views::admin_users::{UsersFragment, rows_for};

#[derive(serde::Deserialize)]
pub struct RoleForm {
    role: String,
}

fn user_id(raw: &str) -> Result<i32, AppError> {
    raw.parse::<i32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::BadRequest(format!("\"{raw}\" is not a user id.")))
}

async fn answer(
    response: ResponseKind,
    state: &AppState,
    session: &Session,
    admin_id: i32,
    outcome: AdminChange,
    done: String,
) -> Result<HttpResponse, AppError> {
    match outcome {
        AdminChange::NoSuchUser => return Err(AppError::NotFound),
        AdminChange::WouldLeaveNoAdmin => {
            return Err(AppError::Conflict(
                "Sagarr needs at least one admin: make someone else admin first.".to_owned(),
            ));
        }
        AdminChange::Done => {}
    }
    fragment_or_redirect(
        response,
        session,
        Return::admin("users"),
        true,
        done,
        |done| async move {
            let users = rows_for(state, Some(admin_id)).await?;
            render(&UsersFragment {
                users,
                notice: Some((true, done)),
            })
        },
    )
    .await
}

/// `POST /admin/users/{id}/role`: `role=admin` or `role=user`.
pub async fn set_role(
    response: ResponseKind,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let id = user_id(&id)?;
    let role = crate::domain::Role::parse(&form.role).ok_or_else(|| {
        AppError::BadRequest(format!(
            "\"{}\" is not a role: use admin or user.",
            form.role
        ))
    })?;
    let outcome = db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
        Ok(db::users::set_role(conn, id, role)?)
    })
    .await?;
    answer(
        response,
        &state,
        &session,
        admin.id,
        outcome,
        format!("Role changed to {role}."),
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct RatingLimitForm {
    #[serde(default)]
    limit: String,
}

/// `POST /admin/users/{id}/rating-limit`: `limit=PG` (any of `ratings::LIMITS`) or empty for
/// none. Every list he sees obeys it from his next page view.
pub async fn set_rating_limit(
    response: ResponseKind,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RatingLimitForm>,
) -> Result<HttpResponse, AppError> {
    let id = user_id(&id)?;
    let limit = crate::ratings::parse_limit(&form.limit).map_err(AppError::BadRequest)?;
    let outcome = db::write(&state.ctx.pool, db::Scope::User(id), move |conn| {
        Ok(db::users::set_rating_limit(conn, id, limit)?)
    })
    .await?;
    let done = match limit {
        Some(limit) => format!("Rating limit set to {limit}."),
        None => "Rating limit removed.".to_owned(),
    };
    answer(response, &state, &session, admin.id, outcome, done).await
}

/// `POST /admin/users/{id}/remove`: removes the user and ends his sessions.
pub async fn remove(
    response: ResponseKind,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = user_id(&id)?;
    let outcome = db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
        Ok(db::users::remove(conn, id)?)
    })
    .await?;
    if outcome == AdminChange::Done {
        tracing::info!(user_id = id, "user removed by an admin");
    }
    answer(
        response,
        &state,
        &session,
        admin.id,
        outcome,
        "User removed; he can sign in again while the server is shared with him.".to_owned(),
    )
    .await
}
