//! A fake Tautulli API v2 (docs/upstreams.md, Tautulli): the envelope with HTTP 400 errors,
//! `get_users` with the user list that changes only on `refresh_users_list`, paged
//! `get_history` with its empty-string quirks, `get_metadata` for new- and legacy-agent items
//! (`data: {}` for deleted ones, and for everything while Plex is unreachable) and
//! `server_status`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::sync::lock;
use super::{FakeServer, Fault, Flavor};

const COMMANDS: &str = "get_users, get_history, get_metadata, get_tautulli_info, refresh_users_list, server_status, status";

/// An item in the fake server's library, as `get_metadata` describes it.
#[derive(Debug, Clone)]
pub enum LibraryItem {
    /// A movie matched by the new Plex agent (`guids` holds `tmdb://…`).
    Movie {
        title: String,
        year: i64,
        tmdb_id: i64,
    },
    /// A movie matched by the legacy TMDb agent: the id is inside `guid`, `guids` is empty.
    LegacyMovie {
        title: String,
        year: i64,
        tmdb_id: i64,
    },
    /// A show (what an episode's `grandparent_rating_key` points at).
    Show {
        title: String,
        year: i64,
        tmdb_id: i64,
    },
    /// A season of a show: the show's ids are in `parent_guids`, `grandparent_*` are empty.
    Season {
        show: String,
        show_year: i64,
        show_rating_key: String,
        show_tmdb_id: i64,
        season: i64,
    },
    /// An episode of a show: its own `guids` are the episode's, the show's are in `grandparent_guids`.
    Episode {
        show: String,
        show_rating_key: String,
        show_tmdb_id: i64,
        season: i64,
        episode: i64,
    },
}

struct Play {
    user_id: i64,
    rating_key: String,
    date: i64,
    percent_complete: i64,
    watched_status: f64,
    in_progress: bool,
    /// Imported from PlexWatch or Plexivity: the importers leave `grandparent_title`,
    /// `parent_title` and `original_title` null on movies (docs/upstreams.md, Tautulli).
    imported: bool,
}

struct State {
    api_key: String,
    users: Vec<Value>,
    /// Accounts the owner shared the server with on plex.tv since Tautulli's last user refresh:
    /// they join `users` only on `refresh_users_list` (Tautulli's own refresh runs every 12 h).
    shared_since_refresh: Vec<Value>,
    /// Whether Tautulli reaches the Plex server (`server_status`).
    plex_connected: bool,
    library: HashMap<String, LibraryItem>,
    /// Items deleted from Plex: `get_metadata` answers `{}`, their history rows keep their
    /// title, year and guid.
    deleted: HashSet<String>,
    /// A sleeping or hung Plex: `get_metadata` answers `{}` only after Tautulli's own
    /// `PMS_TIMEOUT` (15 s), this long here.
    metadata_hang: Option<Duration>,
    /// Whether plex.tv answers Tautulli: when not, `refresh_users_list` still says `success`,
    /// with `data: false`, and refreshes nothing.
    plex_tv_reachable: bool,
    plays: Vec<Play>,
    calls: Vec<String>,
}

/// A running fake Tautulli.
pub struct FakeTautulli {
    pub url: String,
    pub api_key: String,
    state: Arc<Mutex<State>>,
    server: FakeServer,
}

