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

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A random start, so ids differ between restarts without a system call per request.
fn start() -> u64 {
    let mut seed = [0u8; 8];
    let _ = getrandom::fill(&mut seed);
    u64::from_le_bytes(seed)
}

/// splitmix64: consecutive counts look unrelated, as a log reader wants.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn next_id() -> String {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(start);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{:012x}", mix(seed.wrapping_add(n)) & 0xffff_ffff_ffff)
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
