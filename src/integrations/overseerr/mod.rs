//! Overseerr API v1, and Jellyseerr/Seerr which share it (docs/upstreams.md, Overseerr).

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::call::{Answer, Call};
use super::error::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;

mod seasons;

pub use seasons::{SeasonsPresent, TvPlan, TvSeasons};

/// An Overseerr install: its URL as opened in a browser, and the API key (Settings → General).
pub struct Overseerr<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub api_key: &'a str,
    pub timeout: Duration,
}

pub use crate::domain::Availability;

/// From Overseerr's `mediaInfo.status` (absent `mediaInfo` = never seen = missing). 4K is a
/// separate track and ignored; Seerr's blocklisted/deleted count as missing.
pub fn availability_of(status: Option<i64>) -> Availability {
    match status {
        Some(5) => Availability::Available,
        Some(4) => Availability::Partial,
        Some(2) => Availability::Requested,
        Some(3) => Availability::Processing,
        _ => Availability::Missing,
    }
}

/// What became of a request Overseerr accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestOutcome {
    /// 201: a new request.
    Requested,
    /// 409 (movie already requested) or 202 (no TV seasons left to request).
    AlreadyRequested,
    /// TV: every season Sagarr would ask for is there already, so nothing was sent.
    NothingMissing(SeasonsPresent),
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
    /// The deep link to the title on the owner's Plex, set once it is there: `plexUrl` on
    /// Overseerr, `mediaUrl` on Seerr and Jellyseerr (server/entity/Media.ts).
    #[serde(rename = "plexUrl", default)]
    plex_url: Option<String>,
    #[serde(rename = "mediaUrl", default)]
    media_url: Option<String>,
    #[serde(default)]
    seasons: Vec<SeasonStatus>,
    #[serde(default)]
    requests: Vec<RequestInfo>,
}

#[derive(Deserialize)]
struct SeasonStatus {
    #[serde(rename = "seasonNumber")]
    season_number: i64,
    #[serde(default)]
    status: Option<i64>,
}

#[derive(Deserialize)]
struct RequestInfo {
    #[serde(default)]
    status: Option<i64>,
    #[serde(rename = "is4k", default)]
    is_4k: bool,
    #[serde(default)]
    seasons: Vec<SeasonStatus>,
}

#[derive(Deserialize)]
struct TvDetails {
    #[serde(default)]
    seasons: Vec<SeasonStatus>,
    #[serde(rename = "mediaInfo", default)]
    media_info: Option<MediaInfo>,
}

/// `GET /settings/main` (Overseerr) or `/settings/network` (Seerr, Jellyseerr): the part we read.
#[derive(Deserialize)]
struct CsrfSettings {
    #[serde(rename = "csrfProtection", default)]
    csrf_protection: Option<bool>,
}

/// `GET /status`, public.
#[derive(Deserialize)]
struct Status {
    #[serde(default, deserialize_with = "super::lenient::string")]
    version: String,
}

/// `GET /settings/public`, public: Seerr and Jellyseerr add `mediaServerType`.
#[derive(Deserialize)]
struct PublicSettings {
    #[serde(rename = "mediaServerType", default)]
    media_server_type: Option<i64>,
}

/// Which of the three servers speaking this API answers (docs/upstreams.md, Seerr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    Overseerr,
    Jellyseerr,
    /// The merged successor of both, from version 3.
    Seerr,
}

impl Flavour {
    pub fn name(self) -> &'static str {
        match self {
            Self::Overseerr => "Overseerr",
            Self::Jellyseerr => "Jellyseerr",
            Self::Seerr => "Seerr",
        }
    }

    /// Where the admin turns CSRF protection off, in the words of that server's settings page.
    pub fn csrf_advice(self) -> String {
        match self {
            Self::Overseerr => {
                "Overseerr's CSRF protection is on, and it refuses every request Sagarr sends. \
                 Turn off \"Enable CSRF Protection\" in Overseerr's Settings → General"
                    .to_owned()
            }
            other => format!(
                "{name}'s CSRF protection is on, and it refuses every request Sagarr sends. Turn off \
                 \"Enable CSRF Protection\" in {name}'s Settings → Network",
                name = other.name()
            ),
        }
    }
}

/// The server's flavour and version, as its public routes tell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    pub flavour: Flavour,
    pub version: String,
}

