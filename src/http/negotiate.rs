//! Who is asking: a browser page, HTMX wanting a fragment, or a script wanting JSON. Errors are
//! re-rendered here for the asker, because `ResponseError` cannot see the request.

use actix_web::HttpRequest;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use crate::error::AppError;

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

/// Renders any [`AppError`] a handler returned for the kind of client that asked, and marks
/// every answer as varying by `HX-Request`. (The request must not be cloned before routing:
/// the router needs it unshared.)
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let kind = ResponseKind::of(req.request());
    let res = next.call(req).await?;
    let rerendered = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(|e| e.render(kind));
    let mut res = match rerendered {
        Some(response) => res.into_response(response),
        None => res.map_into_boxed_body(),
    };
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}
