//! Sessions: an encrypted cookie (actix-session) carrying the user id and a random token whose
//! hash is stored server-side, so logout and user removal end a session for good.

use std::future::Future;
use std::pin::Pin;

use actix_session::config::PersistentSession;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionExt, SessionMiddleware};
use actix_web::cookie::{Key, SameSite, time::Duration};
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::db::{self, users::User};
use crate::error::AppError;
use crate::secrets;
use crate::state::AppState;

pub const COOKIE_NAME: &str = "sagarr_session";
pub const SESSION_DAYS: i64 = 30;

const USER_ID: &str = "uid";
const TOKEN: &str = "token";
const PENDING_PIN: &str = "plex_pin";
const FLASH: &str = "flash";

/// A one-time message for the next page view, for forms posted without JavaScript.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub message: String,
    /// The part of the page the message belongs to (the form that was posted).
    pub anchor: String,
}

pub fn set_flash(session: &Session, ok: bool, message: impl Into<String>, anchor: &str) {
    let _ = session.insert(
        FLASH,
        Flash {
            ok,
            message: message.into(),
            anchor: anchor.to_owned(),
        },
    );
}

pub fn take_flash(session: &Session) -> Option<Flash> {
    let flash = session.get::<Flash>(FLASH).ok().flatten();
    if flash.is_some() {
        session.remove(FLASH);
    }
    flash
}

/// The session middleware. `Secure` is added per request by [`crate::http::headers`], because
/// whether the browser used https is only known per request behind a proxy.
pub fn middleware(key: Key) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE_NAME.to_owned())
        .cookie_http_only(true)
        // Lax, not Strict: the return from app.plex.tv is a cross-site navigation.
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(false)
        .session_lifecycle(PersistentSession::default().session_ttl(Duration::days(SESSION_DAYS)))
        .build()
}

/// A Plex PIN this browser is waiting on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingPin {
    pub id: i64,
    pub started_at: i64,
}

pub fn pending_pin(session: &Session) -> Option<PendingPin> {
    session.get(PENDING_PIN).ok().flatten()
}

pub fn set_pending_pin(session: &Session, pin: &PendingPin) -> Result<(), AppError> {
    session
        .insert(PENDING_PIN, pin)
        .map_err(|e| AppError::internal("session", e))
}

pub fn clear_pending_pin(session: &Session) {
    session.remove(PENDING_PIN);
}

/// Signs `user_id` in: a new server-side session and a renewed cookie (no fixation).
pub async fn start(session: &Session, pool: &db::DbPool, user_id: i32) -> Result<(), AppError> {
    let token = secrets::random_hex(32).map_err(|e| AppError::internal("session token", e))?;
    let hash = secrets::sha256_hex(&token);
    db::write(pool, db::Scope::Unshown, move |conn| {
        Ok(db::sessions::create(
            conn,
            &hash,
            user_id,
            db::now(),
            SESSION_DAYS * 86_400,
        )?)
    })
    .await?;
    session.renew();
    session.clear();
    session
        .insert(USER_ID, user_id)
        .map_err(|e| AppError::internal("session", e))?;
    session
        .insert(TOKEN, token)
        .map_err(|e| AppError::internal("session", e))?;
    Ok(())
}

/// Signs out: the server-side record goes, so the old cookie is useless even if replayed.
pub async fn end(session: &Session, pool: &db::DbPool) -> Result<(), AppError> {
    if let Ok(Some(token)) = session.get::<String>(TOKEN) {
        let hash = secrets::sha256_hex(&token);
        db::write(pool, db::Scope::Everyone, move |conn| {
            Ok(db::sessions::delete(conn, &hash)?)
        })
        .await?;
    }
    session.purge();
    Ok(())
}

/// The signed-in user. Extracting it fails with [`AppError::Unauthenticated`] when there is no
/// live session: pages then redirect to `/login`, HTMX and JSON calls get 401.
pub struct CurrentUser(pub User);

/// A signed-in admin; anyone else gets 403.
pub struct AdminUser(pub User);

type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("app state", "missing"))?;
            let user_id = session.get::<i32>(USER_ID).ok().flatten();
            let token = session.get::<String>(TOKEN).ok().flatten();
            let (Some(user_id), Some(token)) = (user_id, token) else {
                return Err(AppError::Unauthenticated);
            };
            let hash = secrets::sha256_hex(&token);
            if let Some(user) = state.cache.session(&hash).filter(|u| u.id == user_id) {
                return Ok(CurrentUser(user));
            }
            let version = state.cache.account_version(user_id);
            let lookup = hash.clone();
            let user = db::run(&state.ctx.pool, move |conn| {
                Ok(db::sessions::user_of(conn, &lookup, user_id, db::now())?)
            })
            .await?;
            if let Some(user) = &user {
                state.cache.keep_session(hash, version, user.clone());
            }
            match user {
                Some(user) => Ok(CurrentUser(user)),
                None => {
                    session.purge();
                    Err(AppError::Unauthenticated)
                }
            }
        })
    }
}

impl FromRequest for AdminUser {
    type Error = AppError;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let user = CurrentUser::from_request(req, payload);
        Box::pin(async move {
            let CurrentUser(user) = user.await?;
            if user.is_admin() {
                Ok(AdminUser(user))
            } else {
                Err(AppError::Forbidden(
                    "This page is for Sagarr's admins.".to_owned(),
                ))
            }
        })
    }
}
