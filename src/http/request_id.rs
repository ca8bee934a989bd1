//! Every request runs in a tracing span with its own id (`request{id=…}` on each log line it
//! causes), and the answer carries the id in `X-Request-Id`; an error on our side shows it
//! ("Quote this to the admin: …", `error::AppError::render_for`), so a report leads to its log.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// A request's id: 12 hex digits, distinct within a process's life.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// 12 random hex digits from the OS (a few hundred nanoseconds; no state to keep).
fn next_id() -> String {
    let mut bytes = [0u8; 6];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the time still tells requests apart in a log.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return format!("{:012x}", nanos & 0xffff_ffff_ffff);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = next_id();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", id = %id);
    let mut res = next.call(req).instrument(span).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_twelve_hex_digits_and_differ() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| super::next_id()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }
}
