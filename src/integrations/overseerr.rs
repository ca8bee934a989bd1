//! Overseerr API v1, and Jellyseerr/Seerr which share it (UPSTREAMS.md 3).

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{Answer, Call, Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;

/// An Overseerr install: its URL as opened in a browser, and the API key (Settings → General).
pub struct Overseerr<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub api_key: &'a str,
    pub timeout: Duration,
}

/// Availability as CONTRACT.md names it (`GET /media/{kind}/{id}/status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Available,
    Partial,
    Requested,
    Processing,
    Missing,
    Unknown,
}

impl Availability {
    /// From Overseerr's `mediaInfo.status` (absent `mediaInfo` = never seen = missing). 4K is a
    /// separate track and ignored; Seerr's blocklisted/deleted count as missing.
    pub fn from_media_status(status: Option<i64>) -> Self {
        match status {
            Some(5) => Self::Available,
            Some(4) => Self::Partial,
            Some(2) => Self::Requested,
            Some(3) => Self::Processing,
            _ => Self::Missing,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Partial => "partial",
            Self::Requested => "requested",
            Self::Processing => "processing",
            Self::Missing => "missing",
            Self::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Available,
            Self::Partial,
            Self::Requested,
            Self::Processing,
            Self::Missing,
            Self::Unknown,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }
}

/// What became of a request Overseerr accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// 201: a new request.
    Requested,
    /// 409 (movie already requested) or 202 (no TV seasons left to request).
    AlreadyRequested,
}

/// An Overseerr user, with the Plex account id that maps him to ours.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    pub id: i64,
    #[serde(rename = "plexId", default)]
    pub plex_id: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(rename = "displayName", default)]
    pub display_name: Option<String>,
}

#[derive(Deserialize)]
struct MediaDetails {
    #[serde(rename = "mediaInfo", default)]
    media_info: Option<MediaInfo>,
}

#[derive(Deserialize)]
struct MediaInfo {
    #[serde(default)]
    status: Option<i64>,
}

#[derive(Deserialize)]
struct UserPage {
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
    results: Vec<User>,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(default)]
    pages: i64,
}

/// The two error shapes: route errors `{message}` and auth errors `{status, error}`.
#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// TV requests ask for seasons 1 to 3 that exist, never season 0 (Specials).
pub fn seasons_to_request(existing: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut seasons: Vec<i64> = existing
        .into_iter()
        .filter(|n| (1..=3).contains(n))
        .collect();
    seasons.sort_unstable();
    seasons.dedup();
    seasons
}

impl Overseerr<'_> {
    fn call<'s>(&'s self, secrets: &'s [&'s str]) -> Result<Call<'s>, UpstreamError> {
        if self.base.is_empty() || self.api_key.is_empty() {
            return Err(UpstreamError::not_configured(Service::Overseerr));
        }
        Ok(Call {
            service: Service::Overseerr,
            base: self.base,
            secrets,
            timeout: self.timeout,
        })
    }

    fn request(&self, method: awc::http::Method, path: &str) -> awc::ClientRequest {
        self.http
            .request(
                method,
                format!("{}/api/v1{path}", self.base.trim_end_matches('/')),
            )
            .insert_header(("X-Api-Key", self.api_key))
            .insert_header(("Accept", "application/json"))
    }

    fn error(call: &Call<'_>, answer: &Answer) -> UpstreamError {
        let body: ErrorBody = serde_json::from_slice(&answer.body).unwrap_or_default();
        let message = super::scrub(
            body.message
                .as_deref()
                .or(body.error.as_deref())
                .unwrap_or(""),
            call.secrets,
        );
        call.error(match answer.status {
            // 401: no key; 403 with `error`: wrong key (or an unknown X-Api-User).
            401 => UpstreamErrorKind::KeyRefused,
            403 if body.message.is_none() => UpstreamErrorKind::KeyRefused,
            403 => UpstreamErrorKind::Refused(message),
            404 => UpstreamErrorKind::NotFound,
            429 => UpstreamErrorKind::RateLimited {
                retry_after: answer.retry_after,
            },
            status => UpstreamErrorKind::Failed { status, message },
        })
    }

    /// `GET /auth/me`: proves the key works (the public `/status` proves nothing).
    pub async fn check_key(&self) -> Result<(), UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let answer = call
            .send(self.request(awc::http::Method::GET, "/auth/me"), None)
            .await?;
        match answer.status {
            200 => call.parse::<serde_json::Value>(&answer.body).map(drop),
            _ => Err(Self::error(&call, &answer)),
        }
    }

    /// Availability of one title.
    pub async fn availability(
        &self,
        kind: Kind,
        tmdb_id: i64,
    ) -> Result<Availability, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let answer = call
            .send(
                self.request(awc::http::Method::GET, &format!("/{kind}/{tmdb_id}")),
                None,
            )
            .await?;
        match answer.status {
            200 => {
                let details: MediaDetails = call.parse(&answer.body)?;
                Ok(Availability::from_media_status(
                    details.media_info.and_then(|m| m.status),
                ))
            }
            _ => Err(Self::error(&call, &answer)),
        }
    }

    /// Every user, paged 50 at a time.
    pub async fn users(&self) -> Result<Vec<User>, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let mut users = Vec::new();
        for page in 0.. {
            let path = format!("/user?take=50&skip={}&sort=created", page * 50);
            let answer = call
                .send(self.request(awc::http::Method::GET, &path), None)
                .await?;
            if answer.status != 200 {
                return Err(Self::error(&call, &answer));
            }
            let batch: UserPage = call.parse(&answer.body)?;
            let done = batch.results.is_empty() || page + 1 >= batch.page_info.pages;
            users.extend(batch.results);
            if done || page >= 100 {
                break;
            }
        }
        Ok(users)
    }

    /// Requests a title as Overseerr user `as_user` (`X-Api-User`), so his quotas and approval
    /// rules apply. `seasons` is for TV only.
    pub async fn request_media(
        &self,
        kind: Kind,
        tmdb_id: i64,
        as_user: i64,
        seasons: &[i64],
    ) -> Result<RequestOutcome, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let mut body = json!({"mediaType": kind.as_str(), "mediaId": tmdb_id, "is4k": false});
        if kind == Kind::Tv {
            body["seasons"] = json!(seasons);
        }
        let request = self
            .request(awc::http::Method::POST, "/request")
            .insert_header(("X-Api-User", as_user.to_string()));
        let answer = call.send(request, Some(&body)).await?;
        match answer.status {
            201 => Ok(RequestOutcome::Requested),
            202 | 409 => Ok(RequestOutcome::AlreadyRequested),
            _ => Err(Self::error(&call, &answer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_requests_ask_for_seasons_one_to_three_that_exist() {
        assert_eq!(seasons_to_request([0, 1, 2, 3, 4, 5]), vec![1, 2, 3]);
        assert_eq!(seasons_to_request([0, 1]), vec![1]);
        assert_eq!(seasons_to_request([0]), Vec::<i64>::new());
    }

    #[test]
    fn statuses_map_to_the_contract() {
        let map = |s| Availability::from_media_status(s).as_str();
        assert_eq!(
            [
                map(Some(5)),
                map(Some(4)),
                map(Some(2)),
                map(Some(3)),
                map(Some(1)),
                map(None)
            ],
            [
                "available",
                "partial",
                "requested",
                "processing",
                "missing",
                "missing"
            ]
        );
    }
}
