//! Clients for the services Sagarr talks to. Each takes its base URL and key from the caller
//! (never from globals) and fails with an [`UpstreamError`] that names the service and reason.

pub mod ai;
pub mod discover;
pub mod lenient;
pub mod overseerr;
pub mod plex;
pub mod tautulli;
pub mod tmdb;

use std::fmt;
use std::time::Duration;

use awc::error::{ConnectError, SendRequestError};
use serde::de::DeserializeOwned;

/// Total time one upstream answer may take, unless a client says otherwise (AI does).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest upstream body we read.
const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Builds an HTTP client. `awc::Client` is `!Send`: build one per worker or per local task.
pub fn http_client() -> awc::Client {
    awc::Client::builder()
        .timeout(DEFAULT_TIMEOUT)
        .connector(awc::Connector::new().timeout(Duration::from_secs(5)))
        // Never follow a redirect: it could carry a key header to another host.
        .disable_redirects()
        .add_default_header(("User-Agent", concat!("Sagarr/", env!("CARGO_PKG_VERSION"))))
        .finish()
}

/// The upstream a failure came from, as the admin knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    PlexTv,
    PlexDiscover,
    Tautulli,
    Overseerr,
    Tmdb,
    Ai(ai::ProviderKind),
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PlexTv => "plex.tv",
            Self::PlexDiscover => "Plex Discover",
            Self::Tautulli => "Tautulli",
            Self::Overseerr => "Overseerr",
            Self::Tmdb => "TMDb",
            Self::Ai(kind) => kind.label(),
        })
    }
}

/// What went wrong talking to an upstream. Messages never contain keys or tokens: URLs are shown
/// without credentials or query, and upstream messages are scrubbed of the secrets we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamErrorKind {
    NotConfigured,
    Unreachable {
        url: String,
        reason: String,
    },
    TimedOut {
        url: String,
        seconds: u64,
    },
    /// A streamed answer stopped coming: no first or no new token for this long.
    Silent {
        url: String,
        seconds: u64,
    },
    KeyRefused,
    /// Overseerr: the key works, but the user Sagarr acts as (`X-Api-User`) no longer exists.
    UnknownUser,
    NotFound,
    RateLimited {
        retry_after: Option<u64>,
    },
    /// The upstream said no to this request, in its own words (quota, permission).
    Refused(String),
    /// The upstream failed, with its status and own message.
    Failed {
        status: u16,
        message: String,
    },
    /// The answer could not be read.
    Unexpected(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UpstreamError {
    pub service: Service,
    pub kind: UpstreamErrorKind,
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.service;
        match &self.kind {
            UpstreamErrorKind::NotConfigured => write!(f, "{s} is not set up yet"),
            UpstreamErrorKind::Unreachable { url, reason } => {
                write!(f, "{s} could not be reached at {url} ({reason})")
            }
            UpstreamErrorKind::TimedOut { url, seconds } => {
                write!(f, "{s} at {url} did not answer within {seconds} s")
            }
            UpstreamErrorKind::Silent { url, seconds } => {
                write!(f, "{s} at {url} went silent for {seconds} s")
            }
            UpstreamErrorKind::KeyRefused if s == Service::PlexTv => {
                write!(f, "{s} refused the sign-in token")
            }
            UpstreamErrorKind::KeyRefused => write!(f, "{s} refused the API key"),
            UpstreamErrorKind::UnknownUser => write!(
                f,
                "{s} has no user for your Plex account any more; ask the admin to import Plex users in {s}"
            ),
            UpstreamErrorKind::NotFound => write!(f, "{s} has no such item"),
            UpstreamErrorKind::RateLimited {
                retry_after: Some(secs),
            } => {
                write!(f, "{s} is limiting requests; try again in {secs} s")
            }
            UpstreamErrorKind::RateLimited { retry_after: None } => {
                write!(f, "{s} is limiting requests; try again later")
            }
            UpstreamErrorKind::Refused(message) => write!(f, "{s} refused: {message}"),
            UpstreamErrorKind::Failed { status, message } if message.is_empty() => {
                write!(f, "{s} failed (HTTP {status})")
            }
            UpstreamErrorKind::Failed { status, message } => {
                write!(f, "{s} failed (HTTP {status}): {message}")
            }
            UpstreamErrorKind::Unexpected(detail) => {
                write!(f, "{s} sent an answer Sagarr could not read ({detail})")
            }
        }
    }
}

impl UpstreamError {
    pub fn new(service: Service, kind: UpstreamErrorKind) -> Self {
        Self { service, kind }
    }

    pub fn not_configured(service: Service) -> Self {
        Self::new(service, UpstreamErrorKind::NotConfigured)
    }
}

/// `base` as safe to show: scheme, host, port and path; no credentials, query or fragment.
pub fn display_url(base: &str) -> String {
    let cut = base.find(['?', '#']).unwrap_or(base.len());
    let base = &base[..cut];
    match base.split_once("://") {
        Some((scheme, rest)) => {
            let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{}", rest.trim_end_matches('/'))
        }
        None => base.trim_end_matches('/').to_owned(),
    }
}

/// Replaces every secret in `text` so an upstream that echoes a key cannot leak it.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "[redacted]");
    }
    out.chars().take(300).collect()
}

