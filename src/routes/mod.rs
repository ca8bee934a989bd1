//! The one route table (docs/http.md "Routes"), and how bad paths, queries and forms are refused.

mod acquire;
mod admin;
mod admin_runs;
mod admin_users;
mod assets;
mod card_action;
mod dashboard;
mod details;
mod health;
mod history;
mod me;
mod media;
mod refresh;
mod respond;
mod sign_in;
mod together;

pub use crate::media::TABS;
pub use assets::{HTMX, asset_url};

use actix_web::web::{self, ServiceConfig};

use crate::error::AppError;

/// Largest form body we accept.
const FORM_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|e, _| {
        AppError::BadRequest(format!("That address is not valid: {e}.")).into()
    }))
    .app_data(
        web::QueryConfig::default().error_handler(|e, _| {
            AppError::BadRequest(format!("The query is not valid: {e}.")).into()
        }),
    )
    .app_data(
        web::FormConfig::default()
            .limit(FORM_LIMIT)
            .error_handler(|e, _| {
                match e {
                    actix_web::error::UrlencodedError::Overflow { .. } => {
                        AppError::PayloadTooLarge(FORM_LIMIT / 1024)
                    }
                    other => AppError::BadRequest(format!("The form is not valid: {other}.")),
                }
                .into()
            }),
    )
    .route("/api/health", web::get().to(health::health))
    .route("/static/{file}", web::get().to(assets::asset))
    .route("/login", web::get().to(sign_in::login_page))
    .route("/auth/plex", web::get().to(sign_in::start))
    .route("/auth/plex/callback", web::get().to(sign_in::finish))
    .route("/logout", web::post().to(sign_in::logout))
    .route("/", web::get().to(dashboard::dashboard))
    .route("/history", web::get().to(history::history))
    .route("/media/{kind}/{tmdb_id}", web::get().to(details::page))
    .route("/media/{kind}/{tmdb_id}/rate", web::post().to(media::rate))
    .route(
        "/media/{kind}/{tmdb_id}/rate",
        web::delete().to(media::unrate),
    )
    .route(
        "/media/{kind}/{tmdb_id}/rate/delete",
        web::post().to(media::unrate),
    )
    .route("/media/{kind}/{tmdb_id}/skip", web::post().to(media::skip))
    .route(
        "/media/{kind}/{tmdb_id}/not-interested",
        web::post().to(history::hide_genre),
    )
    .route(
        "/history/genres/{genre_id}",
        web::delete().to(history::show_genre),
    )
    .route(
        "/history/genres/{genre_id}/delete",
        web::post().to(history::show_genre),
    )
    .route(
        "/media/{kind}/{tmdb_id}/request",
        web::post().to(acquire::request),
    )
    .route(
        "/media/{kind}/{tmdb_id}/watchlist",
        web::post().to(acquire::watchlist),
    )
    .route(
        "/media/{kind}/{tmdb_id}/status",
        web::get().to(acquire::status),
    )
    .route("/me", web::get().to(me::page))
    .route("/me/together", web::post().to(me::set_share))
    .route("/together", web::get().to(together::page))
    .route("/together/ask", web::post().to(together::ask))
    .route("/refresh", web::post().to(refresh::start))
    .route("/refresh/status", web::get().to(refresh::status))
    .route("/admin/refresh", web::post().to(admin_runs::refresh_all))
    .route("/admin", web::get().to(admin::page))
    .route("/admin/settings/{section}", web::post().to(admin::save))
    .route("/admin/test/{section}", web::post().to(admin::test_form))
    .route(
        "/api/admin/test/{section}",
        web::get().to(admin::test_saved),
    )
    .route(
        "/admin/users/{id}/role",
        web::post().to(admin_users::set_role),
    )
    .route(
        "/admin/users/{id}/remove",
        web::post().to(admin_users::remove),
    )
    .route(
        "/admin/users/{id}/rating-limit",
        web::post().to(admin_users::set_rating_limit),
    )
    .default_service(web::to(not_found));
}

/// Routes of `sagarr demo` only: `serve` never has them.
pub fn configure_demo(cfg: &mut ServiceConfig) {
    cfg.route("/demo/sign-in", web::post().to(sign_in::demo_sign_in));
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}
