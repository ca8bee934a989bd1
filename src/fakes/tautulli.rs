//! A fake Tautulli API v2 (UPSTREAMS.md 2): the envelope, HTTP 400 errors, and `get_users`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::{Value, json};

use super::{bind_loopback, lock};

const COMMANDS: &str = "get_users, get_history, get_metadata, get_tautulli_info, status";

struct State {
    api_key: String,
    users: Vec<Value>,
    calls: Vec<String>,
}

/// A running fake Tautulli.
pub struct FakeTautulli {
    pub url: String,
    pub api_key: String,
    state: Arc<Mutex<State>>,
    handle: ServerHandle,
}

impl FakeTautulli {
    /// Starts the fake with `api_key`; it already lists the built-in `Local` user 0.
    pub fn start(api_key: &str) -> std::io::Result<Self> {
        let (listener, url) = bind_loopback()?;
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.to_owned(),
            users: vec![local_user()],
            calls: Vec::new(),
        }));
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/api/v2", web::get().to(api_v2))
                .default_service(web::to(wrong_endpoint))
        })
        .workers(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Ok(Self {
            url,
            api_key: api_key.to_owned(),
            state,
            handle,
        })
    }

    /// Adds a user of the server; `active: false` is a user whose share was removed.
    pub fn add_user(&self, user_id: i64, username: &str, active: bool) {
        lock(&self.state)
            .users
            .push(user(user_id, username, active));
    }

    /// Turns a user's share on or off (Tautulli's `is_active`).
    pub fn set_active(&self, user_id: i64, active: bool) {
        for user in &mut lock(&self.state).users {
            if user["user_id"] == user_id {
                user["is_active"] = json!(i32::from(active));
            }
        }
    }

    /// The commands asked so far, in order.
    pub fn calls(&self) -> Vec<String> {
        lock(&self.state).calls.clone()
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

fn local_user() -> Value {
    json!({"row_id": 1, "user_id": 0, "username": "Local", "friendly_name": "Local", "thumb": null,
           "email": null, "is_active": 1, "is_admin": 0, "is_home_user": null, "is_allow_sync": null,
           "is_restricted": null, "do_notify": 1, "keep_history": 1, "allow_guest": 0,
           "shared_libraries": [], "filter_all": null, "filter_movies": null, "filter_tv": null,
           "filter_music": null, "filter_photos": null})
}

fn user(user_id: i64, username: &str, active: bool) -> Value {
    json!({"row_id": user_id % 1000 + 2, "user_id": user_id, "username": username, "friendly_name": username,
           "thumb": format!("https://plex.tv/users/{user_id:016x}/avatar"),
           "email": format!("{}@example.com", username.to_lowercase()),
           "is_active": i32::from(active), "is_admin": 0, "is_home_user": 0, "is_allow_sync": 1,
           "is_restricted": 0, "do_notify": 1, "keep_history": 1, "allow_guest": 0,
           "shared_libraries": ["1", "2"], "filter_all": "", "filter_movies": "", "filter_tv": "",
           "filter_music": "", "filter_photos": ""})
}

fn envelope(status: u16, result: &str, message: Option<&str>, data: Value) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .content_type("application/json;charset=UTF-8")
        .body(json!({"response": {"result": result, "message": message, "data": data}}).to_string())
}

fn error(message: &str) -> HttpResponse {
    envelope(400, "error", Some(message), json!({}))
}

async fn wrong_endpoint() -> HttpResponse {
    error("Please use the /api/v2 endpoint.")
}

async fn api_v2(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let mut state = lock(&state);
    let Some(key) = query.get("apikey") else {
        return error("Parameter apikey is required");
    };
    if *key != state.api_key {
        return error("Invalid apikey");
    }
    let Some(cmd) = query.get("cmd") else {
        return error(&format!(
            "Parameter cmd is required. Possible commands are: {COMMANDS}"
        ));
    };
    state.calls.push(cmd.clone());
    match cmd.as_str() {
        "get_users" => envelope(200, "success", None, Value::Array(state.users.clone())),
        "status" => envelope(200, "success", Some("Ok"), json!({})),
        "get_tautulli_info" => envelope(
            200,
            "success",
            None,
            json!({"tautulli_version": "v2.15.0", "tautulli_install_type": "docker", "tautulli_branch": "master",
                   "tautulli_commit": "c7153deb", "tautulli_platform": "Linux", "tautulli_python_version": "3.11"}),
        ),
        other => error(&format!(
            "Unknown command: {other}. Possible commands are: {COMMANDS}"
        )),
    }
}
