//! How an upstream failure is named: the service, as the admin knows it, and the reason, with
//! every secret scrubbed and every URL shown without credentials.

use std::fmt;

/// The upstream a failure came from, as the admin knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    PlexTv,
    PlexDiscover,
    Tautulli,
    Overseerr,
    Tmdb,
    Ai(super::ai::kind::ProviderKind),
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
    /// A streamed answer stopped mid-way: an error inside the stream, or a connection that
    /// closed before the last message. Said without a status: the stream itself was a 200.
    BrokeOff(String),
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
            UpstreamErrorKind::BrokeOff(reason) => write!(f, "{s} broke off mid-answer: {reason}"),
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
