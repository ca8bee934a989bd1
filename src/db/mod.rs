//! The SQLite database: pool, pragmas, embedded migrations, and the one way handlers reach it.
//!
//! One-row lookups use `get_result`, not `first`: `first` binds `LIMIT ?`, and SQLite treats a
//! bound LIMIT as part of the query plan, so binding it again expires the cached statement and
//! every call would parse its SQL anew (measured: a tenth of a dashboard build).

pub mod cache;
pub mod nights;
pub mod preferences;
pub mod recommendations;
pub mod runs;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod states;
pub mod together;
pub mod users;
pub mod versions;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

pub use versions::{Scope, Step, Versions};

pub type DbConn = PooledConnection<ConnectionManager<SqliteConnection>>;

/// The connection pool, with the data versions every write bumps.
#[derive(Clone)]
pub struct DbPool {
    pool: Pool<ConnectionManager<SqliteConnection>>,
    versions: Arc<Versions>,
    /// One permit per connection: work waits for one here, on the async side, instead of in a
    /// blocking thread of its own. Under a burst of cache misses that keeps the blocking
    /// threads (and the memory each one's allocator holds) to the pool's size.
    permits: Arc<tokio::sync::Semaphore>,
    /// Taken by each write on its blocking thread for as long as its work runs: SQLite lets one
    /// writer in at a time, and turns a second one away with `SQLITE_BUSY`, whose handler
    /// sleeps a millisecond or more before trying again. Writers of this process wait here
    /// instead and go on the moment the one ahead commits. (Another process, `sagarr refresh`,
    /// still meets the busy handler.)
    writer: Arc<std::sync::Mutex<()>>,
}

impl DbPool {
    /// A connection outside [`run`] and [`write`], for blocking code: start-up, a drop guard,
    /// tests. A write through it must bump [`DbPool::versions`] itself.
    pub fn get(&self) -> Result<DbConn, diesel::r2d2::PoolError> {
        self.pool.get()
    }

    /// The versions the page cache checks its entries against.
    pub fn versions(&self) -> &Arc<Versions> {
        &self.versions
    }
}

/// What a write function takes: a connection that [`write`] (or [`DbPool::get`]) handed out,
/// never the [`Reader`] that [`run`] hands out. So no handler's write can skip the version bump.
pub trait Writable {
    fn connection(&mut self) -> &mut SqliteConnection;

    /// An immediate transaction whose connection may write too.
    fn write_transaction<T>(
        &mut self,
        work: impl FnOnce(&mut Writer<'_>) -> diesel::QueryResult<T>,
    ) -> diesel::QueryResult<T>
    where
        Self: Sized,
    {
        self.connection()
            .immediate_transaction(|conn| work(&mut Writer { conn }))
    }
}

/// The connection inside [`write`].
pub struct Writer<'c> {
    conn: &'c mut SqliteConnection,
}

impl Writable for Writer<'_> {
    fn connection(&mut self) -> &mut SqliteConnection {
        self.conn
    }
}

impl std::ops::Deref for Writer<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.conn
    }
}

impl std::ops::DerefMut for Writer<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.conn
    }
}

/// A connection from [`DbPool::get`], outside the async paths (start-up, a drop guard, tests).
/// Whoever writes through one bumps the versions himself.
impl Writable for DbConn {
    fn connection(&mut self) -> &mut SqliteConnection {
        self
    }
}

/// The connection inside [`run`]: it reads, and derefs to a connection for the read functions,
/// but it is not [`Writable`].
pub struct Reader {
    conn: DbConn,
}

impl std::ops::Deref for Reader {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Per-connection settings. WAL is stored in the file and set once in [`open`].
#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        // cache_size: 256 KB of pages per connection (SQLite's default is 2 MB), 2 MB for the
        // pool at most; reads are lookups by key, the kept tabs spare most of them, and the
        // kernel caches the file anyway (1 MB each measured 1.2 MB more at the miss phase's
        // peak and no faster, docs/performance.md).
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -256;",
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
    Ok(DbPool {
        pool,
        versions: Arc::default(),
        permits: Arc::new(tokio::sync::Semaphore::new(POOL_SIZE as usize)),
        writer: Arc::default(),
    })
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

/// What went wrong in the database layer, with its cause kept for the log (`AppError` maps it
/// at the edge, `error::error_chain` prints the trail).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the pool's permits are closed")]
    Busy(#[source] tokio::sync::AcquireError),
    #[error("no database connection")]
    Pool(#[source] diesel::r2d2::PoolError),
    #[error("the database worker stopped")]
    Worker(#[source] actix_web::error::BlockingError),
    #[error("a query failed")]
    Query(#[source] diesel::result::Error),
}

/// The database's failures are ours: the user reads which part failed, the log the trail.
impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        let context = match e {
            DbError::Busy(_) | DbError::Pool(_) => "database pool",
            DbError::Worker(_) => "database worker",
            DbError::Query(_) => "database query",
        };
        Self::internal(context, e)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::Query(e).into()
    }
}

impl From<diesel::result::Error> for DbError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Query(e)
    }
}

