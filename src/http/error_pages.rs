//! Errors re-rendered for whoever asked (page, fragment or JSON), as a middleware, because
//! `ResponseError` cannot see the request.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

use super::negotiate::ResponseKind;
use crate::error::AppError;

/// Renders any [`AppError`] a handler returned for the kind of client that asked, and marks
/// every answer as varying by `HX-Request`. (The request must not be cloned before routing:
/// the router needs it unshared.)
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let kind = ResponseKind::of(req.request());
    let reference = req
        .extensions()
        .get::<super::request_id::RequestId>()
        .map(|id| id.0.clone());
    let res = next.call(req).await?;
    let rerendered = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(|e| e.render_for(kind, reference.as_deref()));
    let mut res = match rerendered {
        Some(response) => res.into_response(response),
        None => res.map_into_boxed_body(),
    };
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}
