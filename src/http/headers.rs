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
    let https = match req
        .app_data::<Data<AppState>>()
        .and_then(|s| s.config.public_url.clone())
    {
        Some(url) => url.is_https(),
        // No public URL: trust what the proxy says (X-Forwarded-Proto / Forwarded), so a plain
        // http LAN install keeps working and a Traefik https one gets Secure cookies.
        None => req.connection_info().scheme() == "https",
    };
    let mut res = next.call(req).await?;
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