impl FakeTautulli {
    /// Starts the fake with `api_key`; it already lists the built-in `Local` user 0.
    pub fn start(api_key: &str) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.to_owned(),
            users: vec![local_user()],
            shared_since_refresh: Vec::new(),
            plex_connected: true,
            library: HashMap::new(),
            deleted: HashSet::new(),
            metadata_hang: None,
            plex_tv_reachable: true,
            plays: Vec::new(),
            calls: Vec::new(),
        }));
        let shared = web::Data::from(state.clone());
        let server = FakeServer::start(Flavor::Tautulli, move |cfg| {
            cfg.app_data(shared.clone())
                .route("/api/v2", web::get().to(api_v2))
                .default_service(web::to(wrong_endpoint));
        })?;
        Ok(Self {
            url: server.url.clone(),
            api_key: api_key.to_owned(),
            state,
            server,
        })
    }

    /// Adds a user of the server; `active: false` is a user whose share was removed.
    pub fn add_user(&self, user_id: i64, username: &str, active: bool) {
        lock(&self.state)
            .users
            .push(user(user_id, username, active));
    }

    /// The owner shares the server with a new account on plex.tv: Tautulli lists him only
    /// after its next user refresh (`refresh_users_list`).
    pub fn share_on_plex(&self, user_id: i64, username: &str) {
        lock(&self.state)
            .shared_since_refresh
            .push(user(user_id, username, true));
    }

    /// Tautulli loses (or regains) its connection to the Plex server: meanwhile `get_metadata`
    /// answers `data: {}` for every item and `server_status` says `connected: false`.
    pub fn set_plex_connected(&self, connected: bool) {
        lock(&self.state).plex_connected = connected;
    }

    /// Turns a user's share on or off (Tautulli's `is_active`).
    pub fn set_active(&self, user_id: i64, active: bool) {
        for user in &mut lock(&self.state).users {
            if user["user_id"] == user_id {
                user["is_active"] = json!(i32::from(active));
            }
        }
    }

    /// The owner restricts a friend's share on plex.tv (`contentRating=G%2CPG`; empty: none),
    /// as `get_users` then shows it in `filter_movies` / `filter_tv`.
    pub fn set_share_filter(&self, user_id: i64, movies: &str, tv: &str) {
        for user in &mut lock(&self.state).users {
            if user["user_id"] == user_id {
                user["filter_movies"] = json!(movies);
                user["filter_tv"] = json!(tv);
            }
        }
    }

    /// Deletes a user (Tautulli's `get_users` lists non-deleted users only).
    pub fn remove_user(&self, user_id: i64) {
        lock(&self.state).users.retain(|u| u["user_id"] != user_id);
    }

    /// Puts an item in the server's library under `rating_key`.
    pub fn add_item(&self, rating_key: &str, item: LibraryItem) {
        lock(&self.state)
            .library
            .insert(rating_key.to_owned(), item);
    }

    /// Deletes an item from Plex: `get_metadata` then answers `data: {}`, while the history
    /// rows of its plays keep their title and year, as Tautulli's own tables do.
    pub fn remove_item(&self, rating_key: &str) {
        lock(&self.state).deleted.insert(rating_key.to_owned());
    }

    /// Plex sleeps or hangs: each `get_metadata` answers `data: {}` after `delay` (Tautulli's
    /// `PMS_TIMEOUT`, 15 s), while `server_status` still says connected. `None` wakes it.
    pub fn hang_metadata(&self, delay: Option<Duration>) {
        lock(&self.state).metadata_hang = delay;
    }

    /// plex.tv is (un)reachable from Tautulli: `refresh_users_list` answers `data: false`.
    pub fn set_plex_tv_reachable(&self, reachable: bool) {
        lock(&self.state).plex_tv_reachable = reachable;
    }

    /// Like [`Self::add_play`], for a movie play imported from PlexWatch (null text fields).
    pub fn add_imported_play(&self, user_id: i64, rating_key: &str, percent: i64, date: i64) {
        self.add_play(user_id, rating_key, percent, date);
        if let Some(play) = lock(&self.state).plays.last_mut() {
            play.imported = true;
        }
    }

    /// Records that `user_id` played `rating_key` to `percent` % at `date` (unix seconds).
    pub fn add_play(&self, user_id: i64, rating_key: &str, percent: i64, date: i64) {
        let watched_status = if percent >= 85 {
            1.0
        } else {
            (percent as f64 / 85.0 * 4.0).floor() / 4.0
        };
        lock(&self.state).plays.push(Play {
            user_id,
            rating_key: rating_key.to_owned(),
            date,
            percent_complete: percent,
            watched_status,
            in_progress: false,
            imported: false,
        });
    }

    /// Something `user_id` is watching right now (only returned with `include_activity=1`).
    pub fn add_activity(&self, user_id: i64, rating_key: &str) {
        lock(&self.state).plays.push(Play {
            user_id,
            rating_key: rating_key.to_owned(),
            date: 1_800_000_000,
            percent_complete: 10,
            watched_status: 0.0,
            in_progress: true,
            imported: false,
        });
    }

    /// The commands asked so far, in order, with their parameters (`get_metadata rating_key=1`).
    pub fn calls(&self) -> Vec<String> {
        lock(&self.state).calls.clone()
    }

    pub fn set_fault(&self, fault: Fault) {
        self.server.set_fault(fault);
    }

    pub async fn stop(&self) {
        self.server.stop().await;
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
    if let Some(delay) = metadata_hang(&state, &query) {
        actix_web::rt::time::sleep(delay).await;
        return envelope(200, "success", None, json!({}));
    }
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
    let logged = match query.get("rating_key") {
        Some(key) => format!("{cmd} rating_key={key}"),
        None => cmd.clone(),
    };
    state.calls.push(logged);
    match cmd.as_str() {
        "get_users" => envelope(200, "success", None, Value::Array(state.users.clone())),
        // api2.py: synchronous, `data: true`; plex.tv out of reach is still `success`.
        "refresh_users_list" if !state.plex_tv_reachable => {
            envelope(200, "success", None, json!(false))
        }
        "refresh_users_list" => {
            let shared = std::mem::take(&mut state.shared_since_refresh);
            for new in shared {
                state.users.retain(|u| u["user_id"] != new["user_id"]);
                state.users.push(new);
            }
            envelope(200, "success", None, json!(true))
        }
        "server_status" => envelope(
            200,
            "success",
            None,
            json!({"connected": state.plex_connected}),
        ),
        "status" => envelope(200, "success", Some("Ok"), json!({})),
        "get_tautulli_info" => envelope(
            200,
            "success",
            None,
            json!({"tautulli_version": "v2.15.0", "tautulli_install_type": "docker", "tautulli_branch": "master",
                   "tautulli_commit": "c7153deb", "tautulli_platform": "Linux", "tautulli_python_version": "3.11"}),
        ),
        "get_history" => envelope(200, "success", None, history(&state, &query)),
        "get_metadata" => {
            // pmsconnect.py: a failed request to Plex gives `{}`, exactly as a deleted item does.
            let data = query
                .get("rating_key")
                .filter(|_| state.plex_connected)
                .filter(|k| !state.deleted.contains(*k))
                .and_then(|k| state.library.get(k).map(|item| metadata(k, item)));
            envelope(200, "success", None, data.unwrap_or_else(|| json!({})))
        }
        other => error(&format!(
            "Unknown command: {other}. Possible commands are: {COMMANDS}"
        )),
    }
}

