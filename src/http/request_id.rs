//! Every request runs in a tracing span with its own id (`request{id=…}` on each log line it
//! causes), and the answer carries the id in `X-Request-Id`; an error on our side shows it
//! ("Quote this to the admin: …", `error::AppError::render_for`), so a report leads to its log.

use std::sync::atomic::{AtomicU64, Ordering};

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// A request's id: 12 hex digits, distinct within a process's life.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const ID_MASK: u64 = 0xffff_ffff_ffff;
/// Odd, so `n × STEP` modulo 2⁴⁸ never repeats within 2⁴⁸ requests, and spread, so
/// consecutive ids look unrelated in a log.
const STEP: u64 = 0x9e37_79b9_7f4a_7c15;

/// Where request ids come from: a random start drawn once, and a count. A request costs an
/// atomic add, not a call to the OS's random source (which showed in the dashboard bench).
pub struct Ids {
    start: u64,
    count: AtomicU64,
}

impl Default for Ids {
    fn default() -> Self {
        let mut bytes = [0u8; 8];
        // No randomness: the time still tells runs apart in a log.
        let start = match getrandom::fill(&mut bytes) {
            Ok(()) => u64::from_le_bytes(bytes),
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
        };
        Self {
            start,
            count: AtomicU64::new(0),
        }
    }
}

impl Ids {
    /// 12 hex digits, distinct within a process's life.
    pub fn next(&self) -> String {
        let n = self.count.fetch_add(1, Ordering::Relaxed);
        let id = self.start.wrapping_add(n.wrapping_mul(STEP)) & ID_MASK;
        format!("{id:012x}")
    }
}

pub async fn trace_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = match req.app_data::<actix_web::web::Data<Ids>>() {
        Some(ids) => ids.next(),
        None => Ids::default().next(),
    };
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
        let source = super::Ids::default();
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| source.next()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(
            ids.iter()
                .all(|id| id.len() == 12 && id.chars().all(|c| c.is_ascii_hexdigit()))
        );
    }
}
