//! `GET /`: the dashboard. For now it greets the user; rows arrive with the recommendation engine.

use actix_web::web;
use askama::Template;
use askama_web::WebTemplate;

use crate::auth::session::CurrentUser;
use crate::db::users::User;
use crate::error::AppError;

/// The dashboard's tabs, in order.
pub const TABS: [Tab; 3] = [Tab::Movies, Tab::Tv, Tab::Documentaries];

/// One tab of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Movies,
    Tv,
    Documentaries,
}

impl Tab {
    pub const ALL: [Tab; 3] = TABS;

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == raw)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Movies => "movies",
            Tab::Tv => "tv",
            Tab::Documentaries => "documentaries",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Movies => "Movies",
            Tab::Tv => "TV",
            Tab::Documentaries => "Documentaries",
        }
    }
}

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
    Ok(DashboardPage { user, tab })
}
