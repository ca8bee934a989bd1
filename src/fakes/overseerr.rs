//! A fake Overseerr API v1 (docs/upstreams.md, Overseerr): API-key auth with `X-Api-User`
//! (an unknown user answers 403 like a wrong key), availability with per-season status and
//! requests, paged users, "Enable CSRF Protection" (every POST refused), and requests with
//! permissions, quotas (TV counts every asked season), 409 for a movie requested twice and 202
//! when no TV season is left.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::sync::lock;
use super::{FakeServer, Fault, Flavor, catalog};
use crate::media::Kind;

const ADMIN: i64 = 2;
const REQUEST: i64 = 32;

#[derive(Debug, Clone)]
pub struct FakeOverseerrUser {
    pub id: i64,
    pub plex_id: i64,
    pub username: String,
    pub permissions: i64,
    pub quota_exceeded: bool,
    /// TV seasons he may still request in the quota window; `None`: no TV quota.
    pub tv_quota_left: Option<i64>,
}

/// A request the fake accepted: who made it (after `X-Api-User`) and for what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub user_id: i64,
    pub kind: Kind,
    pub tmdb_id: i64,
    pub seasons: Vec<i64>,
}

struct State {
    api_key: String,
    users: Vec<FakeOverseerrUser>,
    /// (kind, tmdb id) → (media status, per-season status).
    media: HashMap<(Kind, i64), (i64, HashMap<i64, i64>)>,
    requests: Vec<RecordedRequest>,
    /// `MediaRequestStatus` of each request by its index (absent: 1, pending). Seerr's 5,
    /// completed, no longer holds its seasons.
    request_status: HashMap<usize, i64>,
    csrf_protection: bool,
    /// `GET /movie/{id}` and `/tv/{id}` answered so far.
    media_calls: usize,
    /// Speak Seerr 3.1 (the successor of Overseerr and Jellyseerr) instead of Overseerr 1.33.
    seerr: bool,
}

pub struct FakeOverseerr {
    pub url: String,
    pub api_key: String,
    state: Arc<Mutex<State>>,
    server: FakeServer,
}

