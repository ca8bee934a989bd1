//! A fake Plex: plex.tv's PIN sign-in and `/api/v2/user` (docs/upstreams.md, Plex), and the
//! Discover host's search, metadata and watchlist (1.7-1.8). One server, because both trust
//! the same user tokens; point `PLEX_TV_URL` and `PLEX_DISCOVER_URL` at it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::sync::lock;
use super::{FakeServer, Fault, Flavor, catalog};
use crate::media::Kind;

/// A Plex account the fake knows, with the token plex.tv would hand out for it.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub token: String,
    /// A Plex Home managed user (`restricted: true`).
    pub managed: bool,
}

impl FakeAccount {
    pub fn new(id: i64, username: &str) -> Self {
        Self {
            id,
            username: username.to_owned(),
            email: format!("{}@example.com", username.to_lowercase()),
            token: format!("token-{id}-{}", username.to_lowercase()),
            managed: false,
        }
    }

    /// The same account as a Plex Home managed user (a kid's account).
    pub fn managed(mut self) -> Self {
        self.managed = true;
        self
    }
}

/// A PIN as the fake keeps it, and what the app sent when creating it.
#[derive(Debug, Clone)]
pub struct FakePin {
    pub id: i64,
    pub code: String,
    pub client_id: String,
    pub product: String,
    pub strong: bool,
    pub auth_token: Option<String>,
    pub expired: bool,
}

#[derive(Default)]
struct State {
    accounts: Vec<FakeAccount>,
    pins: Vec<FakePin>,
    user_calls: usize,
    /// (token, ratingKey) of every watchlist add.
    watchlist_adds: Vec<(String, String)>,
    /// The watchlist moved to another host (as metadata.provider → discover.provider did in
    /// Aug 2025): this one answers 404 "Section 'watchlist' not found!".
    watchlist_moved: bool,
}

/// A running fake Plex.
pub struct FakePlex {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: FakeServer,
}

impl FakePlex {
    /// Starts the fake on a free loopback port. Call on an actix runtime.
    pub fn start() -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = web::Data::from(state.clone());
        let server = FakeServer::start(Flavor::Plex, move |cfg| {
            cfg.app_data(shared.clone())
                .route("/api/v2/pins", web::post().to(create_pin))
                .route("/api/v2/pins/{id}", web::get().to(get_pin))
                .route("/api/v2/user", web::get().to(get_user))
                .route("/library/search", web::get().to(discover_search))
                .route("/library/metadata/{key}", web::get().to(discover_metadata))
                .route("/actions/addToWatchlist", web::put().to(add_to_watchlist))
                .route(
                    "/library/sections/watchlist/{filter}",
                    web::get().to(list_watchlist),
                )
                .route("/auth", web::get().to(auth_page))
                .route("/auth/authorize", web::post().to(authorize));
        })?;
        Ok(Self {
            url: server.url.clone(),
            state,
            server,
        })
    }

    pub fn add_account(&self, account: FakeAccount) {
        lock(&self.state).accounts.push(account);
    }

    /// The user signs in on app.plex.tv as `account`: the newest PIN gets his token.
    pub fn authorize_latest_pin(&self, account: &FakeAccount) {
        let mut state = lock(&self.state);
        if let Some(pin) = state.pins.last_mut() {
            pin.auth_token = Some(account.token.clone());
        }
        // plex.tv answers for the account as it is now (managed or not).
        if let Some(known) = state.accounts.iter_mut().find(|a| a.id == account.id) {
            *known = account.clone();
        }
    }

    /// Every PIN runs out (plex.tv then answers 404 for it).
    pub fn expire_pins(&self) {
        for pin in &mut lock(&self.state).pins {
            pin.expired = true;
        }
    }

    /// The PINs the app created, oldest first.
    pub fn pins(&self) -> Vec<FakePin> {
        lock(&self.state).pins.clone()
    }

    /// How many times `/api/v2/user` was asked.
    pub fn user_calls(&self) -> usize {
        lock(&self.state).user_calls
    }

    /// (token, ratingKey) of every watchlist add, in order.
    pub fn watchlist_adds(&self) -> Vec<(String, String)> {
        lock(&self.state).watchlist_adds.clone()
    }

    /// Plex moves the watchlist off this host: its watchlist routes answer 404 from now on.
    pub fn move_watchlist(&self) {
        lock(&self.state).watchlist_moved = true;
    }

    pub fn set_fault(&self, fault: Fault) {
        self.server.set_fault(fault);
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}

fn watchlist_gone() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/xml").body(
        r#"<Error error="Not Found" message="Section 'watchlist' not found!" statusCode="404"/>"#,
    )
}

