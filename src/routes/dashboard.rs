//! `GET /`: the dashboard. Rows come from the database only; a page view never waits on an
//! upstream (stale availability is re-checked in the background afterwards).

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::auth::session::CurrentUser;
use crate::db::states::{RefreshState, RunOutcome};
use crate::db::{self, users::User};
use crate::domain::TitleId;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::http::revisit::Page;
use crate::media::Tab;
use crate::page_cache::Lookup;
use crate::state::AppState;
use crate::views::assembly::assemble;
use crate::views::format_time;
use crate::views::refresh_status::StatusFragment;
use crate::views::shelf::TabData;
use crate::views::tab_body::{Empty, TabBody};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    user: User,
    body: TabBody<'a>,
    status: StatusFragment,
    last_refreshed: Option<String>,
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

/// `GET /`: a cached page when nothing it shows has changed, else a fresh one.
pub async fn dashboard(
    req: HttpRequest,
    response: ResponseKind,
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, AppError> {
    let tab = parse_tab(query.tab.as_deref())?;
    let fragment = response.is_fragment();
    let notice = crate::auth::session::take_flash(&session)
        .filter(|f| f.anchor == "dashboard")
        .map(|f| (f.ok, f.message));
    // Active users get the nightly refresh: noted at most once an hour, so views rarely write.
    let seen_long_ago = user.last_seen_at < db::now() - 3600;
    let key = (user.id, tab.slug(), fragment);
    let cacheable = notice.is_none();
    // Held while this view builds the page, so concurrent views of it wait for this build.
    let _building = if cacheable && !seen_long_ago {
        match state.cache.page_or_build(key).await {
            Lookup::Hit(page) => return Ok(page.answer(&req)),
            Lookup::Build(claim) => Some(claim),
        }
    } else {
        None
    };
    if seen_long_ago {
        let user_id = user.id;
        db::write(&state.ctx.pool, db::Scope::User(user_id), move |conn| {
            Ok(db::users::touch_seen(conn, user_id, db::now())?)
        })
        .await?;
    }
    // Read before loading: a write landing meanwhile makes this copy stale at once.
    let version = state.cache.version(user.id);
    let upstreams = state.ctx.upstreams().await?;
    let loaded = state.shelves.tab(&upstreams, user.id, tab).await?;
    let (page, stale) = view(&state, user, tab, &loaded, notice, fragment)?;
    if !stale.is_empty() {
        state.rechecks.start(stale);
    }
    let answer = page.answer(&req);
    if cacheable {
        state.cache.keep_page(key, version, page);
    }
    Ok(answer)
}

/// What a dashboard holds besides its cards (header, tabs, row heads, dialog), generously.
const SHELL_BYTES: usize = 16 * 1024;

/// Writes the page's shell (or, for HTMX, the tab body's) from what was loaded and assembles
/// the page around its kept cards (`views::assembly`). Also returns the titles whose
/// availability is stale, to be asked again in the background.
fn view(
    state: &AppState,
    user: User,
    tab: Tab,
    loaded: &TabData,
    notice: Option<(bool, String)>,
    fragment: bool,
) -> Result<(Page, Vec<TitleId>), AppError> {
    let back = format!("/?tab={}", tab.slug());
    let image_base = &state.ctx.config.upstreams.tmdb_image;
    let (rows, stale) = loaded.shown(
        &state.shelves.fragments,
        state.ctx.config.items_per_row,
        &back,
        image_base,
    )?;
    let (configured, status) = (loaded.configured, loaded.status.clone());
    let empty = rows.is_empty().then(|| {
        if !configured {
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
    // The shell is a few KB (its cards are slots): one buffer, never grown on the way.
    let mut page = String::with_capacity(SHELL_BYTES);
    let written = if fragment {
        body.render_into(&mut page)
    } else {
        let last_refreshed = status.last_success_at.map(format_time);
        DashboardPage {
            user,
            body,
            status: StatusFragment { status },
            last_refreshed,
        }
        .render_into(&mut page)
    };
    written.map_err(|e| AppError::internal("template", e))?;
    let page = assemble(page, rows.iter().flat_map(|r| &r.cards).map(|c| &**c))?;
    Ok((page, stale))
}
