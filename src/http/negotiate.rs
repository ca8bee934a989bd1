//! Who is asking: a browser page, HTMX wanting a fragment, or a script wanting JSON.

use actix_web::HttpRequest;
use actix_web::http::header;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    Page,
    Fragment,
    Json,
}

impl ResponseKind {
    /// JSON where the contract offers it and the client accepts it; a fragment for HTMX (but not
    /// for boosted navigation or a history restore, which need the whole page); else a page.
    pub fn of(req: &HttpRequest) -> Self {
        let path = req.path();
        let json_route = path.starts_with("/api/")
            || path == "/refresh/status"
            || (path.starts_with("/media/") && path.ends_with("/status"));
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let accepts_json = accept.contains("application/json");
        if json_route && (accepts_json || path.starts_with("/api/")) {
            return Self::Json;
        }
        // A script that takes JSON and no HTML gets JSON anywhere (a 401, not a 303 to a page).
        if accepts_json && !accept.contains("text/html") && !accept.contains("*/*") {
            return Self::Json;
        }
        if wants_fragment(req) {
            Self::Fragment
        } else {
            Self::Page
        }
    }
}

/// True for an HTMX request that swaps part of a page.
pub fn wants_fragment(req: &HttpRequest) -> bool {
    let is = |name: &str| req.headers().get(name).is_some_and(|v| v == "true");
    is("HX-Request") && !is("HX-Boosted") && !is("HX-History-Restore-Request")
}
