//! Static files, embedded in the binary and served as immutable: their links carry a hash of
//! their contents, so a new build is a new URL.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::AppError;

/// Hash of everything under `static/`, computed by build.rs.
const ASSET_HASH: &str = env!("SAGARR_ASSET_HASH");

/// The vendored htmx; its version is in its name (licence: 0BSD, see static/README.md).
pub const HTMX: &str = "htmx-4.0.1.min.js";

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/app.css"),
    ),
    (
        HTMX,
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/htmx-4.0.1.min.js"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../../static/favicon.svg"),
    ),
];

/// The cache-busting link to a static file, for templates.
pub fn asset_url(name: &str) -> String {
    format!("/static/{name}?v={ASSET_HASH}")
}

pub async fn asset(name: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, bytes) = FILES
        .iter()
        .find(|(n, _, _)| *n == name.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(*bytes))
}
