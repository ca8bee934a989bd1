//! Refuses state-changing requests from other sites (docs/http.md; after Go's
//! `http.CrossOriginProtection`). A request without `Sec-Fetch-Site`, `Origin` or `Referer`
//! comes from a script, not a browser, and is let through. The origin must match in scheme too:
//! `http://host` is another origin than `https://host`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::Data;

use crate::config::without_default_port;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::state::AppState;

pub async fn reject_cross_site<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !same_site(&req) {
        tracing::warn!(path = %req.path(), "refused a cross-site request");
        let refusal = AppError::Forbidden(
            "This request came from another site, so Sagarr refused it. Nothing was changed."
                .to_owned(),
        )
        .render(ResponseKind::of(req.request()));
        return Ok(req.into_response(refusal).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

fn same_site(req: &ServiceRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = header("origin").or_else(|| header("referer")) else {
        return true;
    };
    let Some(origin) = origin_of(origin) else {
        return false; // "null" or garbage: a browser hiding where it came from
    };
    let Some(state) = req.app_data::<Data<AppState>>() else {
        return false;
    };
    // With a public URL, that is the one origin; else what this request was sent to.
    let expected = match &state.ctx.config.public_url {
        Some(url) => url.origin().to_owned(),
        None => state.origin_of(req.request()).url(),
    };
    same_origin(origin, &expected)
}

/// Whether two origins are one: case aside, and a default port written out or not
/// (`https://host:443` is `https://host`).
pub fn same_origin(a: &str, b: &str) -> bool {
    without_default_port(a).eq_ignore_ascii_case(&without_default_port(b))
}

/// `scheme://host[:port]` of an absolute URL (an `Origin`, or a `Referer` with its path).
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (!rest[..end].is_empty() && !scheme.is_empty()).then(|| &url[..scheme.len() + 3 + end])
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_origin_is_scheme_host_and_port() {
        assert_eq!(
            super::origin_of("https://sagarr.example.com:8443/path?q"),
            Some("https://sagarr.example.com:8443")
        );
        assert_eq!(super::origin_of("null"), None);
        assert!(super::same_origin(
            "https://sagarr.example.com",
            "https://Sagarr.example.com:443"
        ));
        assert!(super::same_origin("http://h:80", "http://h"));
        assert!(!super::same_origin("https://h:80", "https://h"));
        assert!(!super::same_origin("http://h", "https://h"));
        assert_eq!(super::origin_of("https://"), None);
    }
}
