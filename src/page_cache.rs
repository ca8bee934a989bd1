//! Rendered pages and checked sessions kept in memory, so a dashboard view costs a lookup.
//! An entry stands while the data versions it was built at do: every database write bumps them
//! (`db::write`, docs/architecture.md). A short lifetime covers writes by another process (the
//! CLI).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

use crate::db::users::User;
use crate::db::versions::Versions;

/// How long an entry may live even when nothing changed here.
const LIFETIME: Duration = Duration::from_secs(30);
/// At most this many pages are kept; past it the cache starts over.
const MAX_PAGES: usize = 128;

struct Entry<T> {
    user: i32,
    version: (u64, u64),
    made: Instant,
    value: T,
}

impl<T: Clone> Entry<T> {
    fn fresh(&self, versions: &Versions) -> Option<T> {
        (self.version == versions.of(self.user) && self.made.elapsed() < LIFETIME)
            .then(|| self.value.clone())
    }
}

fn read<K: std::hash::Hash + Eq, T: Clone>(
    map: &RwLock<HashMap<K, Entry<T>>>,
    key: &K,
    versions: &Versions,
) -> Option<T> {
    map.read().ok()?.get(key)?.fresh(versions)
}

fn write<K: std::hash::Hash + Eq, T>(
    map: &RwLock<HashMap<K, Entry<T>>>,
    key: K,
    user: i32,
    version: (u64, u64),
    value: T,
) {
    if let Ok(mut map) = map.write() {
        if map.len() >= MAX_PAGES {
            map.clear();
        }
        map.insert(
            key,
            Entry {
                user,
                version,
                made: Instant::now(),
                value,
            },
        );
    }
}

/// What identifies a cached page: user, tab, and whether it is the HTMX fragment.
pub type PageKey = (i32, &'static str, bool);

pub struct PageCache {
    /// The database's data versions (`DbPool::versions`).
    versions: Arc<Versions>,
    pages: RwLock<HashMap<PageKey, Entry<Bytes>>>,
    sessions: RwLock<HashMap<String, Entry<User>>>,
}

impl PageCache {
    pub fn new(versions: Arc<Versions>) -> Self {
        Self {
            versions,
            pages: RwLock::default(),
            sessions: RwLock::default(),
        }
    }

    /// The data versions `user_id`'s pages depend on; read them before reading the data an
    /// entry is built from.
    pub fn version(&self, user_id: i32) -> (u64, u64) {
        self.versions.of(user_id)
    }

    pub fn page(&self, key: &PageKey) -> Option<Bytes> {
        read(&self.pages, key, &self.versions)
    }

    /// Keeps a page built from data read at `version`.
    pub fn keep_page(&self, key: PageKey, version: (u64, u64), body: Bytes) {
        write(&self.pages, key, key.0, version, body);
    }

    /// The user behind a session token hash, if checked recently and nothing changed since.
    pub fn session(&self, token_hash: &str) -> Option<User> {
        read(&self.sessions, &token_hash.to_owned(), &self.versions)
    }

    pub fn keep_session(&self, token_hash: String, version: (u64, u64), user: User) {
        write(&self.sessions, token_hash, user.id, version, user);
    }
}
