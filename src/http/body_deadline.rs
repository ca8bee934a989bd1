//! A request body must arrive within [`BODY_DEADLINE`] of the request, whatever its framing
//! (`Content-Length` or chunked): one that trickles in (a byte a second), or a chunked body
//! that never ends, would otherwise hold its connection for as long as the sender likes. actix
//! cuts slow headers itself; this cuts slow bodies, answering 408 and closing. A body the
//! handler did not read is drained after it, against the same deadline, so the connection is
//! not left waiting for it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
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

/// The most of an unread body drained before the connection is kept for the next request;
/// past it the connection is closed instead.
const DRAINED_AT_MOST: usize = 64 * 1024;

pub async fn cut_slow_bodies<B: MessageBody + 'static>(
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
    let deadline = Instant::now() + BODY_DEADLINE;
    let (http_req, payload) = req.into_parts();
    // The body is shared between the handler's reading and ours after it: a handler that never
    // reads the body (a GET, say) must not leave its connection waiting for it.
    let body = Rc::new(Body {
        payload: RefCell::new(Some(payload)),
        ended: Cell::new(false),
        cut: Cell::new(false),
    });
    let reading = body.clone();
    let timed = futures_util::stream::unfold((), move |()| {
        let body = reading.clone();
        async move {
            let item = body.next_within(deadline).await?;
            Some((item, ()))
        }
    });
    let boxed: PayloadStream = Box::pin(timed);
    let req = ServiceRequest::from_parts(http_req, Payload::from(boxed));
    let kind = ResponseKind::of(req.request());
    let res = next.call(req).await?;
    if !body.cut.get() && !body.ended.get() {
        body.drain(deadline).await;
    }
    if body.ended.get() {
        return Ok(res.map_into_left_body());
    }
    // The rest of the body will not be read. The answer holds the unread body until it is
    // sent, so actix sees it unfinished and closes the connection after a short linger (a
    // dropped chunked body is otherwise drained for as long as the client keeps it open).
    let unread = body.payload.borrow_mut().take();
    let mut res = if body.cut.get() {
        tracing::info!(path = %res.request().path(), "cut a request body that did not arrive in time");
        res.into_response(AppError::RequestTimeout.render(kind))
    } else {
        // Drained past the cap, or the connection failed: answer as the handler did.
        res.map_into_boxed_body()
    };
    res.response_mut()
        .head_mut()
        .set_connection_type(ConnectionType::Close);
    Ok(res
        .map_body(|_, sent| {
            BoxBody::new(HoldingUnread {
                sent,
                _unread: unread,
            })
        })
        .map_into_right_body())
}

/// An answer's body that keeps the request's unread body alive until it has been sent.
struct HoldingUnread {
    sent: BoxBody,
    _unread: Option<Payload>,
}

impl MessageBody for HoldingUnread {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> actix_web::body::BodySize {
        self.sent.size()
    }

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, Self::Error>>> {
        std::pin::Pin::new(&mut self.sent).poll_next(cx)
    }
}

/// A request body, read against one deadline.
struct Body {
    payload: RefCell<Option<Payload>>,
    /// Read to its end.
    ended: Cell<bool>,
    /// Not complete by the deadline.
    cut: Cell<bool>,
}

impl Body {
    /// The next piece, or the end, or a timeout error once the deadline has passed.
    async fn next_within(&self, deadline: Instant) -> Option<Result<Bytes, PayloadError>> {
        let mut payload = self.payload.borrow_mut().take()?;
        let left = deadline.saturating_duration_since(Instant::now());
        match actix_web::rt::time::timeout(left, payload.next()).await {
            Ok(Some(item)) => {
                *self.payload.borrow_mut() = Some(payload);
                Some(item)
            }
            Ok(None) => {
                self.ended.set(true);
                None
            }
            Err(_) => {
                // Kept, unread: the answer holds it until sent (see `HoldingUnread`).
                *self.payload.borrow_mut() = Some(payload);
                self.cut.set(true);
                let late = std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                );
                Some(Err(PayloadError::Io(late)))
            }
        }
    }

    /// Reads and drops what the handler left unread, up to [`DRAINED_AT_MOST`], until the end
    /// or the deadline.
    async fn drain(&self, deadline: Instant) {
        let mut drained = 0;
        while drained <= DRAINED_AT_MOST {
            match self.next_within(deadline).await {
                Some(Ok(bytes)) => drained += bytes.len(),
                Some(Err(_)) | None => return,
            }
        }
    }
}