impl FakeOverseerr {
    /// Starts the fake with user 1, the owner (admin), mapped to Plex account `owner_plex_id`.
    pub fn start(api_key: &str, owner_plex_id: i64) -> std::io::Result<Self> {
        let owner = FakeOverseerrUser {
            id: 1,
            plex_id: owner_plex_id,
            username: "owner".into(),
            permissions: ADMIN,
            quota_exceeded: false,
            tv_quota_left: None,
        };
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.to_owned(),
            users: vec![owner],
            media: HashMap::new(),
            requests: Vec::new(),
            request_status: HashMap::new(),
            csrf_protection: false,
            media_calls: 0,
            seerr: false,
        }));
        let shared = web::Data::from(state.clone());
        let server = FakeServer::start(Flavor::Overseerr, move |cfg| {
            cfg.app_data(shared.clone()).service(
                web::scope("/api/v1")
                    .route("/status", web::get().to(status))
                    .route("/auth/me", web::get().to(me))
                    .route("/user", web::get().to(users))
                    .route("/settings/main", web::get().to(main_settings))
                    .route("/settings/network", web::get().to(network_settings))
                    .route("/settings/public", web::get().to(public_settings))
                    .route("/request", web::post().to(request))
                    .route("/{kind}/{id}", web::get().to(media))
                    .default_service(web::to(not_found)),
            );
        })?;
        Ok(Self {
            url: server.url.clone(),
            api_key: api_key.to_owned(),
            state,
            server,
        })
    }

    /// Adds a user who may request (REQUEST permission) and returns his Overseerr id.
    pub fn add_user(&self, plex_id: i64, username: &str) -> i64 {
        let mut state = lock(&self.state);
        let id = state.users.iter().map(|u| u.id).max().unwrap_or(0) + 1;
        state.users.push(FakeOverseerrUser {
            id,
            plex_id,
            username: username.to_owned(),
            permissions: REQUEST,
            quota_exceeded: false,
            tv_quota_left: None,
        });
        id
    }

    /// Deletes a user: a request made as him (`X-Api-User`) then answers 403.
    pub fn remove_user(&self, user_id: i64) {
        lock(&self.state).users.retain(|u| u.id != user_id);
    }

    /// Gives a user a TV quota with `seasons` left. Overseerr counts every season asked for
    /// against it, before dropping those it already has.
    pub fn set_tv_quota_left(&self, user_id: i64, seasons: i64) {
        if let Some(u) = lock(&self.state).users.iter_mut().find(|u| u.id == user_id) {
            u.tv_quota_left = Some(seasons);
        }
    }

    /// Settings → General → "Enable CSRF Protection": every POST then fails 403.
    /// Answer as Seerr 3.1 does where it differs from Overseerr (docs/upstreams.md, Seerr):
    /// `mediaInfo.mediaUrl` for the Plex link, CSRF protection under `/settings/network`, a
    /// completed (5) request and a deleted (7) season no longer hold a season.
    pub fn speak_seerr(&self) {
        lock(&self.state).seerr = true;
    }

    /// Every request made so far for the title becomes `status` (`MediaRequestStatus`).
    pub fn set_request_status(&self, kind: Kind, tmdb_id: i64, status: i64) {
        let mut state = lock(&self.state);
        let indexes: Vec<usize> = (0..state.requests.len())
            .filter(|i| state.requests[*i].kind == kind && state.requests[*i].tmdb_id == tmdb_id)
            .collect();
        for i in indexes {
            state.request_status.insert(i, status);
        }
    }

    /// How many `GET /movie/{id}` or `/tv/{id}` it has answered.
    pub fn media_calls(&self) -> usize {
        lock(&self.state).media_calls
    }

    pub fn set_csrf_protection(&self, on: bool) {
        lock(&self.state).csrf_protection = on;
    }

    pub fn set_quota_exceeded(&self, user_id: i64, exceeded: bool) {
        if let Some(u) = lock(&self.state).users.iter_mut().find(|u| u.id == user_id) {
            u.quota_exceeded = exceeded;
        }
    }

    pub fn set_permissions(&self, user_id: i64, permissions: i64) {
        if let Some(u) = lock(&self.state).users.iter_mut().find(|u| u.id == user_id) {
            u.permissions = permissions;
        }
    }

    /// Sets `mediaInfo.status` of a title (5 available, 4 partial, 3 processing, 2 pending) and,
    /// for TV, the status of each listed season.
    pub fn set_status(&self, kind: Kind, tmdb_id: i64, status: i64, seasons: &[(i64, i64)]) {
        lock(&self.state)
            .media
            .insert((kind, tmdb_id), (status, seasons.iter().copied().collect()));
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state).requests.clone()
    }

    pub fn set_fault(&self, fault: Fault) {
        self.server.set_fault(fault);
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}

fn message(status: u16, text: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status).json(json!({"message": text}))
}

async fn not_found() -> HttpResponse {
    message(404, "Not Found")
}

async fn status(state: web::Data<Mutex<State>>) -> HttpResponse {
    let version = if lock(&state).seerr {
        "3.1.0"
    } else {
        "1.33.2"
    };
    HttpResponse::Ok().json(
        json!({"version": version, "commitTag": format!("v{version}"), "updateAvailable": false,
        "commitsBehind": 0, "restartRequired": false}),
    )
}

/// `GET /settings/public`, no key needed. Seerr and Jellyseerr add `mediaServerType`
/// (1 Plex, 2 Jellyfin, 3 Emby); Overseerr has no such field.
async fn public_settings(state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut body = json!({"initialized": true, "applicationTitle": "Overseerr", "applicationUrl": "",
        "hideAvailable": false, "localLogin": true, "movie4kEnabled": false, "series4kEnabled": false,
        "region": "", "originalLanguage": "", "partialRequestsEnabled": true, "cacheImages": false,
        "vapidPublic": "", "enablePushRegistration": false, "locale": "en", "emailEnabled": false,
        "newPlexLogin": true});
    if lock(&state).seerr {
        body["applicationTitle"] = json!("Seerr");
        body["mediaServerType"] = json!(1);
        body["enableSpecialEpisodes"] = json!(false);
        body["youtubeUrl"] = json!("");
    }
    HttpResponse::Ok().json(body)
}

