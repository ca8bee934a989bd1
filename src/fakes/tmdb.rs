//! A fake TMDb v3 (docs/upstreams.md, TMDb) over the catalogue: both key forms, details, search,
//! recommendations, similar and find, with TMDb's error bodies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::sync::lock;
use super::{FakeServer, Fault, Flavor, catalog};
use crate::media::Kind;

struct State {
    api_key: String,
    read_token: String,
    /// Titles a test adds beside the shipped catalogue.
    extra: Vec<catalog::Title>,
    /// Every request path, in order.
    calls: Vec<String>,
    /// Every `/discover` request: its path and parameters (the key left out).
    discovers: Vec<String>,
}

/// A running fake TMDb. Its base URL is the API root (like `https://api.themoviedb.org/3`).
pub struct FakeTmdb {
    pub url: String,
    pub api_key: String,
    pub read_token: String,
    state: Arc<Mutex<State>>,
    server: FakeServer,
}

impl FakeTmdb {
    pub fn start(api_key: &str) -> std::io::Result<Self> {
        let read_token = format!("eyJhbGciOiJIUzI1NiJ9.{api_key}.sig");
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.to_owned(),
            read_token: read_token.clone(),
            extra: Vec::new(),
            calls: Vec::new(),
            discovers: Vec::new(),
        }));
        let shared = web::Data::from(state.clone());
        let server = FakeServer::start(Flavor::Tmdb, move |cfg| {
            cfg.app_data(shared.clone())
                // Literal prefixes first: actix matches in registration order.
                .route("/search/{kind}", web::get().to(search))
                .route("/find/{external_id}", web::get().to(find))
                .route("/discover/{kind}", web::get().to(discover))
                .route("/{kind}/{id}", web::get().to(details))
                .route(
                    "/{kind}/{id}/recommendations",
                    web::get().to(recommendations),
                )
                .route("/{kind}/{id}/similar", web::get().to(recommendations))
                .default_service(web::to(not_found));
        })?;
        Ok(Self {
            url: server.url.clone(),
            api_key: api_key.to_owned(),
            read_token,
            state,
            server,
        })
    }

    /// Adds a title for this fake only (the shipped catalogue stays real titles).
    pub fn add_title(&self, title: catalog::Title) {
        lock(&self.state).extra.push(title);
    }

    /// `/discover` requests so far, with their parameters sorted: `/discover/movie?certification.lte=PG&…`.
    pub fn discovers(&self) -> Vec<String> {
        lock(&self.state).discovers.clone()
    }

    /// Paths asked so far, like `/movie/603`.
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

fn tmdb_error(status: u16, code: u32, message: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .json(json!({"success": false, "status_code": code, "status_message": message}))
}

fn not_found_body() -> HttpResponse {
    tmdb_error(404, 34, "The resource you requested could not be found.")
}

async fn not_found() -> HttpResponse {
    not_found_body()
}

/// Checks the key (query `api_key` or Bearer token) and logs the call; `Err` is the 401.
fn authorize(
    req: &HttpRequest,
    state: &web::Data<Mutex<State>>,
) -> Result<HashMap<String, String>, Box<HttpResponse>> {
    let query: HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let mut state = lock(state);
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = query.get("api_key").is_some_and(|k| *k == state.api_key)
        || bearer.is_some_and(|t| t == state.read_token);
    if !ok {
        return Err(Box::new(tmdb_error(
            401,
            7,
            "Invalid API key: You must be granted a valid key.",
        )));
    }
    state.calls.push(req.path().to_owned());
    if req.path().starts_with("/discover") {
        let mut asked: Vec<String> = query
            .iter()
            .filter(|(k, _)| *k != "api_key")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        asked.sort();
        state
            .discovers
            .push(format!("{}?{}", req.path(), asked.join("&")));
    }
    Ok(query)
}

/// The catalogue plus this fake's extra titles.
fn titles(state: &web::Data<Mutex<State>>) -> Vec<catalog::Title> {
    catalog::TITLES
        .iter()
        .copied()
        .chain(lock(state).extra.iter().copied())
        .collect()
}

fn title_of(state: &web::Data<Mutex<State>>, kind: &str, id: &str) -> Option<catalog::Title> {
    let (kind, id): (Kind, i64) = (Kind::parse(kind)?, id.parse().ok()?);
    titles(state)
        .into_iter()
        .find(|t| t.kind == kind && t.tmdb_id == id)
}

async fn details(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let query = match authorize(&req, &state) {
        Ok(q) => q,
        Err(denied) => return *denied,
    };
    let (kind, id) = path.into_inner();
    let appended: Vec<&str> = query
        .get("append_to_response")
        .map(|a| a.split(',').collect())
        .unwrap_or_default();
    match title_of(&state, &kind, &id) {
        Some(t) => {
            let mut body = catalog::tmdb_details_with(&t, &appended, language(&query));
            // TMDb keeps only the videos in `language`'s own language, plus those listed in
            // `include_video_language` (every video here is in English).
            let mut kept = vec![language(&query).split('-').next().unwrap_or("en")];
            if let Some(more) = query.get("include_video_language") {
                kept.extend(more.split(','));
            }
            if let Some(videos) = body["videos"]["results"].as_array_mut() {
                videos.retain(|v| v["iso_639_1"].as_str().is_some_and(|l| kept.contains(&l)));
            }
            HttpResponse::Ok().json(body)
        }
        None => not_found_body(),
    }
}

