//! The card actions (docs/http.md `/media/{kind}/{tmdb_id}/…`): rate, undo, skip, request,
//! watchlist, status. HTMX gets the fragment to swap; a plain form gets a 303 back.

use actix_session::Session;
use actix_web::{HttpResponse, web};

use super::card_action::{ActionForm, MediaPath, actionable, done_and_replaced, save};
use super::respond::{Return, back_to, fragment_or_redirect, render};
use crate::auth::session::CurrentUser;
use crate::db;
use crate::domain::TitleId;
use crate::domain::Verdict;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;
use crate::views::history_row::HistoryRowFragment;

/// `POST /media/{kind}/{tmdb_id}/rate`: `rating=1` (liked) or `rating=-1` (disliked).
pub async fn rate(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let title = path.parse()?;
    let known = actionable(&state, &http, &user, title).await?;
    let verdict = Verdict::seen(form.rating.as_deref().unwrap_or_default()).ok_or_else(|| {
        AppError::BadRequest("rating must be 1 (liked) or -1 (disliked).".to_owned())
    })?;
    let saved = save(&state, user.id, known.record(title, verdict)).await?;
    let back = back_to(form.back.as_deref(), "/");
    let said = if verdict == Verdict::Liked {
        "liked"
    } else {
        "didn't like"
    };
    let message = format!("Noted: you {said} {}.", saved.title);
    let to = Return::page(&back);
    fragment_or_redirect(
        response,
        &session,
        to,
        true,
        message,
        |message| async move {
            if back.starts_with("/history") {
                let image_base = &state.ctx.config.upstreams.tmdb_image;
                return render(&HistoryRowFragment::new(&saved, &back, image_base));
            }
            done_and_replaced(&state, &user, title, &saved.title, message, &back).await
        },
    )
    .await
}

/// `DELETE /media/{kind}/{tmdb_id}/rate` and `POST …/rate/delete`: undo, so the title may come back.
pub async fn unrate(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<MediaPath>,
    form: Option<web::Form<ActionForm>>,
) -> Result<HttpResponse, AppError> {
    let TitleId(kind, id) = path.parse()?;
    let user_id = user.id;
    let deleted = db::write(&state.ctx.pool, db::Scope::Records(user_id), move |c| {
        let record = db::preferences::find(c, user_id, kind, id)?;
        db::preferences::delete(c, user_id, kind, id)?;
        Ok(record)
    })
    .await?;
    let Some(deleted) = deleted else {
        return Err(AppError::NotFound);
    };
    let form = form.map(web::Form::into_inner).unwrap_or_default();
    let back = back_to(form.back.as_deref(), "/history");
    let message = format!(
        "Deleted the record of {}; it may be recommended again.",
        deleted.title
    );
    // The history row is swapped for nothing: it is gone.
    let to = Return::page(&back);
    fragment_or_redirect(response, &session, to, true, message, |_| async {
        Ok(String::new())
    })
    .await
}

/// `POST /media/{kind}/{tmdb_id}/skip`: not interested (rating -1, action `skip`).
pub async fn skip(
    response: ResponseKind,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    path: web::Path<MediaPath>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let title = path.parse()?;
    let known = actionable(&state, &http, &user, title).await?;
    let saved = save(&state, user.id, known.record(title, Verdict::Skipped)).await?;
    let message = format!("Skipped {}.", saved.title);
    let back = back_to(form.back.as_deref(), "/");
    let to = Return::page(&back);
    fragment_or_redirect(response, &session, to, true, message, |_| async move {
        // The card's own line also says where the skip can be undone.
        let message = format!("Skipped {}. Undo it in My history.", saved.title);
        done_and_replaced(&state, &user, title, &saved.title, message, &back).await
    })
    .await
}