/// What Overseerr answers on every POST while "Enable CSRF Protection" is on.
const CSRF_REFUSAL: &str = "invalid csrf token";
/// Where the admin turns it off, for a refusal met while acting (the flavour is not asked then).
pub const CSRF_ADVICE: &str = "The request server's CSRF protection is on, and it refuses every request Sagarr sends. \
     Turn off \"Enable CSRF Protection\" in its settings (Overseerr: Settings → General; Seerr and \
     Jellyseerr: Settings → Network)";

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
        let message = super::error::scrub(
            body.message
                .as_deref()
                .or(body.error.as_deref())
                .unwrap_or(""),
            call.secrets,
        );
        call.error(match answer.status {
            // 401: no key; 403 with `error`: wrong key (or an unknown X-Api-User, which
            // `request_media` tells apart).
            401 => UpstreamErrorKind::KeyRefused,
            403 if body.message.is_none() => UpstreamErrorKind::KeyRefused,
            403 if message.contains(CSRF_REFUSAL) => {
                UpstreamErrorKind::Refused(CSRF_ADVICE.to_owned())
            }
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

    /// Whether "Enable CSRF Protection" is on (admin key): if so, every request Sagarr would
    /// make fails. Overseerr keeps it in `GET /settings/main`; Seerr and Jellyseerr in
    /// `GET /settings/network`, so that is asked when the first has no such field. `None` when
    /// the server would not say.
    pub async fn csrf_protection(&self) -> Result<Option<bool>, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        for path in ["/settings/main", "/settings/network"] {
            let answer = call
                .send(self.request(awc::http::Method::GET, path), None)
                .await?;
            if answer.status != 200 {
                continue;
            }
            if let Ok(CsrfSettings {
                csrf_protection: Some(on),
            }) = call.parse::<CsrfSettings>(&answer.body)
            {
                return Ok(Some(on));
            }
        }
        Ok(None)
    }

    /// Which server this is, from its public `GET /status` (version) and
    /// `GET /settings/public` (`mediaServerType` only on Seerr and Jellyseerr; Seerr's versions
    /// start at 3).
    pub async fn server_info(&self) -> Result<ServerInfo, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let answer = call
            .send(self.request(awc::http::Method::GET, "/status"), None)
            .await?;
        if answer.status != 200 {
            return Err(Self::error(&call, &answer));
        }
        let status: Status = call.parse(&answer.body)?;
        let answer = call
            .send(
                self.request(awc::http::Method::GET, "/settings/public"),
                None,
            )
            .await?;
        let forked = answer.status == 200
            && call
                .parse::<PublicSettings>(&answer.body)
                .is_ok_and(|p| p.media_server_type.is_some());
        let major: u32 = status
            .version
            .trim_start_matches('v')
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        let flavour = match (forked, major) {
            (false, _) => Flavour::Overseerr,
            (true, major) if major >= 3 => Flavour::Seerr,
            (true, _) => Flavour::Jellyseerr,
        };
        Ok(ServerInfo {
            flavour,
            version: status.version,
        })
    }

    /// A show's seasons and their status (`GET /tv/{id}`).
    pub async fn tv_seasons(&self, tmdb_id: i64) -> Result<TvSeasons, UpstreamError> {
        let secrets = [self.api_key];
        let call = self.call(&secrets)?;
        let answer = call
            .send(
                self.request(awc::http::Method::GET, &format!("/tv/{tmdb_id}")),
                None,
            )
            .await?;
        if answer.status != 200 {
            return Err(Self::error(&call, &answer));
        }
        let details: TvDetails = call.parse(&answer.body)?;
        let mut seasons = TvSeasons {
            existing: details.seasons.iter().map(|s| s.season_number).collect(),
            ..TvSeasons::default()
        };
        if let Some(info) = details.media_info {
            for s in &info.seasons {
                if let Some(status) = s.status {
                    seasons.status.insert(s.season_number, status);
                }
            }
            // Declined (3) requests do not hold a season, nor do Seerr's completed (5) ones
            // (MediaRequest.ts); 4K is a separate track.
            for r in info
                .requests
                .iter()
                .filter(|r| !r.is_4k && !matches!(r.status, Some(3 | 5)))
            {
                seasons
                    .requested
                    .extend(r.seasons.iter().map(|s| s.season_number));
            }
        }
        Ok(seasons)
    }

    /// Availability of one title.
    pub async fn availability(
        &self,
        kind: Kind,
        tmdb_id: i64,
    ) -> Result<Availability, UpstreamError> {
        Ok(self.availability_and_link(kind, tmdb_id).await?.0)
    }

    /// Availability of one title, with its Plex link (`mediaInfo.plexUrl`, or `mediaUrl` on
    /// Seerr and Jellyseerr) when the server has one; only an http(s) link is kept.
    pub async fn availability_and_link(
        &self,
        kind: Kind,
        tmdb_id: i64,
    ) -> Result<(Availability, Option<String>), UpstreamError> {
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
                let status = availability_of(details.media_info.as_ref().and_then(|m| m.status));
                let link = details
                    .media_info
                    .and_then(|m| m.plex_url.or(m.media_url))
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
                Ok((status, link))
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
            _ => {
                let error = Self::error(&call, &answer);
                // A wrong key and an unknown X-Api-User both answer 403 `{status, error}`: if
                // the key still works on its own, it is the user mapping that went stale.
                if error.kind == UpstreamErrorKind::KeyRefused
                    && answer.status == 403
                    && self.check_key().await.is_ok()
                {
                    return Err(call.error(UpstreamErrorKind::UnknownUser));
                }
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_contract() {
        let map = |s| availability_of(s).as_str();
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