/// `GET /settings/network` (admin): Seerr's home of `csrfProtection`. Overseerr has no such
/// route (404).
async fn network_settings(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    if !state.seerr {
        return message(404, "Not Found");
    }
    match acting_user(&req, &state) {
        Ok(user) if user.permissions & ADMIN != 0 => HttpResponse::Ok().json(json!({
            "csrfProtection": state.csrf_protection, "forceIpv4First": false, "trustProxy": false,
            "proxy": {"enabled": false, "hostname": "", "port": 8080, "useSsl": false, "user": "",
                "password": "", "bypassFilter": "", "bypassLocalAddresses": true},
            "dnsCache": {"enabled": false, "forceMinTtl": 0, "forceMaxTtl": -1},
            "apiRequestTimeout": 10000})),
        Ok(_) => HttpResponse::Forbidden().json(
            json!({"status": 403, "error": "You do not have permission to access this endpoint"}),
        ),
        Err(refusal) => *refusal,
    }
}

/// The acting user: key checked, then `X-Api-User` (default user 1). `Err` is the refusal.
fn acting_user(req: &HttpRequest, state: &State) -> Result<FakeOverseerrUser, Box<HttpResponse>> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let forbidden = || {
        Box::new(HttpResponse::Forbidden().json(
            json!({"status": 403, "error": "You do not have permission to access this endpoint"}),
        ))
    };
    match header("x-api-key") {
        None => Err(Box::new(
            HttpResponse::Unauthorized().json(json!({"message": "cookie 'connect.sid' required",
            "errors": [{"path": req.path(), "message": "cookie 'connect.sid' required"}]})),
        )),
        Some(key) if key != state.api_key => Err(forbidden()),
        Some(_) => {
            let id = header("x-api-user").map_or(Some(1), |v| v.parse::<i64>().ok());
            id.and_then(|id| state.users.iter().find(|u| u.id == id).cloned())
                .ok_or_else(forbidden)
        }
    }
}

fn user_json(u: &FakeOverseerrUser) -> Value {
    json!({"id": u.id, "email": format!("{}@example.com", u.username), "plexUsername": u.username,
        "username": null, "plexId": u.plex_id, "userType": 1, "permissions": u.permissions,
        "avatar": format!("https://plex.tv/users/{:016x}/avatar", u.plex_id), "movieQuotaLimit": null,
        "movieQuotaDays": null, "tvQuotaLimit": null, "tvQuotaDays": null,
        "createdAt": "2023-01-01T00:00:00.000Z", "updatedAt": "2023-01-01T00:00:00.000Z",
        "requestCount": 0, "displayName": u.username})
}

async fn main_settings(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    match acting_user(&req, &state) {
        // Seerr keeps csrfProtection under /settings/network, not here.
        Ok(user) if user.permissions & ADMIN != 0 && state.seerr => {
            HttpResponse::Ok().json(json!({
            "apiKey": state.api_key, "applicationTitle": "Seerr",
            "applicationUrl": "", "localLogin": true,
            "newPlexLogin": true, "defaultPermissions": REQUEST, "partialRequestsEnabled": true,
            "hideAvailable": false}))
        }
        Ok(user) if user.permissions & ADMIN != 0 => HttpResponse::Ok().json(json!({
            "apiKey": state.api_key, "applicationTitle": "Overseerr",
            "applicationUrl": "", "csrfProtection": state.csrf_protection, "localLogin": true,
            "newPlexLogin": true, "defaultPermissions": REQUEST, "partialRequestsEnabled": true,
            "hideAvailable": false})),
        Ok(_) => HttpResponse::Forbidden().json(
            json!({"status": 403, "error": "You do not have permission to access this endpoint"}),
        ),
        Err(refusal) => *refusal,
    }
}