/// TMDb's `language` parameter; en-US when absent.
fn language(query: &std::collections::HashMap<String, String>) -> &str {
    query.get("language").map_or("en-US", String::as_str)
}

fn page(results: Vec<Value>) -> HttpResponse {
    HttpResponse::Ok().json(
        json!({"page": 1, "total_pages": 1, "total_results": results.len(), "results": results}),
    )
}

async fn recommendations(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let query = match authorize(&req, &state) {
        Ok(q) => q,
        Err(denied) => return *denied,
    };
    let (kind, id) = path.into_inner();
    let Some(t) = title_of(&state, &kind, &id) else {
        return not_found_body();
    };
    let all = titles(&state);
    page(
        t.recommendations
            .iter()
            .filter_map(|id| all.iter().find(|r| r.kind == t.kind && r.tmdb_id == *id))
            .map(|r| catalog::tmdb_result_in(r, false, language(&query)))
            .collect(),
    )
}

async fn search(
    req: HttpRequest,
    kind: web::Path<String>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let query = match authorize(&req, &state) {
        Ok(q) => q,
        Err(denied) => return *denied,
    };
    let Some(kind) = Kind::parse(&kind) else {
        return not_found_body();
    };
    let Some(needle) = query
        .get("query")
        .map(|q| q.to_lowercase())
        .filter(|q| !q.is_empty())
    else {
        return tmdb_error(
            422,
            5,
            "Invalid parameters: Your request parameters are incorrect.",
        );
    };
    let year_param = if kind == Kind::Movie {
        "primary_release_year"
    } else {
        "first_air_date_year"
    };
    let year: Option<i64> = query
        .get(year_param)
        .or_else(|| query.get("year"))
        .and_then(|y| y.parse().ok());
    page(
        titles(&state)
            .iter()
            .filter(|t| t.kind == kind)
            .filter(|t| {
                // TMDb matches the original title and its translations, whatever the language.
                let translated = catalog::localized(t, "fr-FR").0;
                t.title.to_lowercase().contains(&needle)
                    || t.original_title.to_lowercase().contains(&needle)
                    || translated.to_lowercase().contains(&needle)
            })
            .filter(|t| year.is_none_or(|y| t.year() == Some(y)))
            .map(|t| catalog::tmdb_result_in(t, false, language(&query)))
            .collect(),
    )
}

async fn find(
    req: HttpRequest,
    external_id: web::Path<String>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let query = match authorize(&req, &state) {
        Ok(q) => q,
        Err(denied) => return *denied,
    };
    let source = query
        .get("external_source")
        .map(String::as_str)
        .unwrap_or("");
    let hits: Vec<&catalog::Title> = catalog::TITLES
        .iter()
        .filter(|t| match source {
            "imdb_id" => t.imdb_id == external_id.as_str(),
            "tvdb_id" => t.tvdb_id.is_some_and(|id| id.to_string() == *external_id),
            _ => false,
        })
        .collect();
    let of = |kind: Kind| -> Vec<Value> {
        hits.iter()
            .filter(|t| t.kind == kind)
            .map(|t| catalog::tmdb_result(t, true))
            .collect()
    };
    HttpResponse::Ok().json(
        json!({"movie_results": of(Kind::Movie), "tv_results": of(Kind::Tv),
        "person_results": [], "tv_episode_results": [], "tv_season_results": []}),
    )
}

/// `/discover/{kind}?with_genres=…`: titles of the kind with every listed genre, most voted first.
async fn discover(
    req: HttpRequest,
    kind: web::Path<String>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let query = match authorize(&req, &state) {
        Ok(q) => q,
        Err(denied) => return *denied,
    };
    let Some(kind) = Kind::parse(&kind) else {
        return not_found_body();
    };
    let genres: Vec<i64> = query
        .get("with_genres")
        .map(|g| {
            g.split(',')
                .filter_map(|id| id.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    // `certification.lte` with `certification_country=US`: movies by US certification, shows
    // by US TV rating, both on one ladder.
    let within = query
        .get("certification.lte")
        .and_then(|c| crate::ratings::rank(c));
    let mut hits: Vec<catalog::Title> = titles(&state)
        .into_iter()
        .filter(|t| t.kind == kind)
        .filter(|t| {
            within.is_none_or(|max| {
                crate::ratings::rank(catalog::certification(t)).is_some_and(|r| r <= max)
            })
        })
        .filter(|t| {
            genres
                .iter()
                .all(|g| t.genres.iter().any(|(id, _)| id == g))
        })
        .collect();
    hits.sort_by_key(|t| std::cmp::Reverse(t.vote_count));
    page(
        hits.iter()
            .map(|t| catalog::tmdb_result_in(t, false, language(&query)))
            .collect(),
    )
}
