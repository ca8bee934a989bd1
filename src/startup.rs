//! The one way to start Sagarr, in production and in tests: prepare the data dir and database,
//! bind the listener, and build the server.

use std::net::TcpListener;
use std::path::Path;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, web};

use std::sync::Arc;

use crate::config::Config;
use crate::jobs::{Rechecks, RefreshQueue};
use crate::state::AppState;
use crate::{auth, db, http, routes, secrets};

/// Why the server could not start, naming the variable to fix when there is one.
#[derive(Debug, thiserror::Error)]
#[error("{}{message}", variable.map(|v| format!("{v}: ")).unwrap_or_default())]
pub struct StartupError {
    pub variable: Option<&'static str>,
    pub message: String,
}

fn startup_error(variable: Option<&'static str>, message: impl Into<String>) -> StartupError {
    StartupError {
        variable,
        message: message.into(),
    }
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
    /// The nightly clock thread; it stops when this is dropped.
    _clock: Option<clokwerk::ScheduleHandle>,
}

impl Application {
    /// Prepares everything and binds `config.bind` (port 0 picks a free port). Must be called
    /// on an actix runtime; the server runs once awaited or spawned.
    pub fn build(config: Config) -> Result<Self, StartupError> {
        prepare_data_dir(&config.data_dir)?;
        let pool = db::open(&config.database_path())
            .map_err(|m| startup_error(Some("SAGARR_DATA_DIR"), m))?;
        let key = secrets::session_key(config.secret_key.as_deref(), &config.data_dir)
            .map_err(|m| startup_error(Some("SECRET_KEY"), m))?;
        let plex_client_id = {
            let mut conn = pool
                .get()
                .map_err(|e| startup_error(Some("SAGARR_DATA_DIR"), e.to_string()))?;
            db::settings::get_or_create(&mut conn, "plex.client_id", db::now(), || {
                secrets::random_hex(16).unwrap_or_else(|_| format!("sagarr-{}", db::now()))
            })
            .map_err(|e| startup_error(Some("SAGARR_DATA_DIR"), e.to_string()))?
        };

        // Runs cut short by a crash or stop must not show "running" forever.
        if let Ok(mut conn) = pool.get() {
            let _ = db::recommendations::reset_interrupted(&mut conn, db::now());
            let _ = db::nights::close_interrupted(&mut conn);
        }

        let listener = TcpListener::bind(config.bind).map_err(|e| {
            startup_error(
                Some("SAGARR_BIND"),
                format!("cannot listen on {}: {e}", config.bind),
            )
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| startup_error(Some("SAGARR_BIND"), e.to_string()))?
            .port();
        let workers = config.workers;
        let demo = !config.demo_accounts.is_empty();
        let (queue, worker) = RefreshQueue::new();
        let cache = crate::page_cache::PageCache::new(pool.versions().clone());
        let shelves = crate::views::shelf::Shelves::new(pool.clone());
        let ctx = crate::engine::Context::new(pool, Arc::new(config), plex_client_id);
        let state = web::Data::new(AppState {
            ctx: ctx.clone(),
            queue,
            rechecks: Rechecks::new(ctx.clone()),
            cache,
            shelves,
            sign_in_limiter: Default::default(),
            status_checks: crate::http::limiter::Recently::new(
                std::time::Duration::from_secs(60),
                10_000,
            ),
            tautulli_users_refresh: crate::http::limiter::Cooldown::new(
                crate::auth::rules::USERS_REFRESH_EVERY,
            ),
        });
        // Trusted proxies named by host (a container's name) are looked up now and every
        // minute after: a recreated container comes back at another address.
        let trusted = state.ctx.config.trusted_proxies.clone();
        if trusted.has_names() {
            trusted.look_up_names();
            actix_web::rt::spawn(async move {
                loop {
                    actix_web::rt::time::sleep(crate::http::forwarded::NAMES_TTL).await;
                    let names = trusted.clone();
                    let _ = web::block(move || names.look_up_names()).await;
                }
            });
        }
        actix_web::rt::spawn(worker.run(ctx.clone()));
        let clock = state.ctx.config.nightly_clock.then(|| {
            crate::jobs::nightly::start(state.ctx.config.refresh_at, ctx, state.queue.clone())
        });

        let app_state = state.clone();
        let request_ids = web::Data::new(crate::http::request_id::Ids::default());
        let server = HttpServer::new(move || {
            // Last wrapped runs first: compress, the request's id and span, headers, error
            // rendering, session, cross-site check, then the body deadline.
            App::new()
                .app_data(app_state.clone())
                .app_data(request_ids.clone())
                // One outbound client per worker (awc is !Send), so connections are reused.
                .app_data(web::Data::new(crate::integrations::http_client()))
                .wrap(from_fn(http::body_deadline::cut_slow_bodies))
                .wrap(from_fn(http::csrf::reject_cross_site))
                .wrap(auth::session::middleware(key.clone()))
                .wrap(from_fn(http::error_pages::render_errors))
                .wrap(from_fn(http::headers::add_headers))
                .wrap(from_fn(http::request_id::trace_requests))
                .wrap(Compress::default())
                .configure(routes::configure)
                .configure(|cfg| {
                    if demo {
                        routes::configure_demo(cfg);
                    }
                })
        })
        .workers(workers)
        // A connection closed with a request body still unread (a chunked body that never
        // ends, cut at the body deadline) lingers only this long, then is dropped: 5 s twice
        // by default, while the socket stays held.
        .client_disconnect_timeout(std::time::Duration::from_secs(2))
        // A kept page goes to the socket in one write, not four (`http::revisit::WRITE_BUFFER`).
        .h1_write_buffer_size(http::revisit::WRITE_BUFFER)
        // Database work (and actix's gzip of an answer over 1 KB) runs on the blocking pool:
        // reads are lookups by key and SQLite writes one at a time, so half the connection
        // pool in threads keeps the cores busy; each thread more holds its own malloc heap
        // and stack (1.3 MB of the miss phase's peak) and would mostly wait for the writers'
        // turn. Gzipped views measured no slower for it (docs/performance.md).
        .worker_max_blocking_threads((crate::db::POOL_SIZE as usize / 2 / workers).max(1))
        // A page goes out in slices (`http::revisit`): without this, Nagle's algorithm holds
        // each slice's last segment until the browser acknowledges the one before, and a
        // delayed acknowledgement makes that 40 ms.
        .on_connect(|connection, _| {
            if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = tcp.set_nodelay(true);
            }
        })
        .listen(listener)
        .map_err(|e| startup_error(Some("SAGARR_BIND"), e.to_string()))?
        .run();
        Ok(Self {
            port,
            server,
            state,
            _clock: clock,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Creates the data dir if needed and proves we can write in it, so a wrong owner (Saltbox's
/// PUID/PGID) is reported at start-up, not as a failed write later.
fn prepare_data_dir(dir: &Path) -> Result<(), StartupError> {
    let unusable = |what: &str, e: std::io::Error| {
        startup_error(
            Some("SAGARR_DATA_DIR"),
            format!(
                "{} {what} ({e}). Make the folder writable by the user Sagarr runs as (check PUID/PGID and the \
                 volume's owner), or point SAGARR_DATA_DIR elsewhere.",
                dir.display()
            ),
        )
    };
    std::fs::create_dir_all(dir).map_err(|e| unusable("cannot be created", e))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok").map_err(|e| unusable("is not writable", e))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}
