//! Maps a signed-in user to his Tautulli and Overseerr accounts, in the background after each
//! sign-in. Failures are recorded for the admin, never shown to the user as errors.

use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::integrations::upstreams::Upstreams;
use crate::integrations::{Service, UpstreamError};
use crate::state::AppState;

/// Spawns the mapping of `user_id` on the current actix worker (awc is not `Send`).
pub fn spawn(state: actix_web::web::Data<AppState>, user_id: i32) {
    actix_web::rt::spawn(async move {
        let http = crate::integrations::http_client();
        if let Err(error) = map_user(&state, &http, user_id).await {
            tracing::warn!(%error, user_id, "could not map a user to Tautulli and Overseerr");
        }
    });
}

/// Finds the user's Tautulli user id (the Plex account id, else by email, then username) and
/// Overseerr user id (by `plexId`), and stores them with what went wrong, if anything.
pub async fn map_user(state: &AppState, http: &awc::Client, user_id: i32) -> Result<(), AppError> {
    let (config, client_id) = (state.ctx.config.clone(), state.ctx.plex_client_id.clone());
    let (user, upstreams) = db::run(&state.ctx.pool, move |conn| {
        Ok((
            db::users::find(conn, user_id)?,
            Upstreams::load(conn, &config, &client_id)?,
        ))
    })
    .await?;
    let Some(user) = user else { return Ok(()) };
    let mut problems = Vec::new();

    let tautulli_users = match upstreams.tautulli(http) {
        Some(tautulli) => tautulli.users().await,
        None => Err(UpstreamError::not_configured(Service::Tautulli)),
    };
    let tautulli_id = match tautulli_users {
        Ok(users) => {
            let same = |a: &Option<String>, b: &Option<String>| {
                a.as_deref()
                    .zip(b.as_deref())
                    .is_some_and(|(a, b)| !a.is_empty() && a.eq_ignore_ascii_case(b))
            };
            let found = users
                .iter()
                .find(|u| u.user_id == Some(user.plex_id))
                .or_else(|| users.iter().find(|u| same(&u.email, &user.email)))
                .or_else(|| {
                    users
                        .iter()
                        .find(|u| same(&u.username, &Some(user.username.clone())))
                })
                .and_then(|u| u.user_id)
                .filter(|id| *id > 0);
            if found.is_none() {
                problems.push("Tautulli has no user with this Plex account".to_owned());
            }
            found
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };

    let overseerr_users = match upstreams.overseerr(http) {
        Some(overseerr) => overseerr.users().await,
        None => Err(UpstreamError::not_configured(Service::Overseerr)),
    };
    let overseerr_id = match overseerr_users {
        Ok(users) => {
            let found = users
                .iter()
                .find(|u| u.plex_id == Some(user.plex_id))
                .map(|u| u.id);
            if found.is_none() {
                problems.push("Overseerr has no user with this Plex account (import him under Users → Import Plex Users)".to_owned());
            }
            found
        }
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };

    let error = (!problems.is_empty()).then(|| problems.join("; "));
    store(&state.ctx.pool, user_id, tautulli_id, overseerr_id, error).await
}

async fn store(
    pool: &DbPool,
    user_id: i32,
    tautulli: Option<i64>,
    overseerr: Option<i64>,
    error: Option<String>,
) -> Result<(), AppError> {
    db::write(pool, db::Scope::User(user_id), move |conn| {
        Ok(db::users::set_mapping(
            conn,
            user_id,
            tautulli,
            overseerr,
            error.as_deref(),
        )?)
    })
    .await
    .map_err(AppError::from)
}