/// How long a `get_metadata` with the right key waits for a hung Plex, noting the call.
fn metadata_hang(state: &Mutex<State>, query: &HashMap<String, String>) -> Option<Duration> {
    let mut state = lock(state);
    let asked = query.get("cmd").is_some_and(|c| c == "get_metadata")
        && query.get("apikey") == Some(&state.api_key);
    let delay = state.metadata_hang.filter(|_| asked)?;
    let key = query.get("rating_key").cloned().unwrap_or_default();
    state.calls.push(format!("get_metadata rating_key={key}"));
    Some(delay)
}

/// `get_history`: newest first, filtered by `user_id` and `media_type`, paged by `start` and
/// `length` (default 25), with in-progress rows unless `include_activity=0`.
fn history(state: &State, query: &HashMap<String, String>) -> Value {
    let user_id: Option<i64> = query.get("user_id").and_then(|v| v.parse().ok());
    let include_activity = query.get("include_activity").is_none_or(|v| v != "0");
    let media_types: Vec<&str> = query
        .get("media_type")
        .map(|v| v.split(',').collect())
        .unwrap_or_default();
    let start: usize = query.get("start").and_then(|v| v.parse().ok()).unwrap_or(0);
    let length: usize = query
        .get("length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(25);

    let mut plays: Vec<&Play> = state
        .plays
        .iter()
        .filter(|p| user_id.is_none_or(|id| p.user_id == id))
        .filter(|p| include_activity || !p.in_progress)
        .filter(|p| {
            let media_type = match state.library.get(&p.rating_key) {
                Some(LibraryItem::Episode { .. }) => "episode",
                _ => "movie",
            };
            media_types.is_empty() || media_types.contains(&media_type)
        })
        .collect();
    plays.sort_by_key(|p| std::cmp::Reverse(p.date));
    let filtered = plays.len();
    let rows: Vec<Value> = plays
        .into_iter()
        .skip(start)
        .take(length)
        .enumerate()
        .map(|(i, p)| row(state, p, i))
        .collect();
    json!({"recordsFiltered": filtered, "recordsTotal": state.plays.len() + 15_000, "draw": 1,
           "filter_duration": "2 hrs 58 mins", "total_duration": "412 days 3 hrs", "data": rows})
}

fn row(state: &State, play: &Play, index: usize) -> Value {
    let id = if play.in_progress {
        Value::Null
    } else {
        json!(11_000 + index)
    };
    let common = json!({"reference_id": id, "row_id": id, "id": id, "date": play.date, "started": play.date,
        "stopped": play.date + 3600, "duration": 3600, "play_duration": 3600, "paused_counter": 0,
        "user_id": play.user_id, "user": "user", "friendly_name": "User", "platform": "Chrome",
        "percent_complete": play.percent_complete, "watched_status": play.watched_status, "group_count": 1,
        "group_ids": "11438", "state": if play.in_progress { json!("playing") } else { Value::Null },
        "session_key": null, "live": 0, "original_title": "", "thumb": "/library/metadata/1/thumb/1"});
    let mut v = common;
    match state.library.get(&play.rating_key) {
        Some(LibraryItem::Show { title, .. }) => {
            v["media_type"] = json!("episode");
            v["rating_key"] = json!(play.rating_key.parse::<i64>().unwrap_or(0));
            v["title"] = json!(title);
            v["grandparent_title"] = json!(title);
        }
        Some(LibraryItem::Episode {
            show,
            show_rating_key,
            season,
            episode,
            ..
        }) => {
            v["media_type"] = json!("episode");
            v["rating_key"] = json!(play.rating_key.parse::<i64>().unwrap_or(0));
            v["parent_rating_key"] = json!(show_rating_key.parse::<i64>().unwrap_or(0) + 1);
            v["grandparent_rating_key"] = json!(show_rating_key.parse::<i64>().unwrap_or(0));
            v["title"] = json!(format!("Episode {episode}"));
            v["grandparent_title"] = json!(show);
            v["parent_title"] = json!(format!("Season {season}"));
            v["full_title"] = json!(format!("{show} - Episode {episode}"));
            v["year"] = json!("");
            v["media_index"] = json!(episode);
            v["parent_media_index"] = json!(season);
            v["guid"] = json!("plex://episode/627fd43e1b84c2c682c354fd");
        }
        Some(
            LibraryItem::Movie { title, year, .. } | LibraryItem::LegacyMovie { title, year, .. },
        ) => {
            v["media_type"] = json!("movie");
            v["rating_key"] = json!(play.rating_key.parse::<i64>().unwrap_or(0));
            v["parent_rating_key"] = json!("");
            v["grandparent_rating_key"] = json!("");
            v["title"] = json!(title);
            v["full_title"] = json!(title);
            v["grandparent_title"] = json!("");
            v["parent_title"] = json!("");
            v["year"] = json!(year);
            v["media_index"] = json!("");
            v["parent_media_index"] = json!("");
            v["guid"] = json!("plex://movie/5d776b85594b2b001e6dc641");
            if play.imported {
                for field in ["grandparent_title", "parent_title", "original_title"] {
                    v[field] = Value::Null;
                }
            }
        }
        Some(LibraryItem::Season { .. }) | None => {
            v["media_type"] = json!("movie");
            v["rating_key"] = json!(play.rating_key.parse::<i64>().unwrap_or(0));
            v["title"] = json!("Deleted item");
            v["year"] = json!("");
        }
    }
    v
}

/// `get_metadata`: strings everywhere, as Tautulli flattens the PMS XML.
fn metadata(rating_key: &str, item: &LibraryItem) -> Value {
    match item {
        LibraryItem::Show {
            title,
            year,
            tmdb_id,
        } => json!({
            "media_type": "show", "rating_key": rating_key, "title": title, "year": year.to_string(),
            "guid": "plex://show/5d9c086c46115600200aa2fe",
            "guids": ["imdb://tt0944947", format!("tmdb://{tmdb_id}"), "tvdb://121361"],
            "parent_guids": [], "grandparent_guids": [], "children_count": 8, "live": 0
        }),
        LibraryItem::Movie {
            title,
            year,
            tmdb_id,
        } => json!({
            "media_type": "movie", "rating_key": rating_key, "parent_rating_key": "", "grandparent_rating_key": "",
            "title": title, "year": year.to_string(), "guid": "plex://movie/5d776b85594b2b001e6dc641",
            "guids": ["imdb://tt0000001", format!("tmdb://{tmdb_id}")], "parent_guids": [], "grandparent_guids": [],
            "genres": ["Science Fiction"], "children_count": 0, "live": 0, "section_id": "1"
        }),
        LibraryItem::LegacyMovie {
            title,
            year,
            tmdb_id,
        } => json!({
            "media_type": "movie", "rating_key": rating_key, "title": title, "year": year.to_string(),
            "guid": format!("com.plexapp.agents.themoviedb://{tmdb_id}?lang=en"),
            "guids": [], "parent_guids": [], "grandparent_guids": [], "live": 0
        }),
        LibraryItem::Season {
            show,
            show_year,
            show_rating_key,
            show_tmdb_id,
            season,
        } => json!({
            "media_type": "season", "rating_key": rating_key, "parent_rating_key": show_rating_key,
            "grandparent_rating_key": "", "title": format!("Season {season}"), "parent_title": show,
            "grandparent_title": "", "media_index": season.to_string(), "parent_media_index": "1",
            "year": "", "parent_year": show_year.to_string(),
            "guid": "plex://season/602e67e61d3358002c4120f7", "guids": [],
            "parent_guid": "plex://show/5d9c086c46115600200aa2fe",
            "parent_guids": ["imdb://tt0944947", format!("tmdb://{show_tmdb_id}"), "tvdb://121361"],
            "grandparent_guid": "", "grandparent_guids": [], "children_count": 10, "live": 0
        }),
        LibraryItem::Episode {
            show,
            show_rating_key,
            show_tmdb_id,
            season,
            episode,
        } => json!({
            "media_type": "episode", "rating_key": rating_key,
            "parent_rating_key": (show_rating_key.parse::<i64>().unwrap_or(0) + 1).to_string(),
            "grandparent_rating_key": show_rating_key, "title": format!("Episode {episode}"),
            "parent_title": format!("Season {season}"), "grandparent_title": show,
            "media_index": episode.to_string(), "parent_media_index": season.to_string(), "year": "2016",
            "guid": "plex://episode/5d9c1276e9d5a1001f4ff2fa",
            "guids": ["imdb://tt3658014", "tmdb://1156503", "tvdb://5469015"],
            "parent_guid": "plex://season/602e67e61d3358002c4120f7", "parent_guids": ["tvdb://651357"],
            "grandparent_guid": "plex://show/5d9c086c46115600200aa2fe",
            "grandparent_guids": ["imdb://tt0944947", format!("tmdb://{show_tmdb_id}"), "tvdb://121361"],
            "live": 0
        }),
    }
}
