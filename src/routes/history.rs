//! `GET /history`: the user's ratings, skips, requests and watchlist adds, 25 a page.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::respond::{html, render};
use crate::auth::session::CurrentUser;
use crate::db::{self, users::User};
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
    let (records, total) = db::run(&state.pool, move |c| {
        Ok(db::preferences::page(c, user_id, page, PER_PAGE)?)
    })
    .await?;
    let back = format!("/history?page={page}");
    let items = records
        .iter()
        .map(|p| HistoryItem::new(p, &back, &state.config.upstreams.tmdb_image))
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
        notice,
    })?))
}
