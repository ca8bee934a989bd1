//! Plex PIN sign-in (docs/http.md `/login`, `/auth/plex`, `/auth/plex/callback`, `/logout`).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::respond::{render, see_other};
use crate::auth::rules::{self, Access};
use crate::auth::session::{self, CurrentUser, PendingPin};
use crate::db::{self, states::RefreshState, users::SignedInAccount};
use crate::error::AppError;
use crate::integrations::plex::{self, Account};
use crate::integrations::upstreams::Upstreams;
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};
use crate::secrets::Secret;
use crate::state::AppState;

/// How long a strong PIN lives on plex.tv; past this we stop polling and say so.
const PIN_LIFETIME_SECONDS: i64 = 30 * 60;
/// How often the waiting page asks again.
const WAITING_REFRESH_SECONDS: u32 = 2;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    notice: Option<&'static str>,
    /// `sagarr demo` only: the demo users to sign in as with one click.
    demo_users: Vec<(i64, &'static str)>,
}

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    signed_out: Option<String>,
}

pub async fn login_page(
    user: Option<CurrentUser>,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    if user.is_some() {
        return Ok(see_other("/"));
    }
    let notice = query.signed_out.as_ref().map(|_| "You're signed out.");
    let demo_users = state
        .ctx
        .config
        .demo_accounts
        .iter()
        .map(|u| (u.plex_id, u.name))
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(render(&LoginPage { notice, demo_users })?))
}

#[derive(serde::Deserialize)]
pub struct DemoSignIn {
    user: String,
}

/// `POST /demo/sign-in` (registered by `sagarr demo` only): signs in as a demo user.
pub async fn demo_sign_in(
    state: web::Data<AppState>,
    session: Session,
    form: web::Form<DemoSignIn>,
) -> Result<HttpResponse, AppError> {
    let plex_id = form
        .user
        .parse::<i64>()
        .ok()
        .filter(|id| {
            state
                .ctx
                .config
                .demo_accounts
                .iter()
                .any(|u| u.plex_id == *id)
        })
        .ok_or_else(|| AppError::BadRequest("That is not one of the demo users.".to_owned()))?;
    let user = db::run(&state.ctx.pool, move |conn| {
        Ok(db::users::find_by_plex_id(conn, plex_id)?)
    })
    .await?
    .ok_or(AppError::NotFound)?;
    session::start(&session, &state.ctx.pool, user.id).await?;
    Ok(see_other("/"))
}

/// `GET /auth/plex`: asks plex.tv for a PIN and sends the browser to Plex's sign-in page.
pub async fn start(
    req: HttpRequest,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let client = state.origin_of(&req).client;
    if let Err(wait) = state.sign_in_limiter.attempt(&client) {
        tracing::warn!(%client, "sign-in flood refused");
        return Err(AppError::TooManyRequests(format!(
            "Too many sign-in attempts from your address. Try again in {wait} seconds."
        )));
    }
    let upstreams = state.ctx.plex_only();
    let plex = upstreams.plex_tv(&http);
    let pin = plex.create_pin().await?;
    session::set_pending_pin(
        &session,
        &PendingPin {
            id: pin.id,
            started_at: db::now(),
        },
    )?;
    let forward_url = format!("{}/auth/plex/callback", state.public_origin(&req));
    let target = plex::auth_url(
        &state.ctx.config.upstreams.plex_auth,
        &state.ctx.plex_client_id,
        &pin.code,
        &forward_url,
    );
    Ok(see_other(&target))
}

#[derive(Template)]
#[template(path = "waiting.html")]
struct WaitingPage {
    refresh_seconds: u32,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    title: &'static str,
    message: &'static str,
}

/// `GET /auth/plex/callback`: waits for plex.tv to confirm the PIN, then applies the sign-in
/// rules and starts a session.
pub async fn finish(
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let Some(pending) = session::pending_pin(&session) else {
        return notice(
            actix_web::http::StatusCode::BAD_REQUEST,
            "Start again",
            "This sign-in wasn't started in this browser, or it has already finished. Start again from the \
             sign-in page.",
        );
    };
    if db::now() - pending.started_at > PIN_LIFETIME_SECONDS {
        session::clear_pending_pin(&session);
        return expired();
    }

    let upstreams = state.ctx.plex_only();
    let plex = upstreams.plex_tv(&http);
    let pin = match plex.pin(pending.id).await {
        Ok(pin) => pin,
        Err(e) if e.kind == UpstreamErrorKind::NotFound => {
            session::clear_pending_pin(&session);
            return expired();
        }
        Err(e) => return Err(e.into()),
    };
    let Some(token) = pin.auth_token.filter(|t| !t.is_empty()) else {
        let page = WaitingPage {
            refresh_seconds: WAITING_REFRESH_SECONDS,
        };
        return Ok(HttpResponse::Ok()
            .insert_header(("Refresh", WAITING_REFRESH_SECONDS.to_string()))
            .content_type("text/html; charset=utf-8")
            .body(render(&page)?));
    };
    session::clear_pending_pin(&session);
    // A PIN signs in once: the same pre-login cookie replayed (after a logout, say) is refused.
    let pin_id = pending.id;
    let first_use = db::write(&state.ctx.pool, db::Scope::Unshown, move |conn| {
        Ok(db::sessions::use_pin(conn, pin_id, db::now())?)
    })
    .await?;
    if !first_use {
        tracing::info!("refused a replayed sign-in");
        return notice(
            actix_web::http::StatusCode::BAD_REQUEST,
            "Start again",
            "This sign-in has already finished. Start again from the sign-in page.",
        );
    }

    let account = plex.account(token.expose()).await?;
    let user = admit(&state, &http, &account, token).await?;
    tracing::info!(user = %user.username, role = %user.role, "signed in");
    session::start(&session, &state.ctx.pool, user.id).await?;
    crate::mapping::spawn(state.clone(), user.id);
    queue_first_refresh(&state, user.id).await;
    Ok(see_other("/"))
}

