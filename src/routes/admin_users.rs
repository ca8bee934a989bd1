//! The admin page's Users section: roles, mapping status, removal.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::respond::{format_time, html, render, see_other};
use crate::auth::session::{self, AdminUser};
use crate::db::{self, users::AdminChange};
use crate::error::AppError;
use crate::http::negotiate::wants_fragment;
use crate::state::AppState;

/// One user as the admin sees him.
pub struct UserRow {
    pub id: i32,
    pub username: String,
    pub is_admin: bool,
    pub is_me: bool,
    pub tautulli_mapped: bool,
    pub overseerr_mapped: bool,
    pub mapping_error: Option<String>,
    pub last_sign_in: String,
}

#[derive(Template)]
#[template(path = "partials/admin_users.html")]
struct UsersFragment {
    users: Vec<UserRow>,
    notice: Option<(bool, String)>,
}

pub async fn rows_for(state: &AppState, me: Option<i32>) -> Result<Vec<UserRow>, AppError> {
    let users = db::run(&state.pool, |conn| Ok(db::users::all(conn)?)).await?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            id: u.id,
            is_admin: u.is_admin(),
            is_me: me == Some(u.id),
            tautulli_mapped: u.tautulli_user_id.is_some(),
            overseerr_mapped: u.overseerr_user_id.is_some(),
            mapping_error: u.mapping_error,
            last_sign_in: format_time(u.last_login_at),
            username: u.username,
        })
        .collect())
}

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
    req: &HttpRequest,
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
    if wants_fragment(req) {
        let users = rows_for(state, Some(admin_id)).await?;
        return Ok(html(render(&UsersFragment {
            users,
            notice: Some((true, done)),
        })?));
    }
    session::set_flash(session, true, done, "users");
    Ok(see_other("/admin#users"))
}

/// `POST /admin/users/{id}/role`: `role=admin` or `role=user`.
pub async fn set_role(
    req: HttpRequest,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, AppError> {
    let id = user_id(&id)?;
    let role = match form.role.as_str() {
        "admin" => db::users::ADMIN,
        "user" => db::users::USER,
        other => {
            return Err(AppError::BadRequest(format!(
                "\"{other}\" is not a role: use admin or user."
            )));
        }
    };
    let outcome = db::run(&state.pool, move |conn| {
        Ok(db::users::set_role(conn, id, role)?)
    })
    .await?;
    answer(
        &req,
        &state,
        &session,
        admin.id,
        outcome,
        format!("Role changed to {role}."),
    )
    .await
}

/// `POST /admin/users/{id}/remove`: removes the user and ends his sessions.
pub async fn remove(
    req: HttpRequest,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = user_id(&id)?;
    let outcome = db::run(&state.pool, move |conn| Ok(db::users::remove(conn, id)?)).await?;
    if outcome == AdminChange::Done {
        tracing::info!(user_id = id, "user removed by an admin");
    }
    answer(
        &req,
        &state,
        &session,
        admin.id,
        outcome,
        "User removed; he can sign in again while the server is shared with him.".to_owned(),
    )
    .await
}
