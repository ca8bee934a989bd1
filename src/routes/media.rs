//! The card actions (CONTRACT.md `/media/{kind}/{tmdb_id}/…`): rate, undo, skip, request,
//! watchlist, status. HTMX gets the fragment to swap; a plain form gets a 303 back.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::admin::{html, render};
use super::dashboard::CardView;
use super::history::HistoryRowFragment;
use super::sign_in::see_other;
use crate::auth::session::{self, CurrentUser};
use crate::catalog;
use crate::db::{self, preferences::NewPreference, users::User};
use crate::engine::rows::Card;
use crate::error::AppError;
use crate::http::negotiate::{ResponseKind, wants_fragment};
use crate::integrations::discover::Discover;
use crate::integrations::overseerr::{Availability, Overseerr, RequestOutcome, seasons_to_request};
use crate::integrations::tmdb::{Details, Tmdb};
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind, http_client};
use crate::media::Kind;
use crate::settings::{Endpoint, Section, TmdbSettings};
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct MediaPath {
    kind: String,
    tmdb_id: String,
}

impl MediaPath {
    /// The title addressed, or a 400 that says what is wrong with the address.
    fn parse(&self) -> Result<(Kind, i64), AppError> {
        let kind = Kind::parse(&self.kind).ok_or_else(|| {
            AppError::BadRequest(format!("\"{}\" is not a kind: use movie or tv.", self.kind))
        })?;
        let id = self
            .tmdb_id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| {
                AppError::BadRequest(format!(
                    "\"{}\" is not a TMDb id: it must be a positive whole number.",
                    self.tmdb_id
                ))
            })?;
        Ok((kind, id))
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    back: Option<String>,
    #[serde(default)]
    rating: Option<String>,
}

/// Leaves a one-time message for the page a form without JavaScript returns to, and sends
/// the browser there.
fn back_with(session: &Session, back: &str, ok: bool, message: String) -> HttpResponse {
    let anchor = if back.starts_with("/history") {
        "history"
    } else {
        "dashboard"
    };
    session::set_flash(session, ok, message, anchor);
    see_other(back)
}

/// Where a form without JavaScript returns: a path on this site, never elsewhere.
fn back_to(form: &ActionForm, default: &str) -> String {
    match form.back.as_deref() {
        Some(back)
            if back.starts_with('/')
                && !back.starts_with("//")
                && !back.contains('\\')
                && back.len() < 200 =>
        {
            back.to_owned()
        }
        _ => default.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "partials/card.html")]
struct CardFragment {
    card: CardView,
}

#[derive(Template)]
#[template(path = "partials/card_done.html")]
struct CardDone {
    dom_id: String,
    title: String,
    message: String,
}

fn tmdb<'a>(state: &'a AppState, http: &'a awc::Client, key: &'a str) -> Tmdb<'a> {
    Tmdb {
        http,
        base: &state.config.upstreams.tmdb_api,
        key,
        timeout: state.config.upstream_timeout,
    }
}

/// The title's details, from the cache or TMDb.
async fn details(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
) -> Result<Details, AppError> {
    let env = state.config.env_integrations.clone();
    let key = db::run(&state.pool, move |c| {
        Ok(TmdbSettings::load(c, &env)?.api_key)
    })
    .await?;
    catalog::details(&state.pool, &tmdb(state, http, &key), kind, id).await
}

/// What the history page shows of a title. A rating never fails because TMDb is down: the
/// record then carries the kind and id until the title is known.
async fn record_of(
    state: &AppState,
    kind: Kind,
    id: i64,
    rating: i32,
    action: &str,
) -> NewPreference {
    let known = details(state, &http_client(), kind, id).await.ok();
    NewPreference {
        kind: kind.as_str().to_owned(),
        tmdb_id: id,
        rating,
        action: action.to_owned(),
        title: known
            .as_ref()
            .map_or_else(|| format!("{kind} {id}"), |d| d.title.clone()),
        year: known.as_ref().and_then(Details::year),
        poster_path: known.and_then(|d| d.poster_path),
    }
}

async fn save(
    state: &AppState,
    user_id: i32,
    record: NewPreference,
) -> Result<db::preferences::Preference, AppError> {
    db::run(&state.pool, move |c| {
        Ok(db::preferences::upsert(c, user_id, &record, db::now())?)
    })
    .await
}

fn done(kind: Kind, id: i64, title: &str, message: String) -> Result<HttpResponse, AppError> {
    let dom_id = format!("card-{kind}-{id}");
    Ok(html(render(&CardDone {
        dom_id,
        title: title.to_owned(),
        message,
    })?))
}

