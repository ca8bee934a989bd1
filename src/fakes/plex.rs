//! A fake plex.tv: PIN creation and polling, and `/api/v2/user` (UPSTREAMS.md 1.2-1.5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::json;

use super::{bind_loopback, lock};

/// A Plex account the fake knows, with the token plex.tv would hand out for it.
#[derive(Debug, Clone)]
pub struct FakeAccount {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub token: String,
}

impl FakeAccount {
    pub fn new(id: i64, username: &str) -> Self {
        Self {
            id,
            username: username.to_owned(),
            email: format!("{}@example.com", username.to_lowercase()),
            token: format!("token-{id}-{}", username.to_lowercase()),
        }
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
}

/// A running fake plex.tv.
pub struct FakePlex {
    pub url: String,
    state: Arc<Mutex<State>>,
    handle: ServerHandle,
}

impl FakePlex {
    /// Starts the fake on a free loopback port. Call on an actix runtime.
    pub fn start() -> std::io::Result<Self> {
        let (listener, url) = bind_loopback()?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/api/v2/pins", web::post().to(create_pin))
                .route("/api/v2/pins/{id}", web::get().to(get_pin))
                .route("/api/v2/user", web::get().to(get_user))
        })
        .workers(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Ok(Self { url, state, handle })
    }

    pub fn add_account(&self, account: FakeAccount) {
        lock(&self.state).accounts.push(account);
    }

    /// The user signs in on app.plex.tv as `account`: the newest PIN gets his token.
    pub fn authorize_latest_pin(&self, account: &FakeAccount) {
        if let Some(pin) = lock(&self.state).pins.last_mut() {
            pin.auth_token = Some(account.token.clone());
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

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
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
    let strong = req.query_string().split('&').any(|p| p == "strong=true");
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
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let token = header(&req, "X-Plex-Token")
        .map(str::to_owned)
        .or_else(|| query.get("X-Plex-Token").cloned());
    match token.and_then(|t| state.accounts.iter().find(|a| a.token == t)) {
        Some(a) => HttpResponse::Ok().json(json!({
            "id": a.id, "uuid": format!("{:016x}", a.id), "username": a.username, "title": a.username,
            "email": a.email, "friendlyName": a.username,
            "thumb": format!("https://plex.tv/users/{:016x}/avatar?c=1700000000", a.id),
            "authToken": a.token, "hasPassword": true, "home": false, "restricted": false,
            "joinedAt": 1_500_000_000, "subscription": {"active": false, "status": "Inactive", "features": []}
        })),
        None => plex_error(401, 1001, "User could not be authenticated"),
    }
}
