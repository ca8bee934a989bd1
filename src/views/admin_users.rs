//! The admin page's Users table (`partials/admin_users.html`), read from the database.

use askama::Template;

use super::format_time;
use crate::db;
use crate::error::AppError;
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
    /// Empty: no limit.
    pub rating_limit: String,
    /// Where the limit came from, for the admin: "from Plex", "set here", "Plex Home"; empty
    /// without a limit from anywhere.
    pub limit_source: &'static str,
}

impl UserRow {
    /// The limits the select offers, lowest first.
    pub fn limits(&self) -> &'static [&'static str] {
        crate::ratings::LIMITS
    }
}

#[derive(Template)]
#[template(path = "partials/admin_users.html")]
pub struct UsersFragment {
    pub users: Vec<UserRow>,
    pub notice: Option<(bool, String)>,
}

pub async fn rows_for(state: &AppState, me: Option<i32>) -> Result<Vec<UserRow>, AppError> {
    let users = db::run(&state.ctx.pool, |conn| Ok(db::users::all(conn)?)).await?;
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
            limit_source: match u.rating_limit_source.as_str() {
                db::users::LIMIT_FROM_PLEX => "from Plex",
                db::users::LIMIT_PLEX_HOME => "Plex Home",
                db::users::LIMIT_SET_HERE if u.rating_limit.is_some() => "set here",
                _ => "",
            },
            rating_limit: u.rating_limit.unwrap_or_default(),
            username: u.username,
        })
        .collect())
}
