//! Rendered pages and checked sessions kept in memory, so a dashboard view costs a lookup.
//! Every database write that can change what a page shows calls [`changed`], which makes every
//! cached entry stale at once; a short lifetime covers writes by another process (the CLI).

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;

use crate::db::users::User;

static VERSION: AtomicU64 = AtomicU64::new(0);
/// Per-user versions: a user's own writes make only his entries stale.
static USER_VERSIONS: RwLock<Option<HashMap<i32, u64>>> = RwLock::new(None);

/// How long an entry may live even when nothing changed here.
const LIFETIME: Duration = Duration::from_secs(30);
/// At most this many pages are kept; past it the cache starts over.
const MAX_PAGES: usize = 128;

/// Something every page may show has changed (availability, settings).
pub fn changed() {
    VERSION.fetch_add(1, Ordering::Release);
}

/// Something only `user_id`'s pages show has changed (his records, rows, refresh status).
pub fn changed_for(user_id: i32) {
    if let Ok(mut versions) = USER_VERSIONS.write() {
        *versions
            .get_or_insert_with(HashMap::new)
            .entry(user_id)
            .or_insert(0) += 1;
    }
}

/// The data version `user_id`'s pages depend on; read it before reading the data a cached
/// entry is built from.
pub fn version(user_id: i32) -> (u64, u64) {
    let mine = USER_VERSIONS
        .read()
        .ok()
        .and_then(|v| v.as_ref()?.get(&user_id).copied())
        .unwrap_or(0);
    (VERSION.load(Ordering::Acquire), mine)
}

struct Entry<T> {
    user: i32,
    version: (u64, u64),
    made: Instant,
    value: T,
}

impl<T: Clone> Entry<T> {
    fn fresh(&self) -> Option<T> {
        (self.version == version(self.user) && self.made.elapsed() < LIFETIME)
            .then(|| self.value.clone())
    }
}

fn read<K: std::hash::Hash + Eq, T: Clone>(
    map: &RwLock<HashMap<K, Entry<T>>>,
    key: &K,
) -> Option<T> {
    map.read().ok()?.get(key)?.fresh()
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

#[derive(Default)]
pub struct PageCache {
    pages: RwLock<HashMap<PageKey, Entry<Bytes>>>,
    sessions: RwLock<HashMap<String, Entry<User>>>,
}

impl PageCache {
    pub fn page(&self, key: &PageKey) -> Option<Bytes> {
        read(&self.pages, key)
    }

    /// Keeps a page built from data read at `version`.
    pub fn keep_page(&self, key: PageKey, version: (u64, u64), body: Bytes) {
        write(&self.pages, key, key.0, version, body);
    }

    /// The user behind a session token hash, if checked recently and nothing changed since.
    pub fn session(&self, token_hash: &str) -> Option<User> {
        read(&self.sessions, &token_hash.to_owned())
    }

    pub fn keep_session(&self, token_hash: String, version: (u64, u64), user: User) {
        write(&self.sessions, token_hash, user.id, version, user);
    }
}
