//! `GET /`: the dashboard. Rows come from the database only; a page view never waits on an
//! upstream (stale availability is re-checked in the background afterwards).

use std::collections::{HashMap, HashSet};

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::respond::render;
use crate::auth::session::CurrentUser;
use crate::db::states::{RefreshState, RunOutcome};
use crate::db::{self, users::User};
use crate::engine::rows::Row;
use crate::error::AppError;
use crate::http::negotiate::wants_fragment;
use crate::integrations::overseerr::Availability;
use crate::integrations::upstreams::Upstreams;
use crate::media::{Kind, Tab};
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
    statuses: HashMap<(String, i64), (Availability, i64)>,
    status: db::recommendations::Status,
    configured: bool,
    requests_enabled: bool,
}

/// `GET /`: a cached page when nothing it shows has changed, else a fresh one.
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
        return Ok(html_bytes(page));
    }
    if seen_long_ago {
        let user_id = user.id;
        db::write(&state.pool, db::Scope::User(user_id), move |conn| {
            Ok(db::users::touch_seen(conn, user_id, db::now())?)
        })
        .await?;
    }
    // Read before loading: a write landing meanwhile makes this copy stale at once.
    let version = state.cache.version(user.id);
    let cacheable = notice.is_none();
    let loaded = load(&state, user.id, tab).await?;
    let (page, stale) = view(&state, user, tab, loaded, notice, fragment)?;
    if !stale.is_empty() {
        state.rechecks.start(stale);
    }
    let page = actix_web::web::Bytes::from(page);
    if cacheable {
        state.cache.keep_page(key, version, page.clone());
    }
    Ok(html_bytes(page))
}

fn html_bytes(page: actix_web::web::Bytes) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// The tab's rows, what the user already acted on, the cached availability of every card,
/// his refresh status and which services are set up: one database read.
async fn load(state: &AppState, user_id: i32, tab: Tab) -> Result<Loaded, AppError> {
    let (config, client_id) = (state.config.clone(), state.plex_client_id.clone());
    db::run(&state.pool, move |conn| {
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
            .map(|(k, id, status, at)| ((k, id), (Availability::from_stored(&status), at)))
            .collect();
        let upstreams = Upstreams::load(conn, &config, &client_id)?;
        Ok(Loaded {
            rows,
            acted_on: db::preferences::acted_on(conn, user_id)?
                .into_iter()
                .collect(),
            statuses,
            status: db::recommendations::status(conn, user_id)?,
            configured: upstreams.has_tautulli() && upstreams.has_tmdb(),
            requests_enabled: upstreams.has_overseerr(),
        })
    })
    .await
}

/// Renders the page (or, for HTMX, the tab body) from what was loaded. Also returns the
/// titles whose availability is stale, to be asked again in the background.
fn view(
    state: &AppState,
    user: User,
    tab: Tab,
    loaded: Loaded,
    notice: Option<(bool, String)>,
    fragment: bool,
) -> Result<(String, Vec<(Kind, i64)>), AppError> {
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
                    let status = cached.map_or(Availability::Unknown, |(s, _)| *s);
                    CardView::from_card(c, status, &back, image_base, loaded.requests_enabled)
                })
                .collect(),
        })
        .filter(|row| !row.cards.is_empty())
        .collect();
    if !loaded.requests_enabled {
        stale.clear();
    }

    let status = loaded.status;
    let empty = rows.is_empty().then(|| {
        if !loaded.configured {
            Empty::NotConfigured {
                admin: user.is_admin(),
            }
        } else if status.state.is_active() {
            Empty::Refreshing
        } else if status.state == RefreshState::Failed {
            Empty::Failed
        } else if status.last_outcome == Some(RunOutcome::NoHistory) {
            Empty::NoHistory
        } else {
            Empty::NothingHere
        }
    });
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
    Ok((page, stale))
}