/// `POST /media/{kind}/{tmdb_id}/rate`: `rating=1` (liked) or `rating=-1` (disliked).
pub async fn rate(
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let rating = match form.rating.as_deref() {
        Some("1") => 1,
        Some("-1") => -1,
        _ => {
            return Err(AppError::BadRequest(
                "rating must be 1 (liked) or -1 (disliked).".to_owned(),
            ));
        }
    };
    let saved = save(
        &state,
        user.id,
        record_of(&state, kind, id, rating, "seen").await,
    )
    .await?;
    let back = back_to(&form, "/");
    let verdict = if rating == 1 { "liked" } else { "didn't like" };
    if !wants_fragment(&req) {
        return Ok(back_with(
            &session,
            &back,
            true,
            format!("Noted: you {verdict} {}.", saved.title),
        ));
    }
    if back.starts_with("/history") {
        return Ok(html(render(&HistoryRowFragment::new(
            &saved,
            &back,
            &state.config.upstreams.tmdb_image,
        ))?));
    }
    let verdict = if rating == 1 { "liked" } else { "didn't like" };
    done(
        kind,
        id,
        &saved.title,
        format!("Noted: you {verdict} {}.", saved.title),
    )
}

/// `DELETE /media/{kind}/{tmdb_id}/rate` and `POST …/rate/delete`: undo, so the title may come back.
pub async fn unrate(
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: Option<web::Form<ActionForm>>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let user_id = user.id;
    let deleted = db::run(&state.pool, move |c| {
        let record = db::preferences::find(c, user_id, kind.as_str(), id)?;
        db::preferences::delete(c, user_id, kind.as_str(), id)?;
        Ok(record)
    })
    .await?;
    let Some(deleted) = deleted else {
        return Err(AppError::NotFound);
    };
    if wants_fragment(&req) {
        // The history row is swapped for nothing: it is gone.
        return Ok(html(String::new()));
    }
    let back = back_to(
        &form.map(web::Form::into_inner).unwrap_or_default(),
        "/history",
    );
    let message = format!(
        "Deleted the record of {}; it may be recommended again.",
        deleted.title
    );
    Ok(back_with(&session, &back, true, message))
}

/// `POST /media/{kind}/{tmdb_id}/skip`: not interested (rating -1, action `skip`).
pub async fn skip(
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let saved = save(
        &state,
        user.id,
        record_of(&state, kind, id, -1, "skip").await,
    )
    .await?;
    if !wants_fragment(&req) {
        let message = format!("Skipped {}.", saved.title);
        return Ok(back_with(&session, &back_to(&form, "/"), true, message));
    }
    done(
        kind,
        id,
        &saved.title,
        format!("Skipped {}. Undo it in My history.", saved.title),
    )
}

/// A card showing the outcome of a request or watchlist add (or its failure, with status 502).
async fn card_after(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
    status: &str,
    back: &str,
    note: (bool, String),
) -> Result<HttpResponse, AppError> {
    let card = match details(state, http, kind, id).await {
        Ok(d) => Card::from_details(kind, &d, None),
        Err(_) => Card {
            kind,
            tmdb_id: id,
            title: format!("{kind} {id}"),
            year: None,
            poster_path: None,
            genres: Vec::new(),
            overview: String::new(),
            because: None,
        },
    };
    let failed = !note.0;
    let mut view = CardView::from_card(
        &card,
        status,
        back,
        &state.config.upstreams.tmdb_image,
        true,
    );
    view.note = Some(note);
    let body = render(&CardFragment { card: view })?;
    Ok(if failed {
        HttpResponse::BadGateway()
            .content_type("text/html; charset=utf-8")
            .body(body)
    } else {
        html(body)
    })
}

async fn cached_status(state: &AppState, kind: Kind, id: i64) -> String {
    db::run(&state.pool, move |c| {
        Ok(db::cache::availability(c, kind.as_str(), id)?)
    })
    .await
    .ok()
    .flatten()
    .map_or_else(|| "unknown".to_owned(), |(s, _)| s)
}

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
    let mapped = db::run(&state.pool, move |c| Ok(db::users::find(c, user_id)?)).await?;
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
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let back = back_to(&form, "/");
    let http = http_client();
    let result = ask_overseerr(&state, &http, &user, kind, id).await;
    match result {
        Ok(outcome) => {
            let record = record_of(&state, kind, id, 2, "request").await;
            let saved = save(&state, user.id, record).await?;
            let _ = db::run(&state.pool, move |c| {
                Ok(db::cache::put_availability(
                    c,
                    kind.as_str(),
                    id,
                    "requested",
                    db::now(),
                )?)
            })
            .await;
            let note = match outcome {
                RequestOutcome::Requested => "Requested. You'll find it on Plex once it's ready.",
                RequestOutcome::AlreadyRequested => "Already requested: it's on its way.",
            };
            if !wants_fragment(&req) {
                let message = format!("{}: {note}", saved.title);
                return Ok(back_with(&session, &back, true, message));
            }
            card_after(
                &state,
                &http,
                kind,
                id,
                "requested",
                &back,
                (true, note.to_owned()),
            )
            .await
        }
        Err(error) if wants_fragment(&req) && ResponseKind::of(&req) == ResponseKind::Fragment => {
            tracing::info!(%error, user = %user.username, "a request failed");
            let status = cached_status(&state, kind, id).await;
            card_after(
                &state,
                &http,
                kind,
                id,
                &status,
                &back,
                (false, error.to_string()),
            )
            .await
        }
        Err(error) => Err(error),
    }
}

