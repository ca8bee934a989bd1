//! The one error type handlers return, and how it is shown: an HTML page, an HTMX fragment or
//! JSON (chosen by [`crate::http::negotiate`]). Causes are logged, never shown.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::http::negotiate::ResponseKind;
use crate::integrations::UpstreamError;

#[derive(thiserror::Error)]
pub enum AppError {
    /// Not signed in (or the session has ended).
    #[error("Please sign in.")]
    Unauthenticated,
    /// Signed in, or trying to, but not allowed; the message says why.
    #[error("{0}")]
    Forbidden(String),
    /// Bad path, query or form value; the message says which and why.
    #[error("{0}")]
    BadRequest(String),
    #[error("There is no page at this address.")]
    NotFound,
    #[error("That request is too large (the limit is {0} KB).")]
    PayloadTooLarge(usize),
    /// The request body did not arrive in time (it trickled in).
    #[error("The request took too long to arrive, so Sagarr stopped waiting. Nothing was changed.")]
    RequestTimeout,
    /// Too many attempts from one client; the message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// The request conflicts with the current state (demoting the last admin).
    #[error("{0}")]
    Conflict(String),
    /// An upstream failed during an action; the message names the service and the reason.
    #[error("{0}")]
    Upstream(#[from] UpstreamError),
    /// Our own failure (database, worker pool, template). The user sees `context`; the log gets
    /// the cause with every error beneath it ([`error_chain`]).
    #[error(
        "Something went wrong on our side ({context}). Try again; if it keeps happening, the logs say more."
    )]
    Internal {
        context: &'static str,
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// The error and every cause beneath it, one per line (zero-to-production's `error_chain_fmt`):
/// what `Debug` prints, so a `?` that ends in a log keeps the whole trail.
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        chain.push_str("\n  caused by: ");
        chain.push_str(&inner.to_string());
        cause = inner.source();
    }
    chain
}

impl std::fmt::Debug for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&error_chain(self))
    }
}

impl AppError {
    /// An internal failure while doing `context`; the cause (and its own causes) are logged
    /// when the error is shown.
    pub fn internal(
        context: &'static str,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Internal {
            context,
            cause: cause.into(),
        }
    }

    fn title(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "Sign in",
            Self::Forbidden(_) => "Not allowed",
            Self::BadRequest(_) => "That didn't work",
            Self::NotFound => "Not found",
            Self::Conflict(_) => "Not possible",
            Self::PayloadTooLarge(_) => "Too large",
            Self::TooManyRequests(_) => "Slow down",
            Self::RequestTimeout => "Too slow",
            Self::Upstream(_) => "A service didn't answer",
            Self::Internal { .. } => "Something went wrong",
        }
    }

    /// Renders the error for the kind of client that asked.
    pub fn render(&self, kind: ResponseKind) -> HttpResponse {
        self.render_for(kind, None)
    }

    /// Renders the error; a failure on our side also names the request (`reference`, its id in
    /// the logs) so the one who saw it can quote it to the admin.
    pub fn render_for(&self, kind: ResponseKind, reference: Option<&str>) -> HttpResponse {
        let mut message = self.to_string();
        if let Self::Internal { context, cause } = self {
            let cause = error_chain(cause.as_ref());
            tracing::error!(%context, %cause, request_id = reference.unwrap_or("-"), "request failed");
            if let Some(reference) = reference {
                message.push_str(&format!(" Quote this to the admin: {reference}."));
            }
        }
        let status = self.status_code();
        match (self, kind) {
            (Self::Unauthenticated, ResponseKind::Page) => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish(),
            (Self::Unauthenticated, ResponseKind::Fragment) => HttpResponse::Unauthorized()
                .insert_header(("HX-Redirect", "/login"))
                .content_type("text/html; charset=utf-8")
                .body(
                    ErrorFragment { message: &message }
                        .render()
                        .unwrap_or(message),
                ),
            (_, ResponseKind::Json) => {
                HttpResponse::build(status).json(serde_json::json!({ "error": message }))
            }
            (_, ResponseKind::Fragment) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(
                    ErrorFragment { message: &message }
                        .render()
                        .unwrap_or(message),
                ),
            (_, ResponseKind::Page) => {
                let page = ErrorPage {
                    title: self.title(),
                    message: &message,
                    status: status.as_u16(),
                };
                HttpResponse::build(status)
                    .content_type("text/html; charset=utf-8")
                    .body(page.render().unwrap_or(message))
            }
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Upstream(_) => StatusCode::BAD_GATEWAY,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render(ResponseKind::Page)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    status: u16,
}

#[derive(Template)]
#[template(path = "partials/error.html")]
struct ErrorFragment<'a> {
    message: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("a query failed")]
    struct Outer(#[source] diesel::result::Error);

    #[test]
    fn an_internal_error_keeps_its_whole_trail_for_the_log_and_shows_only_its_context() {
        let error = AppError::internal("database query", Outer(diesel::result::Error::NotFound));
        let shown = error.to_string();
        assert!(shown.contains("(database query)"), "{shown}");
        assert!(
            !shown.contains("not found"),
            "the cause stays in the log: {shown}"
        );
        let logged = format!("{error:?}");
        assert!(logged.starts_with(&shown), "{logged}");
        assert!(logged.contains("caused by: a query failed"), "{logged}");
        assert!(logged.contains("caused by: Record not found"), "{logged}");
    }
}
