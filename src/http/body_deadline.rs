//! A request body must arrive within [`BODY_DEADLINE`] of the request: one that trickles in
//! (a byte a second) would otherwise hold its connection for as long as the sender likes.
//! actix cuts slow headers itself; this cuts slow bodies, answering 408 and closing.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};

type PayloadStream = std::pin::Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

use crate::error::AppError;
use crate::http::negotiate::ResponseKind;

/// How long a whole request body may take to arrive.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

pub async fn cut_slow_bodies<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let has_body = req.headers().contains_key("content-length")
        || req.headers().contains_key("transfer-encoding");
    if !has_body {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let cut = Rc::new(Cell::new(false));
    let deadline = Instant::now() + BODY_DEADLINE;
    let (http_req, payload) = req.into_parts();
    let flag = cut.clone();
    let timed = futures_util::stream::unfold(Some(payload), move |payload| {
        let flag = flag.clone();
        async move {
            let mut payload = payload?;
            let left = deadline.saturating_duration_since(Instant::now());
            match actix_web::rt::time::timeout(left, payload.next()).await {
                Ok(Some(item)) => Some((item, Some(payload))),
                Ok(None) => None,
                Err(_) => {
                    flag.set(true);
                    let late = std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    );
                    Some((Err(PayloadError::Io(late)), None))
                }
            }
        }
    });
    let boxed: PayloadStream = Box::pin(timed);
    let req = ServiceRequest::from_parts(http_req, Payload::from(boxed));
    let kind = ResponseKind::of(req.request());
    let res = next.call(req).await?;
    if !cut.get() {
        return Ok(res.map_into_left_body());
    }
    tracing::warn!(path = %res.request().path(), "cut a request body that trickled in");
    let mut refusal = AppError::RequestTimeout.render(kind);
    refusal
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(res.into_response(refusal).map_into_right_body())
}
