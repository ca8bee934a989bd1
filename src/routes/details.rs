//! `GET /media/{kind}/{tmdb_id}`: a title's details, from the cached TMDb details (no upstream
//! call once cached). HTMX gets the dialog's content; a plain request gets a page. A title the
//! user's rating limit hides is not found.

use actix_web::{HttpResponse, web};

use super::card_action::{MediaPath, known_details};
use super::respond::{html, render};
use crate::auth::session::CurrentUser;
use crate::db;
use crate::domain::Availability;
use crate::domain::TitleId;
use crate::domain::eligibility::Facts;
use crate::engine::rows::{Card, Row};
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::media::{Kind, TABS};
use crate::state::AppState;
use crate::views::card::CardView;
use crate::views::details::{DetailsFragment, DetailsPage, DetailsView};

/// Where the title is in the user's rows: the tab, the row's title and the card.
type Placed = (&'static str, String, Card);

pub async fn page(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    path: web::Path<MediaPath>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let title = known_details(&state, &http, kind, id).await?;
    let eligibility = crate::domain::Eligibility::limit_only(user.rating_limit.as_deref());
    if !eligibility.allows(Facts::of(kind, id, title.certification().as_deref())) {
        return Err(AppError::NotFound);
    }
    let (placed, cached, requests_enabled) = look_up(&state, user.id, kind, id).await?;
    let back = placed
        .as_ref()
        .map_or_else(|| "/".to_owned(), |(tab, _, _)| format!("/?tab={tab}"));
    let card = placed.as_ref().map_or_else(
        || Card::from_details(kind, &title, None),
        |(_, _, c)| c.clone(),
    );
    let (status, plex_url) = cached.map_or((Availability::Unknown, None), |(s, url)| {
        (Availability::from_stored(&s), url)
    });
    let image_base = &state.ctx.config.upstreams.tmdb_image;
    let mut view = CardView::from_card(&card, status, &back, image_base, requests_enabled);
    view.plex_url = plex_url.filter(|_| status.on_plex());
    let why = placed.map(|(_, row, card)| match card.because {
        Some(because) => format!("Picked for “{row}”, because you watched {because}."),
        None => format!("Picked for “{row}”."),
    });
    let details = DetailsView::new(view, &title, why);
    if response.is_fragment() {
        return Ok(html(render(&DetailsFragment {
            details,
            page: false,
        })?));
    }
    Ok(html(render(&DetailsPage {
        user,
        body: DetailsFragment {
            details,
            page: true,
        },
    })?))
}

/// The title's place in the user's rows, its cached availability and Plex link, and whether
/// Overseerr is set up: one database read.
async fn look_up(
    state: &AppState,
    user_id: i32,
    kind: Kind,
    id: i64,
) -> Result<(Option<Placed>, Option<(String, Option<String>)>, bool), AppError> {
    let requests_enabled = state.ctx.upstreams().await?.has_overseerr();
    db::run(&state.ctx.pool, move |conn| {
        let mut placed = None;
        for tab in TABS {
            let rows: Vec<Row> = db::recommendations::load(conn, user_id, tab.slug())?
                .and_then(|(json, _)| serde_json::from_str(&json).ok())
                .unwrap_or_default();
            placed = rows.into_iter().find_map(|row| {
                let card = row
                    .cards
                    .into_iter()
                    .find(|c| c.kind == kind && c.tmdb_id == id)?;
                Some((tab.slug(), row.title, card))
            });
            if placed.is_some() {
                break;
            }
        }
        let cached = db::cache::availabilities(conn, &[TitleId(kind, id)])?
            .into_iter()
            .next()
            .map(|a| (a.status, a.plex_url));
        Ok((placed, cached, requests_enabled))
    })
    .await
    .map_err(AppError::from)
}