/// One upstream call in flight: which service, where (for messages), and which secrets to scrub.
pub struct Call<'a> {
    pub service: Service,
    pub base: &'a str,
    pub secrets: &'a [&'a str],
    pub timeout: Duration,
}

/// An answer whose body is still to be read (decompressed as it arrives).
pub type Opened = awc::ClientResponse<actix_web::dev::Decompress<actix_web::dev::Payload>>;

/// An answer with its status and body, read in full.
pub struct Answer {
    pub status: u16,
    pub body: actix_web::web::Bytes,
    pub retry_after: Option<u64>,
}

impl Call<'_> {
    pub fn error(&self, kind: UpstreamErrorKind) -> UpstreamError {
        UpstreamError::new(self.service, kind)
    }

    /// Sends `request` (optionally with a JSON body) and reads the whole answer.
    pub async fn send(
        &self,
        request: awc::ClientRequest,
        json: Option<&serde_json::Value>,
    ) -> Result<Answer, UpstreamError> {
        let request = request.timeout(self.timeout);
        let sent = match json {
            Some(body) => request.send_json(body).await,
            None => request.send().await,
        };
        let mut response = sent.map_err(|e| self.send_error(e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = response
            .body()
            .limit(BODY_LIMIT)
            .await
            .map_err(|e| match e {
                awc::error::PayloadError::Io(ref io)
                    if io.kind() == std::io::ErrorKind::TimedOut =>
                {
                    self.timed_out()
                }
                other => self.error(UpstreamErrorKind::Unexpected(
                    self.clean(&other.to_string()),
                )),
            })?;
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }

    /// Sends `request` with a JSON body and returns the answer's head as soon as it arrives, the
    /// body unread: for answers that stream. `self.timeout` bounds the wait for the head only.
    pub async fn open(
        &self,
        request: awc::ClientRequest,
        json: &serde_json::Value,
    ) -> Result<Opened, UpstreamError> {
        request
            .timeout(self.timeout)
            .send_json(json)
            .await
            .map_err(|e| self.send_error(e))
    }

    /// Reads the rest of an opened answer in full, within `self.timeout`.
    pub async fn finish(&self, mut response: Opened) -> Result<Answer, UpstreamError> {
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = actix_web::rt::time::timeout(self.timeout, response.body().limit(BODY_LIMIT))
            .await
            .map_err(|_| self.timed_out())?
            .map_err(|e| self.error(UpstreamErrorKind::Unexpected(self.clean(&e.to_string()))))?;
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }

    /// Parses a JSON body into `T`, naming the service when it does not fit.
    pub fn parse<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, UpstreamError> {
        serde_json::from_slice(body)
            .map_err(|e| self.error(UpstreamErrorKind::Unexpected(self.clean(&e.to_string()))))
    }

    fn clean(&self, text: &str) -> String {
        scrub(text, self.secrets)
    }

    fn timed_out(&self) -> UpstreamError {
        // Rounded up: a budget of 1.99 s left is "2 s" to the admin.
        let seconds = self.timeout.as_secs_f64().ceil() as u64;
        self.error(UpstreamErrorKind::TimedOut {
            url: display_url(self.base),
            seconds,
        })
    }

    fn send_error(&self, error: SendRequestError) -> UpstreamError {
        match error {
            SendRequestError::Timeout | SendRequestError::Connect(ConnectError::Timeout) => {
                self.timed_out()
            }
            SendRequestError::Connect(e) => self.error(UpstreamErrorKind::Unreachable {
                url: display_url(self.base),
                reason: self.clean(&connect_reason(&e)),
            }),
            other => self.error(UpstreamErrorKind::Unreachable {
                url: display_url(self.base),
                reason: self.clean(&other.to_string()),
            }),
        }
    }
}

/// `Retry-After` in seconds, when the upstream sent one.
fn retry_after(headers: &awc::http::header::HeaderMap) -> Option<u64> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

fn connect_reason(error: &ConnectError) -> String {
    match error {
        ConnectError::Resolver(_) | ConnectError::Unresolved | ConnectError::NoRecords => {
            "name not found".to_owned()
        }
        ConnectError::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        ConnectError::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_credentials_or_query() {
        assert_eq!(
            display_url("http://user:pw@tautulli:8181/root/?apikey=abc"),
            "http://tautulli:8181/root"
        );
        assert_eq!(display_url("https://plex.tv/"), "https://plex.tv");
    }

    #[test]
    fn secrets_are_scrubbed_from_upstream_text() {
        assert_eq!(
            scrub(
                "Incorrect API key provided: sk-secret123",
                &["sk-secret123"]
            ),
            "Incorrect API key provided: [redacted]"
        );
    }

    #[test]
    fn messages_name_the_service_and_reason() {
        let e = UpstreamError::new(Service::Tautulli, UpstreamErrorKind::KeyRefused);
        assert_eq!(e.to_string(), "Tautulli refused the API key");
        let e = UpstreamError::new(
            Service::Overseerr,
            UpstreamErrorKind::TimedOut {
                url: "http://overseerr:5055".into(),
                seconds: 10,
            },
        );
        assert_eq!(
            e.to_string(),
            "Overseerr at http://overseerr:5055 did not answer within 10 s"
        );
    }
}
