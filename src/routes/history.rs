//! `GET /history`: the user's ratings, skips, requests and watchlist adds, 25 a page.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::respond::format_time;
use super::respond::{html, render};
use crate::auth::session::CurrentUser;
use crate::db::{self, preferences::Preference, users::User};
use crate::error::AppError;
use crate::state::AppState;

pub const PER_PAGE: i64 = 25;

/// One record as the history page shows it.
pub struct HistoryItem {
    pub dom_id: String,
    pub path: String,
    pub title: String,
    pub year: Option<i32>,
    pub kind_label: &'static str,
    pub action_label: &'static str,
    pub action_class: &'static str,
    pub when: String,
    pub thumb: Option<String>,
    /// For a seen record: the rating a flip sets, and the button's words.
    pub flip: Option<(&'static str, &'static str)>,
    pub back: String,
}

impl HistoryItem {
    fn new(p: &Preference, back: &str, image_base: &str) -> Self {
        let (action_label, action_class) = match (p.action.as_str(), p.rating) {
            ("seen", 1) => ("Liked", "liked"),
            ("seen", _) => ("Disliked", "disliked"),
            ("skip", _) => ("Skipped", "skipped"),
            ("request", _) => ("Requested", "requested"),
            _ => ("Watchlisted", "watchlisted"),
        };
        Self {
            dom_id: format!("pref-{}-{}", p.kind, p.tmdb_id),
            path: format!("/media/{}/{}", p.kind, p.tmdb_id),
            title: p.title.clone(),
            year: p.year,
            kind_label: if p.kind == "tv" { "TV" } else { "Movie" },
            action_label,
            action_class,
            when: format_time(p.updated_at),
            thumb: p
                .poster_path
                .as_ref()
                .filter(|_| !image_base.is_empty())
                .map(|path| format!("{image_base}/w92{path}")),
            flip: match (p.action.as_str(), p.rating) {
                ("seen", 1) => Some(("-1", "Mark disliked")),
                ("seen", _) => Some(("1", "Mark liked")),
                _ => None,
            },
            back: back.to_owned(),
        }
    }
}

/// One history row, for the HTMX answer to a flip.
#[derive(Template)]
#[template(path = "partials/history_row.html")]
pub struct HistoryRowFragment {
    item: HistoryItem,
}

impl HistoryRowFragment {
    pub fn new(p: &Preference, back: &str, image_base: &str) -> Self {
        Self {
            item: HistoryItem::new(p, back, image_base),
        }
    }
}

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
