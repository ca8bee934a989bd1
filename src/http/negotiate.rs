//! Who is asking: a browser page, HTMX wanting a fragment, or a script wanting JSON. Decided
//! once per request, here: handlers take a [`ResponseKind`] as an extractor, the error pages and
//! the guards ask [`ResponseKind::of`], and the routes that answer in JSON say so in the route
//! table ([`JsonRoute`] on their resource), not by their paths.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    Page,
    Fragment,
    Json,
}

/// Set on a route's resource in the route table (`routes::configure`) when it answers in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonRoute {
    /// JSON to anyone (`/api/…`).
    Always,
    /// JSON to a client that accepts it (or that is not HTMX asking for the fragment).
    WhenAccepted,
}

impl ResponseKind {
    /// JSON where the route offers it and the client accepts it; a fragment for HTMX (but not
    /// for boosted navigation or a history restore, which need the whole page); else a page.
    /// Before routing (the guards in front of it) no route has said it offers JSON.
    pub fn of(req: &HttpRequest) -> Self {
        let route = req.app_data::<JsonRoute>().copied();
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let accepts_json = accept.contains("application/json");
        match route {
            Some(JsonRoute::Always) => return Self::Json,
            Some(JsonRoute::WhenAccepted) if accepts_json => return Self::Json,
            _ => {}
        }
        // A script that takes JSON and no HTML gets JSON anywhere (a 401, not a 303 to a page).
        if accepts_json && !accept.contains("text/html") && !accept.contains("*/*") {
            return Self::Json;
        }
        if wants_fragment(req) {
            Self::Fragment
        } else {
            Self::Page
        }
    }

    /// HTMX swapping part of a page.
    pub fn is_fragment(self) -> bool {
        self == Self::Fragment
    }
}

impl FromRequest for ResponseKind {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

/// True for an HTMX request that swaps part of a page.
fn wants_fragment(req: &HttpRequest) -> bool {
    let is = |name: &str| req.headers().get(name).is_some_and(|v| v == "true");
    is("HX-Request") && !is("HX-Boosted") && !is("HX-History-Restore-Request")
}
