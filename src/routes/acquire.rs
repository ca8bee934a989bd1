//! The actions that reach out: Request (Overseerr, as the user), Watchlist (Plex Discover, with
//! the user's own token), and the live availability check.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::card_action::{
    ActionForm, MediaPath, cached_status, card_after, details, record_of, save, within_limit,
};
use super::respond::{back_to, back_with, html, render};
use crate::auth::session::CurrentUser;
use crate::db::{self, users::User};
use crate::domain::Availability;
use crate::domain::TitleId;
use crate::domain::Verdict;
use crate::engine::availability;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::integrations::overseerr::{RequestOutcome, TvPlan};
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;
use crate::state::AppState;
use crate::views::card::{Badge, badge_of};

/// The user's Overseerr id, mapping him now if the sign-in mapping has not (yet) found it.
async fn overseerr_user(
    state: &AppState,
    http: &awc::Client,
    user: &User,
) -> Result<i64, AppError> {
    if let Some(id) = user.overseerr_user_id {
        return Ok(id);
    }
    crate::mapping::map_user(state, http, user.id).await?;
    let user_id = user.id;
    let mapped = db::run(&state.ctx.pool, move |c| Ok(db::users::find(c, user_id)?)).await?;
    mapped.and_then(|u| u.overseerr_user_id).ok_or_else(|| {
        AppError::Upstream(UpstreamError::new(
            Service::Overseerr,
            UpstreamErrorKind::Refused(
                "your Plex account has no Overseerr user yet; ask the admin to import Plex users"
                    .into(),
            ),
        ))
    })
}

/// `POST /media/{kind}/{tmdb_id}/request`: requests the title in Overseerr as this user.
pub async fn request(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let known = within_limit(&state, &http, &user, kind, id).await?;
    let back = back_to(form.back.as_deref(), "/");
    let result = ask_overseerr(&state, &http, &user, kind, id).await;
    match result {
        Ok(outcome) => {
            let record = record_of(kind, id, Verdict::Requested, known.as_ref());
            let saved = save(&state, user.id, record).await?;
            let (note, status) = match &outcome {
                RequestOutcome::Requested => (
                    "Requested. You'll find it on Plex once it's ready.".to_owned(),
                    Availability::Requested,
                ),
                RequestOutcome::AlreadyRequested => (
                    "Already requested: it's on its way.".to_owned(),
                    Availability::Requested,
                ),
                RequestOutcome::NothingMissing(present) => (
                    present.message(),
                    if present.all_on_plex {
                        Availability::Available
                    } else {
                        Availability::Requested
                    },
                ),
            };
            let _ = availability::store(&state.ctx.pool, vec![(kind, id, status, None)]).await;
            if !response.is_fragment() {
                let message = format!("{}: {note}", saved.title);
                return Ok(back_with(&session, &back, true, message));
            }
            card_after(&state, &http, kind, id, status, &back, (true, note)).await
        }
        Err(error) => {
            failed(
                response,
                &state,
                &http,
                &user,
                TitleId(kind, id),
                &back,
                error,
            )
            .await
        }
    }
}

async fn ask_overseerr(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    kind: Kind,
    id: i64,
) -> Result<RequestOutcome, AppError> {
    let upstreams = state.ctx.upstreams().await?;
    let overseerr = upstreams
        .overseerr(http)
        .ok_or(UpstreamError::not_configured(Service::Overseerr))?;
    let seasons = match kind {
        Kind::Movie => Vec::new(),
        Kind::Tv => {
            // Overseerr drops seasons it already has but counts every asked one against the
            // user's TV quota: ask only for what is missing.
            let mut show = overseerr.tv_seasons(id).await?;
            if show.existing.is_empty() {
                show.existing = details(state, http, kind, id)
                    .await?
                    .seasons
                    .iter()
                    .map(|s| s.season_number)
                    .collect();
            }
            match show.plan() {
                TvPlan::Ask(seasons) => seasons,
                TvPlan::NothingMissing(present) => {
                    return Ok(RequestOutcome::NothingMissing(present));
                }
                TvPlan::NoSeasons => {
                    return Err(AppError::BadRequest(
                        "This show has no seasons to request yet.".to_owned(),
                    ));
                }
            }
        }
    };
    let as_user = overseerr_user(state, http, user).await?;
    match overseerr.request_media(kind, id, as_user, &seasons).await {
        // The Overseerr user he was mapped to is gone: map him afresh and try once more.
        Err(e) if e.kind == UpstreamErrorKind::UnknownUser => {
            tracing::info!(user = %user.username, "stale Overseerr mapping; mapping again");
            let user_id = user.id;
            db::write(&state.ctx.pool, db::Scope::User(user_id), move |c| {
                Ok(db::users::forget_overseerr_user(c, user_id)?)
            })
            .await?;
            let fresh = User {
                overseerr_user_id: None,
                ..user.clone()
            };
            let as_user = overseerr_user(state, http, &fresh).await?;
            Ok(overseerr.request_media(kind, id, as_user, &seasons).await?)
        }
        other => Ok(other?),
    }
}

