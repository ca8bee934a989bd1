//! `GET /together` and `POST /together/ask`: Watch together (docs/recommendations.md "Watch
//! together"). Without `with`, the picker of those who said yes; with it, the group's rows,
//! built from what is stored (no AI call) and cached until any member's data changes.

use std::collections::{HashMap, HashSet};

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use futures_util::{StreamExt, stream};

use super::respond::{html, render, see_other};
use crate::auth::session::{self, CurrentUser};
use crate::catalog;
use crate::db::{self, users::User};
use crate::domain::Availability;
use crate::domain::TitleId;
use crate::engine::group::{self, GroupCard};
use crate::engine::rows::Card;
use crate::engine::together::{MAX_GROUP, load_members};
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::http::revisit::Page;
use crate::media::Kind;
use crate::state::AppState;
use crate::views::card::CardView;
use crate::views::refresh_status::StatusFragment;
use crate::views::shelf::{Cached, ON_PLEX_TITLE, cached_statuses};

/// Titles a group page may look up on TMDb when no member's rows hold them (later views read
/// them from the cache).
const LOOKUPS: usize = 12;

/// Said when a name is not someone who said yes: the same whether he exists or not.
const NOT_SHARING: &str =
    "You can plan a watch only with people who said yes on their own page (You → Watch together).";
const SAY_YES_FIRST: &str = "Say yes on your page first (You → Watch together): planning a watch shows what each of you liked, so it is open to those who share theirs.";

#[derive(Template)]
#[template(path = "together.html")]
struct TogetherPage {
    user: User,
    /// The caller said yes himself.
    sharing: bool,
    /// Those he may pick, by name.
    choices: Vec<String>,
    group: Option<GroupBody>,
    status: StatusFragment,
    notice: Option<(bool, String)>,
}

/// The group's rows, and the form that asks the AI for them.
#[derive(Template)]
#[template(path = "partials/together_body.html")]
struct GroupBody {
    names: Vec<String>,
    with: String,
    rows: Vec<GroupRow>,
    ai_asked: bool,
    ai_enabled: bool,
}

struct GroupRow {
    title: String,
    cards: Vec<CardView>,
}

/// The group asked for: `with=A,B` (links), or `pick=A&pick=B` (the picker's checkboxes).
fn names_asked(query: &[(String, String)]) -> String {
    query
        .iter()
        .filter(|(k, _)| k == "with" || k == "pick")
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// The names in `with=`: trimmed, each once, at most [`MAX_GROUP`] - 1 besides the caller.
fn parse_names(raw: &str, caller: &str) -> Result<Vec<String>, AppError> {
    let mut names: Vec<String> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::BadRequest(
                "A name in \"with\" is not a Plex username.".to_owned(),
            ));
        }
        if name != caller && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    if names.len() >= MAX_GROUP {
        return Err(AppError::BadRequest(format!(
            "A group is at most {MAX_GROUP} people, you included."
        )));
    }
    Ok(names)
}

/// The group: the caller, then those named, in order. 403 unless the caller and everyone named
/// said yes; nothing about anyone named is read before that holds.
async fn group_of(
    state: &AppState,
    caller: &User,
    names: Vec<String>,
) -> Result<Vec<User>, AppError> {
    if !caller.share_together {
        return Err(AppError::Forbidden(SAY_YES_FIRST.to_owned()));
    }
    let wanted = names.clone();
    let found = db::run(&state.ctx.pool, move |c| {
        Ok(db::together::named(c, &wanted)?)
    })
    .await?;
    let mut group = vec![caller.clone()];
    for name in &names {
        match found
            .iter()
            .find(|u| &u.username == name && u.share_together)
        {
            Some(user) => group.push(user.clone()),
            None => return Err(AppError::Forbidden(NOT_SHARING.to_owned())),
        }
    }
    Ok(group)
}

