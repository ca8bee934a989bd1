//! `GET /`: the dashboard. Rows come from the database only; a page view never waits on an
//! upstream (stale availability is re-checked in the background afterwards).

use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::respond::render;
use crate::auth::session::CurrentUser;
use crate::db::{self, users::User};
use crate::engine::rows::Row;
use crate::error::AppError;
use crate::http::negotiate::wants_fragment;
use crate::media::Tab;
use crate::settings::{self, Endpoint, Section};
use crate::state::AppState;
use crate::views::card::CardView;
use crate::views::format_time;
use crate::views::refresh_status::StatusFragment;

pub struct RowView {
    pub title: String,
    pub reason: String,
    pub cards: Vec<CardView>,
}

/// Why a tab has no rows, and what to do about it.
pub enum Empty {
    NotConfigured { admin: bool },
    Refreshing,
    NoHistory,
    Failed,
    NothingHere,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    user: User,
    body: TabBody,
    status: StatusFragment,
    last_refreshed: Option<String>,
}

/// The swappable part of the dashboard: the tabs and the rows of the current one.
#[derive(Template)]
#[template(path = "partials/tab_body.html")]
pub struct TabBody {
    pub tab: Tab,
    pub rows: Vec<RowView>,
    pub empty: Option<Empty>,
    pub status_message: String,
    /// The outcome of a form posted without JavaScript.
    pub notice: Option<(bool, String)>,
}

#[derive(serde::Deserialize)]
pub struct DashboardQuery {
    tab: Option<String>,
}

pub fn parse_tab(raw: Option<&str>) -> Result<Tab, AppError> {
    match raw {
        None | Some("") => Ok(Tab::Movies),
        Some(raw) => Tab::parse(raw).ok_or_else(|| {
            AppError::BadRequest(format!(
                "There is no tab called \"{raw}\": use movies, tv or documentaries."
            ))
        }),
    }
}

/// Everything a dashboard view needs, read in one go.
struct Loaded {
    rows: Vec<Row>,
    acted_on: HashSet<(String, i64)>,
    statuses: HashMap<(String, i64), (String, i64)>,
    status: db::recommendations::Status,
    configured: bool,
    requests_enabled: bool,
}

pub async fn dashboard(
    req: HttpRequest,
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let tab = parse_tab(query.tab.as_deref())?;
    let fragment = wants_fragment(&req);
    let notice = crate::auth::session::take_flash(&session)
        .filter(|f| f.anchor == "dashboard")
        .map(|f| (f.ok, f.message));
    // Active users get the nightly refresh: noted at most once an hour, so views rarely write.
    let seen_long_ago = user.last_seen_at < db::now() - 3600;
    let key = (user.id, tab.slug(), fragment);
    if notice.is_none()
        && !seen_long_ago
        && let Some(page) = state.cache.page(&key)
    {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page));
    }
    let (user_id, env) = (user.id, state.config.env_integrations.clone());
    if seen_long_ago {
        db::write(&state.pool, db::Scope::User(user_id), move |conn| {
            Ok(db::users::touch_seen(conn, user_id, db::now())?)
        })
        .await?;
    }
    let version = state.cache.version(user.id);
    let loaded = db::run(&state.pool, move |conn| {
        let rows: Vec<Row> = db::recommendations::load(conn, user_id, tab.slug())?
            .and_then(|(json, _)| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let titles: Vec<(String, i64)> = rows
            .iter()
            .flat_map(|r| {
                r.cards
                    .iter()
                    .map(|c| (c.kind.as_str().to_owned(), c.tmdb_id))
            })
            .collect();
        let statuses = db::cache::availabilities(conn, &titles)?
            .into_iter()
            .map(|(k, id, status, at)| ((k, id), (status, at)))
            .collect();
        let tautulli = Endpoint::load(conn, &env, Section::Tautulli)?;
        let tmdb = settings::TmdbSettings::load(conn, &env)?;
        let overseerr = Endpoint::load(conn, &env, Section::Overseerr)?;
        Ok(Loaded {
            rows,
            acted_on: db::preferences::acted_on(conn, user_id)?
                .into_iter()
                .collect(),
            statuses,
            status: db::recommendations::status(conn, user_id)?,
            configured: !tautulli.url.is_empty() && !tmdb.api_key.is_empty(),
            requests_enabled: !overseerr.url.is_empty() && !overseerr.api_key.is_empty(),
        })
    })
    .await?;

    let back = format!("/?tab={}", tab.slug());
    let image_base = &state.config.upstreams.tmdb_image;
    let mut stale = Vec::new();
    let fresh_after = db::now() - crate::engine::AVAILABILITY_FRESH_SECONDS;
    let rows: Vec<RowView> = loaded
        .rows
        .iter()
        .map(|row| RowView {
            title: row.title.clone(),
            reason: row.reason.clone(),
            cards: row
                .cards
                .iter()
                .filter(|c| {
                    !loaded
                        .acted_on
                        .contains(&(c.kind.as_str().to_owned(), c.tmdb_id))
                })
                .map(|c| {
                    let cached = loaded
                        .statuses
                        .get(&(c.kind.as_str().to_owned(), c.tmdb_id));
                    if cached.is_none_or(|(_, at)| *at <= fresh_after) {
                        stale.push((c.kind, c.tmdb_id));
                    }
                    let status = cached.map_or("unknown", |(s, _)| s.as_str());
                    CardView::from_card(c, status, &back, image_base, loaded.requests_enabled)
                })
                .collect(),
        })
        .filter(|row| !row.cards.is_empty())
        .collect();
    if loaded.requests_enabled && !stale.is_empty() {
        crate::engine::recheck_availability(state.clone(), stale);
    }

    let status = loaded.status;
    let empty = rows.is_empty().then(|| {
        if !loaded.configured {
            Empty::NotConfigured {
                admin: user.is_admin(),
            }
        } else if status.state == "queued" || status.state == "running" {
            Empty::Refreshing
        } else if status.state == "failed" {
            Empty::Failed
        } else if status.message.starts_with("No watch history") {
            Empty::NoHistory
        } else {
            Empty::NothingHere
        }
    });
    let cacheable = notice.is_none();
    let body = TabBody {
        tab,
        rows,
        empty,
        status_message: status.message.clone(),
        notice,
    };
    let page = if fragment {
        render(&body)?
    } else {
        let last_refreshed = status.last_success_at.map(format_time);
        render(&DashboardPage {
            user,
            body,
            status: StatusFragment { status },
            last_refreshed,
        })?
    };
    let page = actix_web::web::Bytes::from(page);
    if cacheable {
        state.cache.keep_page(key, version, page.clone());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page))
}