/// `POST /media/{kind}/{tmdb_id}/watchlist`: adds the title to the user's own Plex watchlist.
pub async fn watchlist(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let known = within_limit(&state, &http, &user, kind, id).await?;
    let back = back_to(form.back.as_deref(), "/");
    match add_to_watchlist(&state, &http, &user, kind, id).await {
        Ok(()) => {
            let record = record_of(kind, id, Verdict::Watchlisted, known.as_ref());
            let saved = save(&state, user.id, record).await?;
            if !response.is_fragment() {
                let message = format!("Added {} to your Plex watchlist.", saved.title);
                return Ok(back_with(&session, &back, true, message));
            }
            let status = cached_status(&state, kind, id).await;
            card_after(
                &state,
                &http,
                kind,
                id,
                status,
                &back,
                (true, "On your Plex watchlist.".to_owned()),
            )
            .await
        }
        Err(error) => {
            failed(
                response,
                &state,
                &http,
                &user,
                TitleId(kind, id),
                &back,
                error,
            )
            .await
        }
    }
}

/// A request or watchlist add that failed: the card with the failure under it (502) for HTMX,
/// the error itself (a page, or JSON for a script) for anyone else. One branch for both.
async fn failed(
    response: ResponseKind,
    state: &AppState,
    http: &awc::Client,
    user: &User,
    TitleId(kind, id): TitleId,
    back: &str,
    error: AppError,
) -> Result<HttpResponse, AppError> {
    if !response.is_fragment() {
        return Err(error);
    }
    tracing::info!(%error, user = %user.username, "a card action failed");
    let status = cached_status(state, kind, id).await;
    card_after(
        state,
        http,
        kind,
        id,
        status,
        back,
        (false, error.to_string()),
    )
    .await
}

async fn add_to_watchlist(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    kind: Kind,
    id: i64,
) -> Result<(), AppError> {
    let user_id = user.id;
    let upstreams = state.ctx.upstreams().await?;
    let (token, cached_key) = db::run(&state.ctx.pool, move |c| {
        Ok((
            db::users::plex_token(c, user_id)?,
            db::cache::discover_key(c, kind, id)?,
        ))
    })
    .await?;
    let token = token.unwrap_or_default();
    let discover = upstreams.discover(http, token.expose());
    let rating_key = match cached_key {
        Some(key) => key,
        None => {
            let title = details(state, http, kind, id).await?;
            let key = discover
                .find_rating_key(kind, id, &title.title, title.year())
                .await?
                .ok_or_else(|| {
                    UpstreamError::new(Service::PlexDiscover, UpstreamErrorKind::NotFound)
                })?;
            let stored = key.clone();
            db::write(&state.ctx.pool, db::Scope::Unshown, move |c| {
                Ok(db::cache::put_discover_key(
                    c,
                    kind,
                    id,
                    &stored,
                    db::now(),
                )?)
            })
            .await?;
            key
        }
    };
    Ok(discover.add_to_watchlist(&rating_key).await?)
}

#[derive(Template)]
#[template(path = "partials/badge.html")]
struct BadgeFragment {
    badge: Badge,
}

/// `GET /media/{kind}/{tmdb_id}/status`: asks Overseerr (and caches the answer), at most once
/// a minute per title (`AppState::status_checks`); only a changed answer drops the cached
/// pages that show it.
pub async fn status(
    response: ResponseKind,
    _user: CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let cached = db::run(&state.ctx.pool, move |c| {
        Ok(db::cache::availability_linked(c, kind, id)?)
    })
    .await?;
    let checked_lately = !state.status_checks.first_in_window(&(kind, id));
    if checked_lately && let Some((stored, _, _)) = &cached {
        return status_answer(response, Availability::from_stored(stored));
    }
    let upstreams = state.ctx.upstreams().await?;
    let asked = match upstreams.overseerr(&http) {
        Some(overseerr) => overseerr.availability_and_link(kind, id).await,
        None => Err(UpstreamError::not_configured(Service::Overseerr)),
    };
    let status = match asked {
        Ok((status, link)) => {
            let _ = availability::store(&state.ctx.pool, vec![(kind, id, status, link)]).await;
            status
        }
        Err(error) => {
            tracing::debug!(%error, "availability unknown");
            Availability::Unknown
        }
    };
    status_answer(response, status)
}

/// The badge for HTMX, JSON for anyone else (a JSON route).
fn status_answer(response: ResponseKind, status: Availability) -> Result<HttpResponse, AppError> {
    if !response.is_fragment() {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status.as_str() })));
    }
    Ok(html(render(&BadgeFragment {
        badge: badge_of(status),
    })?))
}
