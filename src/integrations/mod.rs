//! Clients for the services Sagarr talks to. Each takes its base URL and key from the caller
//! (never from globals) and fails with an [`UpstreamError`] that names the service and reason.
//! The clients build on `call` and `error`; nothing here is used by them, so the children never
//! import their parent. `upstreams` builds every client from the settings; import it from
//! there, since it reads the settings, which the clients must not depend on.

pub mod ai;
pub mod call;
pub mod discover;
pub mod error;
pub mod lenient;
pub mod overseerr;
pub mod plex;
pub mod tautulli;
pub mod tmdb;
pub mod upstreams;

pub use call::{Answer, Call, DEFAULT_TIMEOUT, Opened, http_client};
pub use error::{Service, UpstreamError, UpstreamErrorKind, display_url, scrub};