/// Runs blocking database reads off the async workers. The connection it hands out cannot be
/// passed to a write function: writes go through [`write`].
pub async fn run<T, F>(pool: &DbPool, work: F) -> Result<T, DbError>
where
    F: FnOnce(&mut Reader) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let _permit = pool
        .permits
        .clone()
        .acquire_owned()
        .await
        .map_err(DbError::Busy)?;
    let pool = pool.pool.clone();
    actix_web::web::block(move || {
        let conn = pool.get().map_err(DbError::Pool)?;
        work(&mut Reader { conn })
    })
    .await
    .map_err(DbError::Worker)?
}

/// Runs blocking database work that writes, off the async workers, and once it has succeeded
/// makes stale the cached pages of `scope`: in the writers' turn, right after the work, so a
/// page kept from before the write is let go as soon as the write can be seen, not after the
/// hand-back to the async worker.
pub async fn write<T, F>(pool: &DbPool, scope: Scope, work: F) -> Result<T, DbError>
where
    F: FnOnce(&mut Writer<'_>) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let versions = pool.versions.clone();
    written(pool, move |writer| {
        let done = work(writer)?;
        versions.bump(scope);
        Ok(done)
    })
    .await
}

/// [`write`] whose work says whose pages it changed (it learns who shows what it wrote, or
/// writes for a group): each of those users' versions moves, in the writers' turn as
/// [`write`] moves its scope.
pub async fn write_shown_to<F, U>(pool: &DbPool, work: F) -> Result<(), DbError>
where
    F: FnOnce(&mut Writer<'_>) -> Result<U, DbError> + Send + 'static,
    U: IntoIterator<Item = i32>,
{
    let versions = pool.versions.clone();
    written(pool, move |writer| {
        for user_id in work(writer)? {
            versions.bump(Scope::User(user_id));
        }
        Ok(())
    })
    .await
}

/// [`write`] of one user's records (`Scope::Records`), followed by `then` with the [`Step`] of
/// his versions it made: what was built at `step.before` and this write cannot have changed may
/// be carried over (`views::shelf::Shelves::dealt_with`) instead of built again. The bump and
/// `then` run in the writers' turn, right after the commit: steps come in the order the writes
/// committed, and each `then` finds what the one before left at its `step.before`, however
/// many writes of one user are in flight (run after the turn, they overtook each other and the
/// kept tabs were read again).
pub async fn write_records<T, F, G>(
    pool: &DbPool,
    user_id: i32,
    work: F,
    then: G,
) -> Result<T, DbError>
where
    F: FnOnce(&mut Writer<'_>) -> Result<T, DbError> + Send + 'static,
    G: FnOnce(Step) + Send + 'static,
    T: Send + 'static,
{
    let versions = pool.versions.clone();
    written(pool, move |writer| {
        let done = work(writer)?;
        then(versions.bump_records(user_id));
        Ok(done)
    })
    .await
}

/// The write's work, in the writers' turn, on a connection that may write; the caller bumps
/// the versions.
async fn written<T, F>(pool: &DbPool, work: F) -> Result<T, DbError>
where
    F: FnOnce(&mut Writer<'_>) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let writer = pool.writer.clone();
    run(pool, move |reader| {
        // A panic in another write leaves nothing half-done here: the transaction rolled back.
        let _turn = writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        work(&mut Writer {
            conn: &mut reader.conn,
        })
    })
    .await
}

/// Answers whether the database is usable right now (for `/api/health`).
pub fn ping(pool: &DbPool) -> bool {
    pool.pool
        .get_timeout(Duration::from_secs(2))
        .is_ok_and(|mut conn| conn.batch_execute("SELECT count(*) FROM users;").is_ok())
}

/// The current time as unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
