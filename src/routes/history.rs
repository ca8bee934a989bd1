//! `GET /history`: the user's ratings, skips, requests and watchlist adds, 25 a page, and the
//! genres he is not interested in; hiding a genre (from a title's details) and showing it again.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::card_action::{MediaPath, known_details, within_limit};
use super::respond::{back_to, back_with, html, render};
use crate::auth::session::CurrentUser;
use crate::db::{self, users::User};
use crate::domain::TitleId;
use crate::error::AppError;
use crate::state::AppState;
use crate::views::history_row::HistoryItem;

pub const PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    user: User,
    items: Vec<HistoryItem>,
    page: i64,
    pages: i64,
    total: i64,
    /// Genres he is not interested in (TMDb id, name).
    hidden_genres: Vec<(i64, String)>,
    notice: Option<(bool, String)>,
}

#[derive(serde::Deserialize)]
pub struct HistoryQuery {
    page: Option<String>,
}

pub async fn history(
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    let page = match query.page.as_deref() {
        None | Some("") => 1,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| AppError::BadRequest(format!("\"{raw}\" is not a page number.")))?,
    };
    let user_id = user.id;
    let ((records, total), hidden_genres) = db::run(&state.ctx.pool, move |c| {
        Ok((
            db::preferences::page(c, user_id, page, PER_PAGE)?,
            db::preferences::hidden_genres(c, user_id)?,
        ))
    })
    .await?;
    let back = format!("/history?page={page}");
    let items = records
        .iter()
        .map(|p| HistoryItem::new(p, &back, &state.ctx.config.upstreams.tmdb_image))
        .collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let notice = crate::auth::session::take_flash(&session)
        .filter(|f| f.anchor == "history")
        .map(|f| (f.ok, f.message));
    Ok(html(render(&HistoryPage {
        user,
        items,
        page,
        pages,
        total,
        hidden_genres,
        notice,
    })?))
}

#[derive(serde::Deserialize)]
pub struct GenreForm {
    #[serde(default)]
    genre: String,
    #[serde(default)]
    back: Option<String>,
}

/// `POST /media/{kind}/{tmdb_id}/not-interested`, `genre=<TMDb genre id>`: "Not interested in
/// this genre". The genre must be one of the title's (its details, cached); its titles leave
/// his rows, his shelf and his groups' until he shows it again from his history.
pub async fn hide_genre(
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<GenreForm>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let genre_id = genre_id(&form.genre)?;
    // Its genres are read from its details: without them (TMDb down) nothing is hidden.
    let title = match within_limit(&state, &http, &user, kind, id).await? {
        Some(title) => title,
        None => known_details(&state, &http, kind, id).await?,
    };
    let genre = title
        .genres
        .iter()
        .find(|g| g.id == genre_id && !g.name.is_empty())
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "{} is not one of the genres of {}.",
                genre_id, title.title
            ))
        })?;
    let (user_id, name) = (user.id, genre.name.clone());
    let stored = name.clone();
    db::write(&state.ctx.pool, db::Scope::Records(user_id), move |c| {
        Ok(db::preferences::hide_genre(
            c,
            user_id,
            (genre_id, &stored),
            db::now(),
        )?)
    })
    .await?;
    let back = back_to(form.back.as_deref(), "/");
    let message = format!(
        "Hidden: {name}. Its titles leave your recommendations; show it again in My history."
    );
    Ok(back_with(&session, &back, true, message))
}

/// `DELETE /history/genres/{genre_id}` and `POST …/delete`: show the genre again.
pub async fn show_genre(
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<String>,
    form: Option<web::Form<GenreForm>>,
) -> Result<HttpResponse, AppError> {
    let genre_id = genre_id(&path)?;
    let user_id = user.id;
    let shown = db::write(&state.ctx.pool, db::Scope::Records(user_id), move |c| {
        Ok(db::preferences::show_genre(c, user_id, genre_id)?)
    })
    .await?;
    let Some(name) = shown else {
        return Err(AppError::NotFound);
    };
    let back = form.and_then(|f| f.into_inner().back);
    let back = back_to(back.as_deref(), "/history");
    let message = format!("{name} is shown again: its titles may be recommended.");
    Ok(back_with(&session, &back, true, message))
}

/// A TMDb genre id from a form or a path, or a 400 that says what is wrong with it.
fn genre_id(raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
        AppError::BadRequest(format!(
            "\"{raw}\" is not a genre id: it must be a positive whole number."
        ))
    })
}
