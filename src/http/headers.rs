//! Response headers every answer gets: security headers, a no-cache default for dynamic pages,
//! and `Secure` on the session cookie whenever the browser reached us over https.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Data;

use crate::auth::session::COOKIE_NAME;
use crate::state::AppState;

const CSP: &str = "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; script-src 'self'; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn add_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let public_https = state
        .as_ref()
        .and_then(|s| s.ctx.config.public_url.as_ref())
        .map(|url| url.is_https());
    // Admin pages and fragments show settings: never kept by a browser or proxy cache.
    let private = req.path().starts_with("/admin") || req.path().starts_with("/api/admin");
    let mut res = next.call(req).await?;
    // Asked only of an answer that sets a cookie, not of every view.
    let https = res.headers().contains_key(header::SET_COOKIE)
        && match (public_https, &state) {
            (Some(https), _) => https,
            // No public URL: believe a trusted proxy's X-Forwarded-Proto / Forwarded, so a
            // plain http LAN install keeps working and a Traefik https one gets Secure cookies.
            (None, Some(state)) => state.origin_of(res.request()).scheme == "https",
            (None, None) => false,
        };
    let headers = res.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::CACHE_CONTROL, "no-cache, private"),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if private {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Only a configured https origin: a browser told by a LAN http answer would lock itself out.
    if public_https == Some(true) {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if https {
        mark_session_cookie_secure(headers);
    }
    Ok(res)
}

fn mark_session_cookie_secure(headers: &mut actix_web::http::header::HeaderMap) {
    let prefix = format!("{COOKIE_NAME}=");
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let value = match cookie.to_str() {
            Ok(text) if text.starts_with(&prefix) && !text.contains("; Secure") => {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(cookie)
            }
            _ => cookie,
        };
        headers.append(HeaderName::from_static("set-cookie"), value);
    }
}