async fn me(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    match acting_user(&req, &lock(&state)) {
        Ok(user) => HttpResponse::Ok().json(user_json(&user)),
        Err(refusal) => *refusal,
    }
}

async fn users(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    if let Err(refusal) = acting_user(&req, &state) {
        return *refusal;
    }
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let take: usize = query
        .get("take")
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .max(1);
    let skip: usize = query.get("skip").and_then(|v| v.parse().ok()).unwrap_or(0);
    let results: Vec<Value> = state
        .users
        .iter()
        .skip(skip)
        .take(take)
        .map(user_json)
        .collect();
    let pages = state.users.len().div_ceil(take);
    HttpResponse::Ok().json(
        json!({"pageInfo": {"pages": pages, "pageSize": take, "results": state.users.len(),
        "page": skip / take + 1}, "results": results}),
    )
}

async fn media(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let mut state = lock(&state);
    state.media_calls += 1;
    if let Err(refusal) = acting_user(&req, &state) {
        return *refusal;
    }
    let (kind, id) = path.into_inner();
    let Some(kind) = Kind::parse(&kind) else {
        return message(404, "Not Found");
    };
    let Some(t) = id.parse().ok().and_then(|id| catalog::find(kind, id)) else {
        return message(
            500,
            if kind == Kind::Movie {
                "Unable to retrieve movie."
            } else {
                "Unable to retrieve series."
            },
        );
    };
    let mut body = json!({"id": t.tmdb_id, "posterPath": t.poster, "overview": t.overview,
        "genres": t.genres.iter().map(|(id, name)| json!({"id": id, "name": name})).collect::<Vec<_>>()});
    match kind {
        Kind::Movie => {
            body["title"] = json!(t.title);
            body["releaseDate"] = json!(t.date);
        }
        Kind::Tv => {
            body["name"] = json!(t.title);
            body["firstAirDate"] = json!(t.date);
            body["seasons"] = json!(
                t.seasons
                    .iter()
                    .map(|(n, eps)| json!({"id": t.tmdb_id * 100 + n,
                "seasonNumber": n, "episodeCount": eps, "name": format!("Season {n}")}))
                    .collect::<Vec<_>>()
            );
        }
    }
    if let Some((status, seasons)) = state.media.get(&(kind, t.tmdb_id)) {
        let requests: Vec<Value> = state
            .requests
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind == kind && r.tmdb_id == t.tmdb_id)
            .map(|(i, r)| json!({"id": i + 1, "status": state.request_status.get(&i).copied().unwrap_or(1),
                "is4k": false, "type": kind.as_str(),
                "seasons": r.seasons.iter().map(|n| json!({"id": n, "seasonNumber": n, "status": 1})).collect::<Vec<_>>()}))
            .collect();
        // The server link is set once Plex has the title: `plexUrl` on Overseerr, `mediaUrl`
        // on Seerr and Jellyseerr (server/entity/Media.ts).
        let plex_url = matches!(status, 4 | 5).then(|| plex_url(t.tmdb_id));
        let link_field = if state.seerr { "mediaUrl" } else { "plexUrl" };
        body["mediaInfo"] = json!({"id": 42, "mediaType": kind.as_str(), "tmdbId": t.tmdb_id, "status": status,
            "iOSPlexUrl": plex_url.as_ref().map(|_| format!("plex://preplay/?metadataKey=%2Flibrary%2Fmetadata%2F{}", 1000 + t.tmdb_id)),
            "status4k": 1, "requests": requests, "issues": [],
            "seasons": seasons.iter().map(|(n, s)| json!({"seasonNumber": n, "status": s, "status4k": 1})).collect::<Vec<_>>()});
        body["mediaInfo"][link_field] = json!(plex_url);
    }
    HttpResponse::Ok().json(body)
}

/// The deep link Overseerr gives for a title on the owner's Plex (kept with the catalogue).
pub use super::catalog::plex_url;