async fn ask_overseerr(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    kind: Kind,
    id: i64,
) -> Result<RequestOutcome, AppError> {
    let env = state.config.env_integrations.clone();
    let endpoint = db::run(&state.pool, move |c| {
        Ok(Endpoint::load(c, &env, Section::Overseerr)?)
    })
    .await?;
    if endpoint.url.is_empty() || endpoint.api_key.is_empty() {
        return Err(UpstreamError::not_configured(Service::Overseerr).into());
    }
    let as_user = overseerr_user(state, http, user).await?;
    let seasons = match kind {
        Kind::Movie => Vec::new(),
        Kind::Tv => {
            let seasons = seasons_to_request(
                details(state, http, kind, id)
                    .await?
                    .seasons
                    .iter()
                    .map(|s| s.season_number),
            );
            if seasons.is_empty() {
                return Err(AppError::BadRequest(
                    "This show has no seasons to request yet.".to_owned(),
                ));
            }
            seasons
        }
    };
    let overseerr = Overseerr {
        http,
        base: &endpoint.url,
        api_key: &endpoint.api_key,
        timeout: state.config.upstream_timeout,
    };
    Ok(overseerr.request_media(kind, id, as_user, &seasons).await?)
}

/// `POST /media/{kind}/{tmdb_id}/watchlist`: adds the title to the user's own Plex watchlist.
pub async fn watchlist(
    req: HttpRequest,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let back = back_to(&form, "/");
    let http = http_client();
    match add_to_watchlist(&state, &http, &user, kind, id).await {
        Ok(()) => {
            let record = record_of(&state, kind, id, 2, "watchlist").await;
            let saved = save(&state, user.id, record).await?;
            if !wants_fragment(&req) {
                let message = format!("Added {} to your Plex watchlist.", saved.title);
                return Ok(back_with(&session, &back, true, message));
            }
            let status = cached_status(&state, kind, id).await;
            card_after(
                &state,
                &http,
                kind,
                id,
                &status,
                &back,
                (true, "On your Plex watchlist.".to_owned()),
            )
            .await
        }
        Err(error) if wants_fragment(&req) => {
            let status = cached_status(&state, kind, id).await;
            card_after(
                &state,
                &http,
                kind,
                id,
                &status,
                &back,
                (false, error.to_string()),
            )
            .await
        }
        Err(error) => Err(error),
    }
}

async fn add_to_watchlist(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    kind: Kind,
    id: i64,
) -> Result<(), AppError> {
    let user_id = user.id;
    let (token, cached_key) = db::run(&state.pool, move |c| {
        Ok((
            db::users::plex_token(c, user_id)?,
            db::cache::discover_key(c, kind.as_str(), id)?,
        ))
    })
    .await?;
    let token = token.unwrap_or_default();
    let discover = Discover {
        http,
        base: &state.config.upstreams.plex_discover,
        client_id: &state.plex_client_id,
        token: &token,
        timeout: state.config.upstream_timeout,
    };
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
            db::run(&state.pool, move |c| {
                Ok(db::cache::put_discover_key(
                    c,
                    kind.as_str(),
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
    status: String,
}

/// `GET /media/{kind}/{tmdb_id}/status`: asks Overseerr now (and caches the answer).
pub async fn status(
    req: HttpRequest,
    _user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let env = state.config.env_integrations.clone();
    let endpoint = db::run(&state.pool, move |c| {
        Ok(Endpoint::load(c, &env, Section::Overseerr)?)
    })
    .await?;
    let http = http_client();
    let overseerr = Overseerr {
        http: &http,
        base: &endpoint.url,
        api_key: &endpoint.api_key,
        timeout: state.config.upstream_timeout,
    };
    let status = match overseerr.availability(kind, id).await {
        Ok(status) => {
            let _ = db::run(&state.pool, move |c| {
                Ok(db::cache::put_availability(
                    c,
                    kind.as_str(),
                    id,
                    status.as_str(),
                    db::now(),
                )?)
            })
            .await;
            status
        }
        Err(error) => {
            tracing::debug!(%error, "availability unknown");
            Availability::Unknown
        }
    };
    if ResponseKind::of(&req) == ResponseKind::Json || !wants_fragment(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status.as_str() })));
    }
    Ok(html(render(&BadgeFragment {
        status: status.as_str().to_owned(),
    })?))
}
