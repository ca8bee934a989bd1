//! The SQLite database: pool, pragmas, embedded migrations, and the one way handlers reach it.

pub mod cache;
pub mod preferences;
pub mod recommendations;
pub mod runs;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod users;

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

pub type DbPool = Pool<ConnectionManager<SqliteConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<SqliteConnection>>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Per-connection settings. WAL is stored in the file and set once in [`open`].
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Connections in the pool; more threads doing database work at once would only queue for one.
pub const POOL_SIZE: u32 = 8;

/// Opens (creating if needed) the database at `path`, turns on WAL and runs pending migrations.
pub fn open(path: &Path) -> Result<DbPool, String> {
    create_private(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let url = path
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", path.display()))?;
    let pool = Pool::builder()
        .max_size(POOL_SIZE)
        .connection_timeout(Duration::from_secs(10))
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::<SqliteConnection>::new(url))
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    conn.batch_execute("PRAGMA journal_mode = WAL;")
        .map_err(|e| format!("cannot use {}: {e}", path.display()))?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| format!("cannot migrate {}: {e}", path.display()))?;
    Ok(pool)
}

/// Creates an empty database file readable by its owner only: it holds users' Plex tokens.
/// SQLite gives the `-wal` and `-shm` files the same mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// Runs blocking database work off the async workers: the only way handlers touch the database.
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool
            .get()
            .map_err(|e| AppError::internal("database pool", e))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| AppError::internal("database worker", e))?
}

/// Answers whether the database is usable right now (for `/api/health`).
pub fn ping(pool: &DbPool) -> bool {
    pool.get_timeout(Duration::from_secs(2))
        .is_ok_and(|mut conn| conn.batch_execute("SELECT count(*) FROM users;").is_ok())
}

/// Tells the page cache that data pages show has changed, once the write has succeeded.
fn changed_after<T>(result: diesel::QueryResult<T>) -> diesel::QueryResult<T> {
    if result.is_ok() {
        crate::page_cache::changed();
    }
    result
}

/// Like [`changed_after`], for a write that only `user_id`'s pages show.
fn changed_for_after<T>(user_id: i32, result: diesel::QueryResult<T>) -> diesel::QueryResult<T> {
    if result.is_ok() {
        crate::page_cache::changed_for(user_id);
    }
    result
}

/// The current time as unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