/// `GET /library/sections/watchlist/{all|available|released}`: this token's watchlist, paged.
async fn list_watchlist(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    if state.watchlist_moved {
        return watchlist_gone();
    }
    if !known_token(&req, &state) {
        return HttpResponse::Unauthorized().finish();
    }
    let token = token_of(&req).unwrap_or_default();
    let items: Vec<serde_json::Value> = state
        .watchlist_adds
        .iter()
        .filter(|(t, _)| *t == token)
        .filter_map(|(_, key)| catalog::TITLES.iter().find(|t| t.plex_key == key))
        .map(|t| {
            json!({"ratingKey": t.plex_key, "key": format!("/library/metadata/{}", t.plex_key),
                "guid": format!("plex://{}/{}", plex_type(t.kind), t.plex_key), "type": plex_type(t.kind),
                "title": t.title, "year": t.year()})
        })
        .collect();
    let size: usize = query(&req)
        .get("X-Plex-Container-Size")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    HttpResponse::Ok().json(json!({"MediaContainer": {"totalSize": items.len(),
        "Metadata": items.into_iter().take(size).collect::<Vec<_>>()}}))
}

fn plex_error(status: u16, code: u32, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .json(json!({"errors": [{"code": code, "message": message, "status": status.as_u16()}]}))
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

fn token_of(req: &HttpRequest) -> Option<String> {
    header(req, "X-Plex-Token")
        .map(str::to_owned)
        .or_else(|| query(req).get("X-Plex-Token").cloned())
}

fn pin_json(pin: &FakePin) -> serde_json::Value {
    json!({
        "id": pin.id, "code": pin.code, "product": pin.product, "trusted": false,
        "qr": format!("https://plex.tv/api/v2/pins/qr/{}", pin.code),
        "clientIdentifier": pin.client_id,
        "location": {"code": "US", "country": "United States", "city": "Austin", "time_zone": "America/Chicago"},
        "expiresIn": if pin.strong { 1800 } else { 900 },
        "createdAt": "2026-11-24T09:00:00Z", "expiresAt": "2026-11-24T09:30:00Z",
        "authToken": pin.auth_token, "newRegistration": null
    })
}

async fn create_pin(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let Some(client_id) = header(&req, "X-Plex-Client-Identifier") else {
        return plex_error(400, 1000, "X-Plex-Client-Identifier is missing");
    };
    let strong = query(&req).get("strong").is_some_and(|v| v == "true");
    let mut state = lock(&state);
    let id = 1_272_322_473 + state.pins.len() as i64;
    let code = if strong {
        format!("{:0>25}", format!("c{id}x"))
    } else {
        format!("{:X}", id % 0xFFFF)
    };
    let pin = FakePin {
        id,
        code,
        client_id: client_id.to_owned(),
        product: header(&req, "X-Plex-Product").unwrap_or("").to_owned(),
        strong,
        auth_token: None,
        expired: false,
    };
    let body = pin_json(&pin);
    state.pins.push(pin);
    HttpResponse::Created().json(body)
}

async fn get_pin(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    if header(&req, "X-Plex-Client-Identifier").is_none() {
        return plex_error(400, 1000, "X-Plex-Client-Identifier is missing");
    }
    let state = lock(&state);
    let id: i64 = id.parse().unwrap_or(-1);
    match state.pins.iter().find(|p| p.id == id && !p.expired) {
        Some(pin) => HttpResponse::Ok().json(pin_json(pin)),
        None => plex_error(404, 1020, "Code not found or expired"),
    }
}

async fn get_user(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut state = lock(&state);
    state.user_calls += 1;
    match token_of(&req).and_then(|t| state.accounts.iter().find(|a| a.token == t)) {
        Some(a) => HttpResponse::Ok().json(json!({
            "id": a.id, "uuid": format!("{:016x}", a.id), "username": a.username, "title": a.username,
            "email": a.email, "friendlyName": a.username,
            "thumb": format!("https://plex.tv/users/{:016x}/avatar?c=1700000000", a.id),
            "authToken": a.token, "hasPassword": !a.managed, "home": a.managed, "restricted": a.managed,
            "joinedAt": 1_500_000_000, "subscription": {"active": false, "status": "Inactive", "features": []}
        })),
        None => plex_error(401, 1001, "User could not be authenticated"),
    }
}

fn known_token(req: &HttpRequest, state: &State) -> bool {
    token_of(req).is_some_and(|t| state.accounts.iter().any(|a| a.token == t))
}

fn plex_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Movie => "movie",
        Kind::Tv => "show",
    }
}