/// A user who has never had a refresh gets one now, so his first visit is not empty for long.
/// Nothing else runs because someone signed in.
async fn queue_first_refresh(state: &AppState, user_id: i32) {
    let never = db::run(&state.ctx.pool, move |conn| {
        let status = db::recommendations::status(conn, user_id)?;
        Ok(status.finished_at.is_none()
            && status.state == RefreshState::Idle
            && !db::recommendations::has_any(conn, user_id)?)
    })
    .await;
    if matches!(never, Ok(true))
        && let Err(error) = state
            .queue
            .enqueue(
                &state.ctx.pool,
                user_id,
                crate::engine::Trigger::FirstSignIn,
            )
            .await
    {
        tracing::warn!(%error, user_id, "could not queue the first refresh");
    }
}

/// Applies the sign-in rules and records the user, or refuses with a 403 that says why.
async fn admit(
    state: &AppState,
    http: &awc::Client,
    account: &Account,
    token: Secret,
) -> Result<db::users::User, AppError> {
    let signed_in = SignedInAccount {
        plex_id: account.id,
        username: account.display_name().to_owned(),
        email: account.email.clone().filter(|e| !e.is_empty()),
        avatar_url: account
            .thumb
            .clone()
            .filter(|t| t.starts_with("https://") || t.starts_with("http://")),
        plex_token: token,
    };
    let (config, client_id) = (state.ctx.config.clone(), state.ctx.plex_client_id.clone());
    let plex_id = account.id;
    let (any_admin, existing, upstreams) = db::run(&state.ctx.pool, move |conn| {
        Ok((
            db::users::any_admin(conn)?,
            db::users::find_by_plex_id(conn, plex_id)?,
            Upstreams::load(conn, &config, &client_id)?,
        ))
    })
    .await?;

    if !any_admin {
        if let Access::Refuse(message) =
            rules::on_fresh_install(state.ctx.config.admin.as_deref(), account)
        {
            return Err(AppError::Forbidden(message));
        }
        let claim = signed_in.clone();
        let claimed = db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
            Ok(db::users::claim_admin(conn, &claim, db::now())?)
        })
        .await?;
        if let Some(admin) = claimed {
            tracing::info!(user = %admin.username, "claimed admin on a fresh install");
            return Ok(admin);
        }
        // Someone else claimed admin a moment ago: fall through to the ordinary rules.
    }

    // The owner's restriction for this friend on plex.tv, when Tautulli lists him: it seeds
    // his rating limit unless the admin set one here.
    let mut plex_limit: Option<Option<&'static str>> = None;
    if !existing.as_ref().is_some_and(|u| u.is_admin()) {
        let client = upstreams.tautulli(http);
        let mut users = match &client {
            Some(client) => client.users().await,
            None => Err(UpstreamError::not_configured(Service::Tautulli)),
        };
        // Tautulli re-reads the shared users from plex.tv only every 12 hours: a friend invited
        // since is not listed yet. Ask it to look again before refusing (once a minute at most).
        let mut refresh_failed = false;
        if let Some(client) = &client
            && let Ok(listed) = &users
            && rules::for_non_admin(account, Ok(listed)) != Access::Admit
            && state.tautulli_users_refresh.try_take()
        {
            match client.refresh_users_list().await {
                Ok(()) => users = client.users().await,
                Err(error) => {
                    tracing::warn!(%error, "Tautulli could not refresh its users");
                    refresh_failed = true;
                }
            }
        }
        if let Err(error) = &users {
            tracing::warn!(%error, "cannot check a sign-in against Tautulli");
        }
        let access = match rules::for_non_admin(account, users.as_deref()) {
            Access::Refuse(_) if refresh_failed && users.is_ok() => {
                rules::unlisted_while_plex_unreachable(account)
            }
            access => access,
        };
        if let Access::Refuse(message) = access {
            tracing::info!(plex_id = account.id, "refused a sign-in");
            return Err(AppError::Forbidden(message));
        }
        plex_limit = users.as_ref().ok().and_then(|listed| {
            listed
                .iter()
                .find(|u| u.user_id == Some(account.id))
                .map(|u| u.plex_rating_limit())
        });
    }
    // A new Plex Home managed user starts with a rating limit; the admin can lift it.
    let starting_limit =
        (existing.is_none() && account.is_managed()).then_some(crate::ratings::MANAGED_USER_START);
    db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
        let user = db::users::record_sign_in(conn, &signed_in, db::now())?;
        if let Some(limit) = starting_limit {
            db::users::set_rating_limit_from(
                conn,
                user.id,
                Some(limit),
                db::users::LIMIT_PLEX_HOME,
            )?;
        }
        if let Some(limit) = plex_limit {
            db::users::follow_plex_limit(conn, user.plex_id, limit)?;
        }
        Ok(db::users::find(db::Writable::connection(conn), user.id)?.unwrap_or(user))
    })
    .await
    .map_err(AppError::from)
}

/// `POST /logout`: ends the session here and in the database.
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    session::end(&session, &state.ctx.pool).await?;
    Ok(see_other("/login?signed_out=1"))
}

fn expired() -> Result<HttpResponse, AppError> {
    notice(
        actix_web::http::StatusCode::GONE,
        "Sign-in expired",
        "The Plex sign-in took too long and expired. Start again; it only takes a moment.",
    )
}

fn notice(
    status: actix_web::http::StatusCode,
    title: &'static str,
    message: &'static str,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(render(&NoticePage { title, message })?))
}
