//! The card actions (docs/http.md `/media/{kind}/{tmdb_id}/…`): rate, undo, skip, request,
//! watchlist, status. HTMX gets the fragment to swap; a plain form gets a 303 back.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::dashboard::CardView;
use super::history::HistoryRowFragment;
use super::respond::{back_to, back_with, html, render};
use crate::auth::session::CurrentUser;
use crate::catalog;
use crate::db::{self, preferences::NewPreference};
use crate::engine::rows::Card;
use crate::error::AppError;
use crate::http::negotiate::wants_fragment;
use crate::integrations::tmdb::{Details, Tmdb};
use crate::media::Kind;
use crate::settings::TmdbSettings;
use crate::state::AppState;

#[derive(serde::Deserialize)]
pub struct MediaPath {
    kind: String,
    tmdb_id: String,
}

impl MediaPath {
    /// The title addressed, or a 400 that says what is wrong with the address.
    pub(super) fn parse(&self) -> Result<(Kind, i64), AppError> {
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
    pub(super) back: Option<String>,
    #[serde(default)]
    rating: Option<String>,
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
pub(super) async fn details(
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
pub(super) async fn record_of(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
    rating: i32,
    action: &str,
) -> NewPreference {
    let known = details(state, http, kind, id).await.ok();
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

pub(super) async fn save(
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
    http: web::Data<awc::Client>,
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
        record_of(&state, &http, kind, id, rating, "seen").await,
    )
    .await?;
    let back = back_to(form.back.as_deref(), "/");
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
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    let back = back_to(form.back.as_deref(), "/history");
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
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (kind, id) = path.parse()?;
    let saved = save(
        &state,
        user.id,
        record_of(&state, &http, kind, id, -1, "skip").await,
    )
    .await?;
    if !wants_fragment(&req) {
        let message = format!("Skipped {}.", saved.title);
        return Ok(back_with(
            &session,
            &back_to(form.back.as_deref(), "/"),
            true,
            message,
        ));
    }
    done(
        kind,
        id,
        &saved.title,
        format!("Skipped {}. Undo it in My history.", saved.title),
    )
}

/// A card showing the outcome of a request or watchlist add (or its failure, with status 502).
pub(super) async fn card_after(
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

pub(super) async fn cached_status(state: &AppState, kind: Kind, id: i64) -> String {
    db::run(&state.pool, move |c| {
        Ok(db::cache::availability(c, kind.as_str(), id)?)
    })
    .await
    .ok()
    .flatten()
    .map_or_else(|| "unknown".to_owned(), |(s, _)| s)
}
