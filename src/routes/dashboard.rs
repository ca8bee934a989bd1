//! `GET /`: the dashboard. For now it greets the user; rows arrive with the recommendation engine.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::session::CurrentUser;
use crate::db::users::User;
use crate::error::AppError;
use crate::media::Tab;

#[derive(serde::Deserialize)]
pub struct DashboardQuery {
    tab: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    user: User,
    tab: Tab,
}

pub async fn dashboard(
    CurrentUser(user): CurrentUser,
    state: web::Data<crate::state::AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<impl actix_web::Responder, AppError> {
    let tab = match query.tab.as_deref() {
        None | Some("") => Tab::Movies,
        Some(raw) => Tab::parse(raw).ok_or_else(|| {
            AppError::BadRequest(format!(
                "There is no tab called \"{raw}\": use movies, tv or documentaries."
            ))
        })?,
    };
    // Active users get the nightly refresh; this writes at most once an hour.
    let user_id = user.id;
    crate::db::run(&state.pool, move |c| {
        Ok(crate::db::users::touch_seen(c, user_id, crate::db::now())?)
    })
    .await?;
    Ok(DashboardPage { user, tab })
}
