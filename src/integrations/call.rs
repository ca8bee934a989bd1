//! One upstream call over awc: the shared client, its time limits, and reading the answer into
//! a status and body or an [`UpstreamError`] that names the service and reason.

use std::time::Duration;

use awc::error::{ConnectError, SendRequestError};
use serde::de::DeserializeOwned;

use super::error::{Service, UpstreamError, UpstreamErrorKind, display_url, scrub};

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