/// `with=` as a link writes it: each name percent-encoded, joined by commas.
fn with_param(names: &[String]) -> String {
    names
        .iter()
        .map(|n| percent_encoding::utf8_percent_encode(n, super::respond::WITH_NAME).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

pub async fn page(
    req: HttpRequest,
    response: ResponseKind,
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    query: web::Query<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let names = parse_names(&names_asked(&query), &user.username)?;
    let notice = session::take_flash(&session)
        .filter(|f| f.anchor == "together")
        .map(|f| (f.ok, f.message));
    let fragment = response.is_fragment();
    if names.is_empty() {
        return picker(&state, user, notice).await;
    }
    // Keyed by the names asked: a page stands only while nothing changed for anyone in it, and
    // saying yes or no changes everyone's pages, so a cached page means consent still holds.
    let key = (user.id, names.join("\n"), fragment);
    if notice.is_none()
        && user.share_together
        && let Some(page) = state.cache.group_page(&key)
    {
        return Ok(page.answer(&req));
    }
    // Read before checking consent and loading: a write meanwhile makes this copy stale at once.
    let everyone_then = state.cache.version(user.id);
    let group = group_of(&state, &user, names.clone()).await?;
    let ids: Vec<i32> = group.iter().map(|u| u.id).collect();
    let mut versions = state.cache.group_version(&ids);
    // The caller's own entry was read before the consent check.
    if let Some(first) = versions.first_mut() {
        first.1 = everyone_then;
    }
    let body = group_body(&state, &ids, &names).await?;
    let page = if fragment {
        render(&body)?
    } else {
        let user_id = user.id;
        let mut status = db::run(&state.ctx.pool, move |c| {
            Ok(db::recommendations::status(c, user_id)?)
        })
        .await?;
        // What his own last refresh said belongs on his dashboard, not on a group's page.
        if !status.state.is_active() && status.run_for != crate::db::states::RunFor::Group {
            status.message.clear();
            status.state = crate::db::states::RefreshState::Idle;
        }
        render(&TogetherPage {
            sharing: true,
            choices: Vec::new(),
            group: Some(body),
            status: StatusFragment { status },
            notice: notice.clone(),
            user,
        })?
    };
    let page = Page::new(Bytes::from(page));
    let answer = page.answer(&req);
    if notice.is_none() {
        state.cache.keep_group_page(key, versions, page);
    }
    Ok(answer)
}

async fn picker(
    state: &AppState,
    user: User,
    notice: Option<(bool, String)>,
) -> Result<HttpResponse, AppError> {
    let user_id = user.id;
    let (choices, status) = db::run(&state.ctx.pool, move |c| {
        Ok((
            db::together::sharing_except(c, user_id)?,
            db::recommendations::status(c, user_id)?,
        ))
    })
    .await?;
    let sharing = user.share_together;
    Ok(html(render(&TogetherPage {
        sharing,
        // Those who said yes are shown only to those who said yes too.
        choices: if sharing {
            choices.into_iter().map(|u| u.username).collect()
        } else {
            Vec::new()
        },
        group: None,
        status: StatusFragment { status },
        notice,
        user,
    })?))
}

/// The group's rows: "On your Plex now", then Movies, then TV, each card saying why for each
/// member.
async fn group_body(
    state: &AppState,
    ids: &[i32],
    names: &[String],
) -> Result<GroupBody, AppError> {
    let upstreams = state.ctx.upstreams().await?;
    let member_ids = ids.to_vec();
    let (members, ai_rows, mut cards, missing) = db::run(&state.ctx.pool, move |c| {
        let members = load_members(c, &member_ids)?;
        let ai_rows: Vec<crate::engine::rows::Row> = db::together::group_rows(c, &member_ids)?
            .and_then(|(json, _)| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        let mut cards = HashMap::new();
        let mut missing = Vec::new();
        for TitleId(kind, id) in group::shared_neighbours(&members) {
            // Any age will do for a card: its title, year and certification rarely change.
            if let Some(details) = db::cache::tmdb_details(c, kind, id, 0)?.and_then(|json| {
                serde_json::from_str::<crate::integrations::tmdb::Details>(&json).ok()
            }) {
                cards.insert(TitleId(kind, id), Card::from_details(kind, &details, None));
            } else if missing.len() < LOOKUPS {
                // Several members are close to it, no one's rows hold it: verified on TMDb below.
                missing.push((kind, id));
            }
        }
        Ok((members, ai_rows, cards, missing))
    })
    .await?;
    if !missing.is_empty() {
        let http = crate::integrations::http_client();
        if let Some(tmdb) = upstreams.tmdb(&http) {
            let found: Vec<_> = stream::iter(missing)
                .map(|(kind, id)| {
                    let (pool, tmdb) = (&state.ctx.pool, &tmdb);
                    async move { (kind, catalog::details(pool, tmdb, kind, id).await) }
                })
                .buffer_unordered(6)
                .collect()
                .await;
            for (kind, details) in found {
                if let Ok(details) = details {
                    cards.insert(
                        TitleId(kind, details.id),
                        Card::from_details(kind, &details, None),
                    );
                }
            }
        }
    }
    let ranked = group::rank(&members, &ai_rows, &cards);
    let keys: Vec<TitleId> = ranked
        .iter()
        .map(|g| TitleId(g.card.kind, g.card.tmdb_id))
        .collect();
    let statuses: crate::domain::title::TitleMap<Cached> =
        db::run(&state.ctx.pool, move |c| Ok(cached_statuses(c, &keys)?)).await?;
    let with = with_param(names);
    let back = format!("/together?with={with}");
    let per_row = state.ctx.config.items_per_row;
    let image_base = &state.ctx.config.upstreams.tmdb_image;
    let view = |g: &GroupCard| {
        let cached = statuses.get(&TitleId(g.card.kind, g.card.tmdb_id));
        let status = cached.map_or(Availability::Unknown, |a| a.status);
        let mut view = CardView::from_card(
            &g.card,
            status,
            &back,
            image_base,
            upstreams.has_overseerr(),
        );
        view.plex_url = cached
            .filter(|a| a.status.on_plex())
            .and_then(|a| a.plex_url.clone());
        view.because = None;
        view.why = Some(g.why());
        view
    };
    let mut placed: HashSet<TitleId> = HashSet::new();
    let mut rows = Vec::new();
    let mut take = |filter: &dyn Fn(&GroupCard) -> bool, title: &str| {
        let cards: Vec<CardView> = ranked
            .iter()
            .filter(|g| filter(g))
            .filter(|g| placed.insert(TitleId(g.card.kind, g.card.tmdb_id)))
            .take(per_row)
            .map(&view)
            .collect();
        if !cards.is_empty() {
            rows.push(GroupRow {
                title: title.to_owned(),
                cards,
            });
        }
    };
    take(
        &|g| {
            statuses
                .get(&TitleId(g.card.kind, g.card.tmdb_id))
                .is_some_and(|a| a.status == Availability::Available)
        },
        ON_PLEX_TITLE,
    );
    take(&|g| g.card.kind == Kind::Movie, "Movies");
    take(&|g| g.card.kind == Kind::Tv, "TV");
    Ok(GroupBody {
        names: names.to_vec(),
        with,
        rows,
        ai_asked: ranked.iter().any(|g| g.from_ai),
        ai_enabled: !upstreams.ai.is_empty(),
    })
}

#[derive(serde::Deserialize)]
pub struct AskForm {
    with: Option<String>,
}

/// `POST /together/ask`: queues the group's one AI call (the caller's status shows it).
pub async fn ask(
    response: ResponseKind,
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, AppError> {
    let names = parse_names(form.with.as_deref().unwrap_or(""), &user.username)?;
    if names.is_empty() {
        return Err(AppError::BadRequest(
            "Name at least one person in \"with\" to ask the AI for a group.".to_owned(),
        ));
    }
    let group = group_of(&state, &user, names.clone()).await?;
    let ids: Vec<i32> = group.iter().map(|u| u.id).collect();
    let queued = state.queue.enqueue_group(&state.ctx.pool, ids).await?;
    let message = if queued {
        "Asking the AI for the group; the rows appear here when it is done."
    } else {
        "A refresh of yours is already running; ask again when it is done."
    }
    .to_owned();
    if response.is_fragment() {
        let user_id = user.id;
        let status = db::run(&state.ctx.pool, move |c| {
            Ok(db::recommendations::status(c, user_id)?)
        })
        .await?;
        return Ok(html(render(&StatusFragment { status })?));
    }
    session::set_flash(&session, queued, message, "together");
    Ok(see_other(&format!("/together?with={}", with_param(&names))))
}
