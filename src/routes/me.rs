//! `GET /me` and `POST /me/together`: the user's own page, his rating limit and where it comes
//! from, and whether others may plan a watch with him (docs/http.md).

use actix_web::{HttpResponse, web};
use askama::Template;

use super::respond::{html, render, see_other};
use crate::auth::session::{self, CurrentUser};
use crate::db::{self, users::User};
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    user: User,
    share: ShareForm,
}

/// The consent form; with HTMX it replaces itself, saying what was saved.
#[derive(Template)]
#[template(path = "partials/share_form.html")]
struct ShareForm {
    share: bool,
    notice: Option<(bool, String)>,
}

impl MePage {
    fn limit_source(&self) -> &'static str {
        match self.user.rating_limit_source.as_str() {
            db::users::LIMIT_FROM_PLEX => "from the server owner's share settings on Plex",
            db::users::LIMIT_PLEX_HOME => "from your Plex Home profile",
            _ => "set by the server's owner in Sagarr",
        }
    }
}

pub async fn page(
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse, AppError> {
    let notice = session::take_flash(&session)
        .filter(|f| f.anchor == "me")
        .map(|f| (f.ok, f.message));
    let share = ShareForm {
        share: user.share_together,
        notice,
    };
    Ok(html(render(&MePage { user, share })?))
}

#[derive(serde::Deserialize)]
pub struct ShareInput {
    share: Option<String>,
}

pub async fn set_share(
    response: ResponseKind,
    session: actix_session::Session,
    CurrentUser(user): CurrentUser,
    state: web::Data<AppState>,
    form: web::Form<ShareInput>,
) -> Result<HttpResponse, AppError> {
    let share = match form.share.as_deref() {
        Some("on") => true,
        Some("off") => false,
        _ => {
            return Err(AppError::BadRequest(
                "Send share=on or share=off.".to_owned(),
            ));
        }
    };
    let user_id = user.id;
    // Everyone's: it changes who is in others' pickers and which group pages may be built.
    db::write(&state.ctx.pool, db::Scope::Everyone, move |c| {
        Ok(db::together::set_share(c, user_id, share)?)
    })
    .await?;
    let message = if share {
        "Saved: others on this server can now plan a watch with you."
    } else {
        "Saved: nobody can pick you on Watch together, and your titles are not used there."
    }
    .to_owned();
    if response.is_fragment() {
        return Ok(html(render(&ShareForm {
            share,
            notice: Some((true, message)),
        })?));
    }
    session::set_flash(&session, true, message, "me");
    Ok(see_other("/me"))
}
