//! What every card action shares (rate, skip, request, watchlist): the title's address and form,
//! its details, the history record the action leaves, and the card or line shown after it.
//! Not a handler: the handlers in `media.rs` and `acquire.rs` both build on it.

use actix_web::{HttpResponse, web};

use super::respond::{html, render};
use crate::catalog;
use crate::db::users::User;
use crate::db::{self, preferences::NewPreference};
use crate::domain::Availability;
use crate::domain::eligibility::Facts;
use crate::domain::{Eligibility, TitleId, Verdict};
use crate::engine::rows::Card;
use crate::error::AppError;
use crate::integrations::tmdb::Details;
use crate::integrations::{Service, UpstreamError};
use crate::media::{Kind, Tab};
use crate::state::AppState;
use crate::views::card::{CardDone, CardFragment, CardView};

#[derive(serde::Deserialize)]
pub struct MediaPath {
    kind: String,
    tmdb_id: String,
}

impl MediaPath {
    /// The title addressed, or a 400 that says what is wrong with the address.
    pub fn parse(&self) -> Result<TitleId, AppError> {
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
        Ok(TitleId(kind, id))
    }
}

#[derive(serde::Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    pub back: Option<String>,
    #[serde(default)]
    pub rating: Option<String>,
}

/// The title's details, from the cache or TMDb.
pub async fn details(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
) -> Result<Details, AppError> {
    let upstreams = state.ctx.upstreams().await?;
    match upstreams.tmdb(http) {
        Some(tmdb) => catalog::details(&state.ctx.pool, &tmdb, kind, id)
            .await
            .map_err(AppError::from),
        None => catalog::cached_details(&state.ctx.pool, kind, id)
            .await?
            .ok_or_else(|| UpstreamError::not_configured(Service::Tmdb).into()),
    }
}

/// The title, if `user` may see it and so act on it. For a user with a rating limit, a title
/// above it answers exactly as one TMDb does not know (404), so nothing tells which ids exist
/// above it, and nothing reaches Overseerr or Plex for it; one whose certification cannot be
/// checked (TMDb down) is refused with TMDb's failure. Without a limit, actions go on as before
/// whatever TMDb says (a rating never fails because TMDb is down).
pub async fn within_limit(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    kind: Kind,
    id: i64,
) -> Result<Option<Details>, AppError> {
    match known_details(state, http, kind, id).await {
        Ok(title) if under_limit(user, TitleId(kind, id), title.certification().as_deref()) => {
            Ok(Some(title))
        }
        Ok(_) => Err(AppError::NotFound),
        Err(_) if user.rating_limit.is_none() => Ok(None),
        Err(error) => Err(error),
    }
}

/// What a rating or a skip knows of its title.
pub enum Known {
    /// The card the user pressed, from his kept tabs.
    Card(Card),
    /// The title's details (cached or from TMDb).
    Details(Box<Details>),
    /// Nothing: TMDb is down and the user has no limit to check.
    Nothing,
}

impl Known {
    /// The history record the action leaves.
    pub fn record(&self, TitleId(kind, id): TitleId, verdict: Verdict) -> NewPreference {
        match self {
            Self::Card(card) => NewPreference {
                kind,
                tmdb_id: id,
                verdict,
                title: card.title.clone(),
                year: card.year,
                poster_path: card.poster_path.clone(),
            },
            Self::Details(details) => record_of(kind, id, verdict, Some(details)),
            Self::Nothing => record_of(kind, id, verdict, None),
        }
    }
}

/// The title a rating or a skip acts on, if `user` may: a card on his kept tabs (the one he
/// pressed, shown under his limit when it was read) is checked against his limit with no
/// database read; any other title as [`within_limit`] checks it.
pub async fn actionable(
    state: &AppState,
    http: &awc::Client,
    user: &User,
    title: TitleId,
) -> Result<Known, AppError> {
    if let Some(card) = state.shelves.kept_card(user.id, title) {
        return if under_limit(user, title, card.certification.as_deref()) {
            Ok(Known::Card(card))
        } else {
            Err(AppError::NotFound)
        };
    }
    let TitleId(kind, id) = title;
    Ok(match within_limit(state, http, user, kind, id).await? {
        Some(details) => Known::Details(Box::new(details)),
        None => Known::Nothing,
    })
}

/// Whether a title certified `certification` is within `user`'s rating limit (always, without
/// one).
fn under_limit(user: &User, TitleId(kind, id): TitleId, certification: Option<&str>) -> bool {
    Eligibility::limit_only(user.rating_limit.as_deref()).allows(Facts::of(kind, id, certification))
}

