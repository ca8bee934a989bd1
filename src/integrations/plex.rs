//! plex.tv: PIN sign-in and "who is this token" (docs/upstreams.md, Plex).

use serde::Deserialize;

use super::call::Call;
use super::error::{Service, UpstreamError, UpstreamErrorKind};

/// Our product name as Plex shows it in the user's authorized devices.
pub const PRODUCT: &str = "Sagarr";

/// A plex.tv client for one install, identified by its generated client identifier.
pub struct PlexTv<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub client_id: &'a str,
    pub timeout: std::time::Duration,
}

/// A sign-in PIN. `auth_token` stays `None` until the user has signed in on app.plex.tv.
#[derive(Debug, Clone, Deserialize)]
pub struct Pin {
    pub id: i64,
    pub code: String,
    #[serde(rename = "authToken", default)]
    pub auth_token: Option<crate::secrets::Secret>,
}

/// The account behind a token.
#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub id: i64,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub username: String,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub title: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub thumb: Option<String>,
    /// `true` for a Plex Home managed user (docs/upstreams.md, plex.tv); read leniently.
    #[serde(default)]
    pub restricted: Option<serde_json::Value>,
}

impl Account {
    /// A Plex Home managed user (a kid's account, typically).
    pub fn is_managed(&self) -> bool {
        use serde_json::Value;
        match &self.restricted {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            Some(Value::String(s)) => s == "1" || s == "true",
            _ => false,
        }
    }

    /// The name to show: the username, else the title Plex gives.
    pub fn display_name(&self) -> &str {
        if self.username.is_empty() {
            &self.title
        } else {
            &self.username
        }
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    message: String,
}

impl PlexTv<'_> {
    fn request(&self, method: awc::http::Method, path: &str) -> awc::ClientRequest {
        self.http
            .request(method, format!("{}{path}", self.base))
            .insert_header(("Accept", "application/json"))
            .insert_header(("X-Plex-Product", PRODUCT))
            .insert_header(("X-Plex-Version", env!("CARGO_PKG_VERSION")))
            .insert_header(("X-Plex-Client-Identifier", self.client_id))
            .insert_header(("X-Plex-Platform", "Web"))
            .insert_header(("X-Plex-Device", PRODUCT))
            .insert_header(("X-Plex-Device-Name", PRODUCT))
    }

    fn call<'s>(&'s self, secrets: &'s [&'s str]) -> Call<'s> {
        Call {
            service: Service::PlexTv,
            base: self.base,
            secrets,
            timeout: self.timeout,
        }
    }

    /// `POST /api/v2/pins?strong=true`: a long code for the app.plex.tv flow.
    pub async fn create_pin(&self) -> Result<Pin, UpstreamError> {
        let call = self.call(&[]);
        let answer = call
            .send(
                self.request(awc::http::Method::POST, "/api/v2/pins?strong=true"),
                None,
            )
            .await?;
        match answer.status {
            200 | 201 => call.parse(&answer.body),
            status => Err(failure(&call, status, &answer.body)),
        }
    }

    /// `GET /api/v2/pins/{id}`. A PIN plex.tv no longer knows (expired) is `NotFound`.
    pub async fn pin(&self, id: i64) -> Result<Pin, UpstreamError> {
        let call = self.call(&[]);
        let answer = call
            .send(
                self.request(awc::http::Method::GET, &format!("/api/v2/pins/{id}")),
                None,
            )
            .await?;
        match answer.status {
            200 => call.parse(&answer.body),
            404 | 410 => Err(call.error(UpstreamErrorKind::NotFound)),
            status => Err(failure(&call, status, &answer.body)),
        }
    }

    /// `GET /api/v2/user` with the user's token: 401 means the token is no good.
    pub async fn account(&self, token: &str) -> Result<Account, UpstreamError> {
        let secrets = [token];
        let call = self.call(&secrets);
        let request = self
            .request(awc::http::Method::GET, "/api/v2/user")
            .insert_header(("X-Plex-Token", token));
        let answer = call.send(request, None).await?;
        match answer.status {
            200 => call.parse(&answer.body),
            401 => Err(call.error(UpstreamErrorKind::KeyRefused)),
            status => Err(failure(&call, status, &answer.body)),
        }
    }
}

fn failure(call: &Call<'_>, status: u16, body: &[u8]) -> UpstreamError {
    let message = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.errors.into_iter().next())
        .map(|e| super::error::scrub(&e.message, call.secrets))
        .unwrap_or_default();
    match status {
        429 => call.error(UpstreamErrorKind::RateLimited { retry_after: None }),
        _ => call.error(UpstreamErrorKind::Failed { status, message }),
    }
}

/// The app.plex.tv address the browser is sent to (docs/http.md `/auth/plex`). Parameters live
/// in the fragment, so they never reach app.plex.tv's server logs.
pub fn auth_url(auth_base: &str, client_id: &str, code: &str, forward_url: &str) -> String {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, URI_COMPONENT).to_string();
    format!(
        "{auth_base}#?clientID={}&code={}&forwardUrl={}&{}={}",
        enc(client_id),
        enc(code),
        enc(forward_url),
        enc("context[device][product]"),
        enc(PRODUCT),
    )
}

/// What JavaScript's `encodeURIComponent` leaves alone, which is what app.plex.tv decodes.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

#[cfg(test)]
mod tests {
    #[test]
    fn auth_url_matches_the_contract() {
        let url = super::auth_url(
            "https://app.plex.tv/auth",
            "abc-123",
            "code9",
            "https://s.example.com/auth/plex/callback",
        );
        assert_eq!(
            url,
            "https://app.plex.tv/auth#?clientID=abc-123&code=code9\
             &forwardUrl=https%3A%2F%2Fs.example.com%2Fauth%2Fplex%2Fcallback\
             &context%5Bdevice%5D%5Bproduct%5D=Sagarr"
        );
    }
}