async fn request(
    req: HttpRequest,
    body: web::Json<Value>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let mut state = lock(&state);
    // csurf runs before any route or key check (server/index.ts).
    if state.csrf_protection {
        return message(403, "invalid csrf token");
    }
    let user = match acting_user(&req, &state) {
        Ok(user) => user,
        Err(refusal) => return *refusal,
    };
    let Some(kind) = body["mediaType"].as_str().and_then(Kind::parse) else {
        return message(
            400,
            "request.body.mediaType should be equal to one of the allowed values: movie, tv",
        );
    };
    let Some(t) = body["mediaId"]
        .as_i64()
        .and_then(|id| catalog::find(kind, id))
    else {
        return message(
            500,
            "[TMDB] Failed to fetch movie details: Request failed with status code 404",
        );
    };
    let noun = if kind == Kind::Movie {
        ("movie", "Movie")
    } else {
        ("series", "Series")
    };
    if user.permissions & (ADMIN | REQUEST) == 0 {
        return message(
            403,
            &format!("You do not have permission to make {} requests.", noun.0),
        );
    }
    if user.quota_exceeded {
        return message(403, &format!("{} Quota exceeded.", noun.1));
    }
    // MediaRequest.ts: declined requests never hold a season, and on Seerr neither do
    // completed (5) ones; media seasons hold unless unknown (1) or, on Seerr, deleted (7).
    let seerr = state.seerr;
    let holding: Vec<&RecordedRequest> = state
        .requests
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            let status = state.request_status.get(i).copied().unwrap_or(1);
            r.kind == kind && r.tmdb_id == t.tmdb_id && status != 3 && !(seerr && status == 5)
        })
        .map(|(_, r)| r)
        .collect();
    let already_requested = !holding.is_empty();
    let requested_seasons: Vec<i64> = holding
        .iter()
        .flat_map(|r| r.seasons.iter().copied())
        .collect();
    let entry = state
        .media
        .entry((kind, t.tmdb_id))
        .or_insert((1, HashMap::new()));
    let seasons = match kind {
        Kind::Movie => {
            if already_requested {
                return message(409, "Request for this media already exists.");
            }
            entry.0 = 2;
            Vec::new()
        }
        Kind::Tv => {
            let asked: Vec<i64> = match &body["seasons"] {
                Value::String(all) if all == "all" => t.seasons.iter().map(|(n, _)| *n).collect(),
                other => other
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default(),
            };
            if user
                .tv_quota_left
                .is_some_and(|left| asked.len() as i64 > left)
            {
                return message(403, "Series Quota exceeded.");
            }
            let left: Vec<i64> = asked
                .into_iter()
                .filter(|n| !requested_seasons.contains(n))
                .filter(|n| entry.1.get(n).is_none_or(|s| *s == 1 || (seerr && *s == 7)))
                .collect();
            if left.is_empty() {
                return HttpResponse::Accepted()
                    .json(json!({"message": "No seasons available to request"}));
            }
            for n in &left {
                entry.1.insert(*n, 2);
            }
            entry.0 = entry.0.max(2);
            left
        }
    };
    if let Some(u) = state.users.iter_mut().find(|u| u.id == user.id)
        && let Some(quota) = u.tv_quota_left.as_mut()
    {
        *quota -= seasons.len() as i64;
    }
    state.requests.push(RecordedRequest {
        user_id: user.id,
        kind,
        tmdb_id: t.tmdb_id,
        seasons: seasons.clone(),
    });
    HttpResponse::Created().json(json!({"id": state.requests.len(), "status": 1, "type": kind.as_str(),
        "is4k": false, "media": {"id": 42, "mediaType": kind.as_str(), "tmdbId": t.tmdb_id, "status": 2},
        "requestedBy": user_json(&user), "seasons": seasons.iter().map(|n| json!({"seasonNumber": n, "status": 1})).collect::<Vec<_>>(),
        "seasonCount": seasons.len()}))
}