/// The title's details; an id TMDb does not know is a 404, as any unknown address is.
pub async fn known_details(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
) -> Result<Details, AppError> {
    match details(state, http, kind, id).await {
        Err(AppError::Upstream(e))
            if e.kind == crate::integrations::UpstreamErrorKind::NotFound =>
        {
            Err(AppError::NotFound)
        }
        other => other,
    }
}

/// What the history page shows of a title. A rating never fails because TMDb is down: the
/// record then carries the kind and id until the title is known.
pub fn record_of(kind: Kind, id: i64, verdict: Verdict, known: Option<&Details>) -> NewPreference {
    NewPreference {
        kind,
        tmdb_id: id,
        verdict,
        title: known.map_or_else(|| format!("{kind} {id}"), |d| d.title.clone()),
        year: known.and_then(Details::year),
        poster_path: known.and_then(|d| d.poster_path.clone()),
    }
}

/// Records what the user did with a title. His kept tabs leave it out at once, and the pages
/// of those that did not show it stand: his next view reads nothing and renders no card.
pub async fn save(
    state: &web::Data<AppState>,
    user_id: i32,
    record: NewPreference,
) -> Result<db::preferences::Preference, AppError> {
    let title = TitleId(record.kind, record.tmdb_id);
    let app = state.clone();
    let saved = db::write_records(
        &state.ctx.pool,
        user_id,
        move |c| Ok(db::preferences::upsert(c, user_id, &record, db::now())?),
        // In the writers' turn: each patch finds the tabs the write before left.
        move |step| {
            let per_row = app.ctx.config.items_per_row;
            let unchanged = app.shelves.dealt_with(title, step, per_row);
            app.cache.carry(step, &unchanged);
        },
    )
    .await?;
    Ok(saved)
}

/// The line that takes a dealt-with card's place.
pub fn done(kind: Kind, id: i64, title: &str, message: String) -> Result<String, AppError> {
    render(&CardDone {
        dom_id: format!("card-{kind}-{id}"),
        title: title.to_owned(),
        message,
    })
}

/// The tab a dashboard `back` link points at (`/?tab=tv`); `None` for other pages.
fn dashboard_tab(back: &str) -> Option<Tab> {
    match back {
        "/" | "/?" => Some(Tab::Movies),
        _ => back.strip_prefix("/?tab=").and_then(Tab::parse),
    }
}

/// After Skip or Seen it on the dashboard: the line saying what was done, then the row's next
/// verified pick from its reserve in the card's place (no AI call), when there is one.
pub async fn done_and_replaced(
    state: &AppState,
    user: &User,
    TitleId(kind, id): TitleId,
    title: &str,
    message: String,
    back: &str,
) -> Result<String, AppError> {
    let mut html = done(kind, id, title, message)?;
    let Some(tab) = dashboard_tab(back) else {
        return Ok(html);
    };
    // Read and kept: the next view of the tab assembles it without reading again.
    let upstreams = state.ctx.upstreams().await?;
    let data = state.shelves.tab(&upstreams, user.id, tab).await?;
    let per_row = state.ctx.config.items_per_row;
    if let Some(next) = data.replacement(per_row, kind, id) {
        // Through the kept cards: the next view of the tab shows this one without a render.
        let image_base = &state.ctx.config.upstreams.tmdb_image;
        html.push_str(
            data.rendered(&state.shelves.fragments, next, back, image_base)?
                .html(),
        );
    }
    Ok(html)
}

/// A card showing the outcome of a request or watchlist add (or its failure, with status 502).
pub async fn card_after(
    state: &AppState,
    http: &awc::Client,
    kind: Kind,
    id: i64,
    status: Availability,
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
            genre_ids: Vec::new(),
            overview: String::new(),
            because: None,
            certification: None,
        },
    };
    let failed = !note.0;
    let mut view = CardView::from_card(
        &card,
        status,
        back,
        &state.ctx.config.upstreams.tmdb_image,
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

pub async fn cached_status(state: &AppState, kind: Kind, id: i64) -> Availability {
    db::run(&state.ctx.pool, move |c| {
        Ok(db::cache::availability(c, kind, id)?)
    })
    .await
    .ok()
    .flatten()
    .map_or(Availability::Unknown, |(s, _)| {
        Availability::from_stored(&s)
    })
}
