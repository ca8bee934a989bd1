//! Tautulli API v2 (UPSTREAMS.md 2): one envelope, errors as HTTP 400 with `result: error`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::lenient;
use super::{Call, DEFAULT_TIMEOUT, Service, UpstreamError, UpstreamErrorKind};

/// A Tautulli install: its URL as opened in a browser (HTTP root included) and API key.
pub struct Tautulli<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub api_key: &'a str,
}

#[derive(Deserialize)]
struct Envelope {
    response: EnvelopeBody,
}

#[derive(Deserialize)]
struct EnvelopeBody {
    result: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: serde_json::Value,
}

/// A row of `get_users`. `user_id` is the Plex account id; 0 is the built-in `Local` user.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub is_active: Option<i64>,
}

impl User {
    /// A real, active account of the server (never the `Local` user).
    pub fn is_active_account(&self) -> bool {
        self.is_active == Some(1) && self.user_id.is_some_and(|id| id > 0)
    }
}

impl Tautulli<'_> {
    /// Runs `cmd` and returns its `data`, checking `response.result` whatever the HTTP status.
    async fn command<T: DeserializeOwned>(
        &self,
        cmd: &str,
        params: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        if self.base.is_empty() || self.api_key.is_empty() {
            return Err(UpstreamError::not_configured(Service::Tautulli));
        }
        let secrets = [self.api_key];
        let call = Call {
            service: Service::Tautulli,
            base: self.base,
            secrets: &secrets,
            timeout: DEFAULT_TIMEOUT,
        };
        let mut query = vec![("apikey", self.api_key), ("cmd", cmd)];
        query.extend_from_slice(params);
        let query = serde_urlencoded::to_string(&query)
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))?;
        let url = format!("{}/api/v2?{query}", self.base.trim_end_matches('/'));
        let answer = call
            .send(
                self.http
                    .get(url)
                    .insert_header(("Accept", "application/json")),
                None,
            )
            .await?;

        let envelope = match serde_json::from_slice::<Envelope>(&answer.body) {
            Ok(envelope) => envelope.response,
            Err(_) if answer.status >= 400 => {
                return Err(call.error(UpstreamErrorKind::Failed {
                    status: answer.status,
                    message: String::new(),
                }));
            }
            Err(e) => {
                return Err(call.error(UpstreamErrorKind::Unexpected(format!(
                    "not Tautulli's API: {e}"
                ))));
            }
        };
        if envelope.result != "success" {
            let message = super::scrub(envelope.message.as_deref().unwrap_or(""), call.secrets);
            let kind = if message.contains("apikey") || message.contains("API key") {
                UpstreamErrorKind::KeyRefused
            } else {
                UpstreamErrorKind::Failed {
                    status: answer.status,
                    message,
                }
            };
            return Err(call.error(kind));
        }
        serde_json::from_value(envelope.data)
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))
    }

    /// `get_users`: every non-deleted user, the `Local` user included.
    pub async fn users(&self) -> Result<Vec<User>, UpstreamError> {
        self.command("get_users", &[]).await
    }
}
