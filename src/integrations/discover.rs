//! Plex Discover (docs/upstreams.md, Plex): find a title's provider ratingKey and add it to a
//! user's watchlist with his own token.

use std::time::Duration;

use serde::Deserialize;

use super::call::Call;
use super::error::{Service, UpstreamError, UpstreamErrorKind};
use super::plex::PRODUCT;
use crate::media::Kind;

/// Discover as one user sees it: every call carries that user's Plex token.
pub struct Discover<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub client_id: &'a str,
    pub token: &'a str,
    pub timeout: Duration,
}

#[derive(Deserialize)]
struct Container<T> {
    #[serde(rename = "MediaContainer")]
    media_container: T,
}

#[derive(Deserialize, Default)]
struct SearchContainer {
    #[serde(rename = "SearchResults", default)]
    search_results: Vec<SearchResults>,
}

#[derive(Deserialize)]
struct SearchResults {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    id: String,
    #[serde(rename = "SearchResult", default)]
    results: Vec<SearchResult>,
}

#[derive(Deserialize)]
struct SearchResult {
    #[serde(rename = "Metadata")]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(
        rename = "ratingKey",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    rating_key: String,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    kind: String,
    #[serde(default)]
    year: Option<i64>,
}

#[derive(Deserialize, Default)]
struct MetadataContainer {
    #[serde(rename = "Metadata", default)]
    metadata: Vec<GuidList>,
}

#[derive(Deserialize)]
struct GuidList {
    #[serde(rename = "Guid", default)]
    guids: Vec<Guid>,
}

#[derive(Deserialize)]
struct Guid {
    id: String,
}

impl Discover<'_> {
    fn call<'s>(&'s self, secrets: &'s [&'s str]) -> Result<Call<'s>, UpstreamError> {
        if self.token.is_empty() {
            return Err(UpstreamError::new(
                Service::PlexDiscover,
                UpstreamErrorKind::KeyRefused,
            ));
        }
        Ok(Call {
            service: Service::PlexDiscover,
            base: self.base,
            secrets,
            timeout: self.timeout,
        })
    }

    fn request(&self, method: awc::http::Method, path_and_query: &str) -> awc::ClientRequest {
        self.http
            .request(method, format!("{}{path_and_query}", self.base))
            .insert_header(("Accept", "application/json"))
            .insert_header(("X-Plex-Token", self.token))
            .insert_header(("X-Plex-Product", PRODUCT))
            .insert_header(("X-Plex-Client-Identifier", self.client_id))
    }

    fn failure(call: &Call<'_>, status: u16) -> UpstreamError {
        call.error(match status {
            401 => UpstreamErrorKind::KeyRefused,
            404 => UpstreamErrorKind::NotFound,
            429 => UpstreamErrorKind::RateLimited { retry_after: None },
            status => UpstreamErrorKind::Failed {
                status,
                message: String::new(),
            },
        })
    }

    /// The Discover ratingKey of (kind, tmdb_id): search by title, then confirm each candidate
    /// (closest year first) through its `Guid` list, since search only matches titles.
    pub async fn find_rating_key(
        &self,
        kind: Kind,
        tmdb_id: i64,
        title: &str,
        year: Option<i32>,
    ) -> Result<Option<String>, UpstreamError> {
        let secrets = [self.token];
        let call = self.call(&secrets)?;
        let (search_type, plex_type) = match kind {
            Kind::Movie => ("movies", "movie"),
            Kind::Tv => ("tv", "show"),
        };
        let query = serde_urlencoded::to_string([
            ("query", title),
            ("limit", "30"),
            ("searchTypes", search_type),
            ("searchProviders", "discover"),
            ("includeMetadata", "1"),
        ])
        .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))?;
        let answer = call
            .send(
                self.request(awc::http::Method::GET, &format!("/library/search?{query}")),
                None,
            )
            .await?;
        if answer.status != 200 {
            return Err(Self::failure(&call, answer.status));
        }
        let found: Container<SearchContainer> = call.parse(&answer.body)?;
        let mut candidates: Vec<Metadata> = found
            .media_container
            .search_results
            .into_iter()
            .filter(|r| r.id == "external")
            .flat_map(|r| r.results)
            .filter_map(|r| r.metadata)
            .filter(|m| m.kind == plex_type && !m.rating_key.is_empty())
            .collect();
        candidates.sort_by_key(|m| match (m.year, year) {
            (Some(a), Some(b)) => (a - i64::from(b)).abs(),
            _ => i64::MAX,
        });
        let wanted = format!("tmdb://{tmdb_id}");
        for candidate in candidates.into_iter().take(5) {
            let path = format!("/library/metadata/{}", candidate.rating_key);
            let answer = call
                .send(self.request(awc::http::Method::GET, &path), None)
                .await?;
            if answer.status != 200 {
                continue;
            }
            let details: Container<MetadataContainer> = call.parse(&answer.body)?;
            if details
                .media_container
                .metadata
                .iter()
                .flat_map(|m| &m.guids)
                .any(|g| g.id == wanted)
            {
                return Ok(Some(candidate.rating_key));
            }
        }
        Ok(None)
    }

    /// How many titles are on this user's watchlist: one read-only call that proves the host
    /// still serves watchlists (the old host answers 404 "Section 'watchlist' not found!").
    pub async fn watchlist_size(&self) -> Result<i64, UpstreamError> {
        #[derive(Deserialize, Default)]
        struct Size {
            #[serde(rename = "totalSize", default)]
            total_size: i64,
        }
        let secrets = [self.token];
        let call = self.call(&secrets)?;
        let path =
            "/library/sections/watchlist/all?X-Plex-Container-Start=0&X-Plex-Container-Size=1";
        let answer = call
            .send(self.request(awc::http::Method::GET, path), None)
            .await?;
        match answer.status {
            200 => Ok(call
                .parse::<Container<Size>>(&answer.body)?
                .media_container
                .total_size),
            404 => Err(call.error(UpstreamErrorKind::Failed {
                status: 404,
                message: "no watchlist here; Plex may have moved it to another host".to_owned(),
            })),
            status => Err(Self::failure(&call, status)),
        }
    }

    /// `PUT /actions/addToWatchlist?ratingKey=…` as this user.
    pub async fn add_to_watchlist(&self, rating_key: &str) -> Result<(), UpstreamError> {
        let secrets = [self.token];
        let call = self.call(&secrets)?;
        let query = serde_urlencoded::to_string([("ratingKey", rating_key)])
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))?;
        let path = format!("/actions/addToWatchlist?{query}");
        let answer = call
            .send(self.request(awc::http::Method::PUT, &path), None)
            .await?;
        match answer.status {
            200 | 201 | 204 => Ok(()),
            status => Err(Self::failure(&call, status)),
        }
    }
}
