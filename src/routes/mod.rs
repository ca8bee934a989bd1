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

use actix_web::guard;
use actix_web::http::Method;
use actix_web::web::{self, ServiceConfig};

use crate::error::AppError;
use crate::http::negotiate::JsonRoute;

/// Largest form body we accept.
const FORM_LIMIT: usize = 16 * 1024;

/// One route: its method, its path pattern, and whether it answers in JSON.
#[derive(Debug, Clone)]
pub struct RouteEntry {
    pub method: Method,
    pub path: &'static str,
    pub json: Option<JsonRoute>,
}

/// Writes the route table once: [`ROUTES`] lists it (the `back` pages are checked against it,
/// and the tests try every entry), and `register` serves it.
macro_rules! route_table {
    ($($method:ident $path:literal $(json $json:ident)? => $handler:path,)*) => {
        /// Every route, in the order they are matched.
        pub const ROUTES: &[RouteEntry] = &[$(RouteEntry {
            method: Method::$method,
            path: $path,
            json: route_table!(@json $($json)?),
        },)*];

        fn register(cfg: &mut ServiceConfig) {
            $(cfg.service(
                resource(Method::$method, $path, route_table!(@json $($json)?)).to($handler),
            );)*
        }
    };
    (@json) => { None };
    (@json $json:ident) => { Some(JsonRoute::$json) };
}

route_table! {
    // The dashboard first: it is most requests, and every route above it is a match tried
    // (`/static/{file}` a pattern match) before it is found.
    GET "/" => dashboard::dashboard,
    GET "/api/health" json Always => health::health,
    GET "/static/{file}" => assets::asset,
    GET "/login" => sign_in::login_page,
    GET "/auth/plex" => sign_in::start,
    GET "/auth/plex/callback" => sign_in::finish,
    POST "/logout" => sign_in::logout,
    GET "/history" => history::history,
    GET "/media/{kind}/{tmdb_id}" => details::page,
    POST "/media/{kind}/{tmdb_id}/rate" => media::rate,
    DELETE "/media/{kind}/{tmdb_id}/rate" => media::unrate,
    POST "/media/{kind}/{tmdb_id}/rate/delete" => media::unrate,
    POST "/media/{kind}/{tmdb_id}/skip" => media::skip,
    POST "/media/{kind}/{tmdb_id}/not-interested" => history::hide_genre,
    DELETE "/history/genres/{genre_id}" => history::show_genre,
    POST "/history/genres/{genre_id}/delete" => history::show_genre,
    POST "/media/{kind}/{tmdb_id}/request" => acquire::request,
    POST "/media/{kind}/{tmdb_id}/watchlist" => acquire::watchlist,
    GET "/media/{kind}/{tmdb_id}/status" json WhenAccepted => acquire::status,
    GET "/me" => me::page,
    POST "/me/together" => me::set_share,
    GET "/together" => together::page,
    POST "/together/ask" => together::ask,
    POST "/refresh" => refresh::start,
    GET "/refresh/status" json WhenAccepted => refresh::status,
    POST "/admin/refresh" => admin_runs::refresh_all,
    GET "/admin" => admin::page,
    POST "/admin/settings/{section}" => admin::save,
    POST "/admin/test/{section}" => admin::test_form,
    GET "/api/admin/test/{section}" json Always => admin::test_saved,
    POST "/admin/users/{id}/role" => admin_users::set_role,
    POST "/admin/users/{id}/remove" => admin_users::remove,
    POST "/admin/users/{id}/rating-limit" => admin_users::set_rating_limit,
}

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
    );
    register(cfg);
    cfg.default_service(web::to(not_found));
}

/// A route's resource: its method as its guard (another method falls through to the next
/// route of the same path, or to the 404), and the mark of a route that answers in JSON
/// (`http::negotiate::ResponseKind`).
fn resource(method: Method, path: &str, json: Option<JsonRoute>) -> actix_web::Resource {
    let resource = web::resource(path).guard(guard::Method(method));
    match json {
        Some(offers) => resource.app_data(offers),
        None => resource,
    }
}

/// Routes of `sagarr demo` only: `serve` never has them.
pub fn configure_demo(cfg: &mut ServiceConfig) {
    cfg.route("/demo/sign-in", web::post().to(sign_in::demo_sign_in));
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_a_form_comes_back_to_is_a_get_route_of_the_table() {
        for (page, _) in respond::RETURN_PAGES {
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.method == Method::GET && r.path == *page),
                "{page} is not a page of the route table"
            );
        }
    }

    #[test]
    fn no_route_is_written_twice() {
        for (i, route) in ROUTES.iter().enumerate() {
            assert!(
                !ROUTES[i + 1..]
                    .iter()
                    .any(|r| r.method == route.method && r.path == route.path),
                "{} {} twice",
                route.method,
                route.path
            );
        }
    }
}