async fn discover_search(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    if !known_token(&req, &lock(&state)) {
        return HttpResponse::Unauthorized()
            .content_type("text/html")
            .body("<html><h1>401 Unauthorized</h1></html>");
    }
    let q = query(&req);
    let needle = q.get("query").map(|s| s.to_lowercase()).unwrap_or_default();
    let types = q.get("searchTypes").cloned().unwrap_or_default();
    let results: Vec<_> = catalog::TITLES
        .iter()
        .filter(|t| !needle.is_empty() && t.title.to_lowercase().contains(&needle))
        .filter(|t| match t.kind {
            Kind::Movie => types.contains("movies"),
            Kind::Tv => types.contains("tv"),
        })
        .map(|t| {
            json!({"score": 0.9, "Metadata": {
                "type": plex_type(t.kind), "title": t.title, "year": t.year(), "ratingKey": t.plex_key,
                "guid": format!("plex://{}/{}", plex_type(t.kind), t.plex_key),
                "key": format!("/library/metadata/{}", t.plex_key)
            }})
        })
        .collect();
    HttpResponse::Ok().json(json!({"MediaContainer": {"size": results.len(), "SearchResults": [
        {"id": "plex", "title": "Plex Library", "size": 0, "SearchResult": []},
        {"id": "external", "title": "More Ways To Watch", "size": results.len(), "SearchResult": results}
    ]}}))
}

async fn discover_metadata(
    req: HttpRequest,
    key: web::Path<String>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    if !known_token(&req, &lock(&state)) {
        return HttpResponse::Unauthorized().finish();
    }
    match catalog::TITLES.iter().find(|t| t.plex_key == key.as_str()) {
        Some(t) => {
            let mut guids = vec![
                json!({"id": format!("imdb://{}", t.imdb_id)}),
                json!({"id": format!("tmdb://{}", t.tmdb_id)}),
            ];
            if let Some(tvdb) = t.tvdb_id {
                guids.push(json!({"id": format!("tvdb://{tvdb}")}));
            }
            HttpResponse::Ok().json(json!({"MediaContainer": {"size": 1, "Metadata": [{
                "ratingKey": t.plex_key, "type": plex_type(t.kind), "title": t.title, "year": t.year(), "Guid": guids
            }]}}))
        }
        None => HttpResponse::NotFound().finish(),
    }
}

async fn add_to_watchlist(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut state = lock(&state);
    if state.watchlist_moved {
        return watchlist_gone();
    }
    if !known_token(&req, &state) {
        return HttpResponse::Unauthorized().finish();
    }
    let Some(rating_key) = query(&req).get("ratingKey").cloned() else {
        return HttpResponse::BadRequest().finish();
    };
    if !catalog::TITLES.iter().any(|t| t.plex_key == rating_key) {
        return HttpResponse::NotFound().finish();
    }
    let token = token_of(&req).unwrap_or_default();
    state.watchlist_adds.push((token, rating_key));
    HttpResponse::Ok().finish()
}

/// The fake app.plex.tv sign-in page. Like the real one it reads `clientID`, `code` and
/// `forwardUrl` from the URL fragment with JavaScript, then sends the browser back.
async fn auth_page(state: web::Data<Mutex<State>>) -> HttpResponse {
    let buttons: String = lock(&state)
        .accounts
        .iter()
        .map(|a| {
            format!(
                r#"<li><button type="button" data-account="{}">Sign in as {}</button></li>"#,
                a.id, a.username
            )
        })
        .collect();
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Plex (fake)</title></head>
<body><h1>Plex sign-in (fake)</h1><p id="status">Choose an account.</p><ul>{buttons}</ul>
<script>
const params = new URLSearchParams(location.hash.replace(/^#!?\??/, ""));
for (const button of document.querySelectorAll("button[data-account]")) {{
  button.addEventListener("click", async () => {{
    const body = new URLSearchParams({{code: params.get("code") || "", account: button.dataset.account}});
    const answer = await fetch("/auth/authorize", {{method: "POST", body}});
    if (!answer.ok) {{ document.getElementById("status").textContent = "Unknown PIN code"; return; }}
    location.href = params.get("forwardUrl");
  }});
}}
</script></body></html>"#
    ))
}

#[derive(serde::Deserialize)]
struct AuthorizeForm {
    code: String,
    account: i64,
}

/// What the real page does when the user confirms: the PIN with this code gets his token.
async fn authorize(form: web::Form<AuthorizeForm>, state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut state = lock(&state);
    let Some(token) = state
        .accounts
        .iter()
        .find(|a| a.id == form.account)
        .map(|a| a.token.clone())
    else {
        return HttpResponse::NotFound().finish();
    };
    match state
        .pins
        .iter_mut()
        .find(|p| p.code == form.code && !p.expired)
    {
        Some(pin) => {
            pin.auth_token = Some(token);
            HttpResponse::NoContent().finish()
        }
        None => HttpResponse::NotFound().finish(),
    }
}
