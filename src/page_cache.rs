//! Rendered pages and checked sessions kept in memory, so a dashboard view costs a lookup.
//! An entry stands while the data versions it was built at do: every database write bumps them
//! (`db::write`, docs/architecture.md). A short lifetime covers writes by another process (the
//! CLI).
//!
//! A missing page is built once: concurrent views of it wait for the first build
//! ([`PageCache::page_or_build`]) instead of each rendering it from SQLite. A full cache drops
//! its stale entries, then its oldest, never everything at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::db::users::User;
use crate::db::versions::{Step, Versions};
use crate::http::revisit::Page;

/// How long an entry may live even when nothing changed here.
const LIFETIME: Duration = Duration::from_secs(30);
/// At most this many bytes of pages are kept: the cache's memory follows its limit, not the
/// number of viewers. A dashboard weighs its own shell (some 10 KB of its 107) and its list of
/// pieces; its cards are shared with every page that shows them and counted by the card store
/// (`views::fragments`; one the store dropped lives on in the pages holding it, [`LIFETIME`] at
/// most), so this holds some 150 dashboards. A page it dropped is assembled
/// again from kept fragments without a database read (`views::shelf::Shelves`).
const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// At most this many checked sessions are kept (a few hundred bytes each).
const MAX_SESSIONS: usize = 2048;
/// How long a view waits for another's build of the same page before building it itself.
const WAIT_FOR_BUILD: Duration = Duration::from_secs(2);
/// How often a view waits again when the build it waited for was outdated at once.
const WAITS: usize = 3;

struct Entry<T> {
    user: i32,
    version: (u64, u64),
    made: Instant,
    value: T,
}

/// Which of a user's versions an entry depends on: [`Versions::of`] for what his pages show,
/// [`Versions::account_of`] for a checked session.
type VersionOf = fn(&Versions, i32) -> (u64, u64);

impl<T: Clone> Entry<T> {
    fn fresh(&self, versions: &Versions, version_of: VersionOf) -> Option<T> {
        (self.version == version_of(versions, self.user) && self.made.elapsed() < LIFETIME)
            .then(|| self.value.clone())
    }
}

fn read<K, Q, T: Clone>(
    map: &RwLock<HashMap<K, Entry<T>>>,
    key: &Q,
    versions: &Versions,
    version_of: VersionOf,
) -> Option<T>
where
    K: std::hash::Hash + Eq + std::borrow::Borrow<Q>,
    Q: std::hash::Hash + Eq + ?Sized,
{
    map.read().ok()?.get(key)?.fresh(versions, version_of)
}

/// What an entry weighs against its map's limit: bytes for pages, one for a session.
pub trait Weight {
    fn weight(&self) -> usize;
}

impl Weight for Page {
    fn weight(&self) -> usize {
        Page::weight(self)
    }
}

impl Weight for User {
    fn weight(&self) -> usize {
        1
    }
}

fn total<K, T: Weight>(map: &HashMap<K, Entry<T>>) -> usize {
    map.values().map(|e| e.value.weight()).sum()
}

#[allow(clippy::too_many_arguments)]
fn write<K: std::hash::Hash + Eq + Clone, T: Weight>(
    map: &RwLock<HashMap<K, Entry<T>>>,
    limit: usize,
    (versions, version_of): (&Versions, VersionOf),
    key: K,
    user: i32,
    version: (u64, u64),
    value: T,
) {
    if let Ok(mut map) = map.write() {
        if total(&map) + value.weight() > limit {
            make_room(&mut map, limit, versions, version_of);
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

/// Drops what no read would use any more; if that does not free a quarter of `limit`, the
/// oldest entries too, so the next inserts do not scan again.
fn make_room<K: std::hash::Hash + Eq + Clone, T: Weight>(
    map: &mut HashMap<K, Entry<T>>,
    limit: usize,
    versions: &Versions,
    version_of: VersionOf,
) {
    map.retain(|_, e| e.version == version_of(versions, e.user) && e.made.elapsed() < LIFETIME);
    let keep = limit - limit / 4;
    let mut weight = total(map);
    if weight > keep {
        let mut by_age: Vec<(Instant, K)> = map.iter().map(|(k, e)| (e.made, k.clone())).collect();
        by_age.sort_unstable_by_key(|(made, _)| *made);
        for (_, key) in by_age {
            if weight <= keep {
                break;
            }
            if let Some(gone) = map.remove(&key) {
                weight -= gone.value.weight();
            }
        }
    }
}

/// Values built from one user's data, each standing while his data versions do (and at most
/// [`LIFETIME`]), within `limit` of their [`Weight`]: what pages are assembled from
/// (`views::shelf::Shelves`).
pub struct ByVersion<K, T> {
    versions: Arc<Versions>,
    limit: usize,
    map: RwLock<HashMap<K, Entry<T>>>,
}

impl<K: std::hash::Hash + Eq + Clone, T: Clone + Weight> ByVersion<K, T> {
    pub fn new(versions: Arc<Versions>, limit: usize) -> Self {
        Self {
            versions,
            limit,
            map: RwLock::default(),
        }
    }

    /// The data versions `user_id`'s values depend on; read them before reading the data.
    pub fn version(&self, user_id: i32) -> (u64, u64) {
        self.versions.of(user_id)
    }

    pub fn get(&self, key: &K) -> Option<T> {
        read(&self.map, key, &self.versions, Versions::of)
    }

    /// The value kept for `key` (if not too old) and the version it was built at, whatever
    /// the versions are now.
    pub fn get_versioned(&self, key: &K) -> Option<((u64, u64), T)> {
        let map = self.map.read().ok()?;
        let entry = map.get(key)?;
        (entry.made.elapsed() < LIFETIME).then(|| (entry.version, entry.value.clone()))
    }

    /// Keeps `value`, built from `user`'s data read at `version`.
    pub fn keep(&self, key: K, user: i32, version: (u64, u64), value: T) {
        write(
            &self.map,
            self.limit,
            (&self.versions, Versions::of),
            key,
            user,
            version,
            value,
        );
    }
}

/// What identifies a cached page: user, tab, and whether it is the HTMX fragment.
pub type PageKey = (i32, &'static str, bool);

/// What identifies a cached Watch together page: the viewer, the group (`db::together::group_key`),
/// and whether it is the HTMX fragment.
pub type GroupKey = (i32, String, bool);

/// At most this many group pages are kept.
const MAX_GROUP_PAGES: usize = 64;

/// A group page stands while every member's data versions do.
struct GroupEntry {
    versions: Vec<(i32, (u64, u64))>,
    made: Instant,
    page: Page,
}

impl GroupEntry {
    fn fresh(&self, versions: &Versions) -> bool {
        self.made.elapsed() < LIFETIME
            && self
                .versions
                .iter()
                .all(|(user, v)| versions.of(*user) == *v)
    }
}

pub struct PageCache {
    /// The database's data versions (`DbPool::versions`).
    versions: Arc<Versions>,
    pages: RwLock<HashMap<PageKey, Entry<Page>>>,
    sessions: RwLock<HashMap<String, Entry<User>>>,
    groups: RwLock<HashMap<GroupKey, GroupEntry>>,
    /// Pages being built, with what wakes those waiting for them.
    building: Mutex<HashMap<PageKey, Arc<Notify>>>,
}

/// How a view gets its page: from the cache, or by building it.
pub enum Lookup<'a> {
    Hit(Page),
    /// Build the page and [`PageCache::keep_page`] it; views of the same page wait meanwhile.
    /// Dropping the claim (kept or not, even on an error) lets them go on.
    Build(BuildClaim<'a>),
}

/// The right to build one page while others wait (`None`: waited long enough, build anyway).
pub struct BuildClaim<'a> {
    cache: &'a PageCache,
    key: Option<PageKey>,
}

impl Drop for BuildClaim<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut building = self.cache.building();
            // Under the lock, so a waiter that looked at the map before is already listening.
            if let Some(done) = building.remove(&key) {
                done.notify_waiters();
            }
        }
    }
}

impl PageCache {
    pub fn new(versions: Arc<Versions>) -> Self {
        Self {
            versions,
            pages: RwLock::default(),
            sessions: RwLock::default(),
            groups: RwLock::default(),
            building: Mutex::default(),
        }
    }

    fn building(&self) -> std::sync::MutexGuard<'_, HashMap<PageKey, Arc<Notify>>> {
        self.building.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached page, or the claim to build it. When another view is building it, waits for
    /// that build (up to [`WAIT_FOR_BUILD`], [`WAITS`] times) and reads the cache again.
    pub async fn page_or_build(&self, key: PageKey) -> Lookup<'_> {
        for _ in 0..WAITS {
            if let Some(page) = self.page(&key) {
                return Lookup::Hit(page);
            }
            let done = {
                let mut building = self.building();
                match building.get(&key) {
                    Some(done) => done.clone(),
                    None => {
                        building.insert(key, Arc::new(Notify::new()));
                        return Lookup::Build(BuildClaim {
                            cache: self,
                            key: Some(key),
                        });
                    }
                }
            };
            let mut finished = std::pin::pin!(done.notified());
            {
                let building = self.building();
                if !building.get(&key).is_some_and(|b| Arc::ptr_eq(b, &done)) {
                    continue; // that build is over: read the cache again
                }
                finished.as_mut().enable();
            }
            let _ = actix_web::rt::time::timeout(WAIT_FOR_BUILD, finished).await;
        }
        Lookup::Build(BuildClaim {
            cache: self,
            key: None,
        })
    }

    /// The data versions `user_id`'s pages depend on; read them before reading the data an
    /// entry is built from.
    pub fn version(&self, user_id: i32) -> (u64, u64) {
        self.versions.of(user_id)
    }

    pub fn page(&self, key: &PageKey) -> Option<Page> {
        read(&self.pages, key, &self.versions, Versions::of)
    }

    /// Keeps a page built from data read at `version`.
    pub fn keep_page(&self, key: PageKey, version: (u64, u64), body: Page) {
        write(
            &self.pages,
            MAX_PAGE_BYTES,
            (&self.versions, Versions::of),
            key,
            key.0,
            version,
            body,
        );
    }

    /// The data versions a group page depends on: every member's.
    pub fn group_version(&self, members: &[i32]) -> Vec<(i32, (u64, u64))> {
        members.iter().map(|&m| (m, self.versions.of(m))).collect()
    }

    pub fn group_page(&self, key: &GroupKey) -> Option<Page> {
        let groups = self.groups.read().ok()?;
        let entry = groups.get(key)?;
        entry.fresh(&self.versions).then(|| entry.page.clone())
    }

    /// Keeps a group page built from data read at `versions`.
    pub fn keep_group_page(&self, key: GroupKey, versions: Vec<(i32, (u64, u64))>, page: Page) {
        if let Ok(mut groups) = self.groups.write() {
            if groups.len() >= MAX_GROUP_PAGES {
                groups.retain(|_, e| e.fresh(&self.versions));
            }
            if groups.len() >= MAX_GROUP_PAGES
                && let Some(oldest) = groups
                    .iter()
                    .min_by_key(|(_, e)| e.made)
                    .map(|(k, _)| k.clone())
            {
                groups.remove(&oldest);
            }
            groups.insert(
                key,
                GroupEntry {
                    versions,
                    made: Instant::now(),
                    page,
                },
            );
        }
    }

    /// After a write of `step.user`'s records (a rating, a skip): the pages of `tabs` stand,
    /// as it did not change them (`views::shelf::Shelves::dealt_with`).
    /// Their age stays, so the lifetime still bounds what another process wrote meanwhile.
    pub fn carry(&self, step: Step, tabs: &[crate::media::Tab]) {
        let Ok(mut pages) = self.pages.write() else {
            return;
        };
        for ((user, slug, _), entry) in pages.iter_mut() {
            if *user == step.user
                && entry.version == step.before
                && tabs.iter().any(|t| t.slug() == *slug)
            {
                entry.version = step.after;
            }
        }
    }

    /// The user behind a session token hash, if checked recently and nothing of his account
    /// changed since (his records may have: they are not in it).
    pub fn session(&self, token_hash: &str) -> Option<User> {
        read(
            &self.sessions,
            token_hash,
            &self.versions,
            Versions::account_of,
        )
    }

    /// The versions a checked session of `user_id` depends on; read them before reading it.
    pub fn account_version(&self, user_id: i32) -> (u64, u64) {
        self.versions.account_of(user_id)
    }

    pub fn keep_session(&self, token_hash: String, version: (u64, u64), user: User) {
        let user_id = user.id;
        write(
            &self.sessions,
            MAX_SESSIONS,
            (&self.versions, Versions::account_of),
            token_hash,
            user_id,
            version,
            user,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::versions::Scope;
    use actix_web::web::Bytes;
    use std::cell::Cell;

    fn cache() -> PageCache {
        PageCache::new(Arc::new(Versions::default()))
    }

    #[actix_web::test]
    async fn concurrent_views_of_a_missing_page_build_it_once() {
        let cache = cache();
        let key: PageKey = (1, "movies", false);
        let builds = Cell::new(0);
        let view = || async {
            match cache.page_or_build(key).await {
                Lookup::Hit(page) => page,
                Lookup::Build(_claim) => {
                    builds.set(builds.get() + 1);
                    let version = cache.version(1);
                    // Rendering takes a while: the others arrive meanwhile.
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                    let page = Page::new(Bytes::from_static(b"<html>"));
                    cache.keep_page(key, version, page.clone());
                    page
                }
            }
        };
        let pages = futures_util::future::join_all((0..16).map(|_| view())).await;
        assert_eq!(builds.get(), 1, "one build for 16 views");
        assert!(pages.iter().all(|p| p.to_bytes() == "<html>"));
    }

    #[actix_web::test]
    async fn a_failed_build_lets_the_next_view_build() {
        let cache = cache();
        let key: PageKey = (1, "tv", true);
        match cache.page_or_build(key).await {
            Lookup::Build(claim) => drop(claim), // an error: nothing kept
            Lookup::Hit(_) => panic!("nothing cached yet"),
        }
        assert!(matches!(cache.page_or_build(key).await, Lookup::Build(_)));
    }

    #[test]
    fn a_carried_step_keeps_the_pages_it_names_and_drops_the_rest() {
        use crate::media::Tab;
        let cache = cache();
        let page = Page::new(Bytes::from_static(b"<html>"));
        for tab in ["movies", "tv"] {
            for user in [1, 2] {
                cache.keep_page((user, tab, false), cache.version(user), page.clone());
            }
        }
        let step = cache.versions.bump_records(1);
        cache.carry(step, &[Tab::Tv]);
        assert!(cache.page(&(1, "tv", false)).is_some(), "carried");
        assert!(
            cache.page(&(1, "movies", false)).is_none(),
            "not carried: stale"
        );
        assert!(
            cache.page(&(2, "movies", false)).is_some(),
            "another user's"
        );
        // A step that is not the one after the kept version carries nothing.
        let kept_at = cache.version(1);
        cache.keep_page((1, "movies", false), kept_at, page.clone());
        cache.versions.bump(Scope::User(1));
        let later = cache.versions.bump_records(1);
        cache.carry(later, &[Tab::Movies]);
        assert!(cache.page(&(1, "movies", false)).is_none());
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first_and_never_everything() {
        const MAX_PAGES: usize = 128;
        let cache = cache();
        // 128 of these fill the cache's bytes.
        let page = Page::new(Bytes::from(vec![b'p'; MAX_PAGE_BYTES / MAX_PAGES]));
        // User 1's pages go stale; user 2's stay fresh.
        for user in [1, 2] {
            for n in 0..MAX_PAGES / 2 {
                let tab: &'static str = Box::leak(format!("t{n}").into_boxed_str());
                cache.keep_page((user, tab, false), cache.version(user), page.clone());
            }
        }
        cache.versions.bump(Scope::User(1));
        cache.keep_page((3, "movies", false), cache.version(3), page.clone());
        assert!(cache.page(&(2, "t0", false)).is_some(), "fresh pages stay");
        assert!(cache.page(&(3, "movies", false)).is_some());
        // Filled with fresh pages only, the oldest quarter goes.
        for n in 0..MAX_PAGES {
            let tab: &'static str = Box::leak(format!("u{n}").into_boxed_str());
            cache.keep_page((4, tab, false), cache.version(4), page.clone());
        }
        let kept = cache.pages.read().unwrap().len();
        assert!(kept > MAX_PAGES / 2 && kept <= MAX_PAGES, "{kept}");
        assert!(
            cache.page(&(4, "u127", false)).is_some(),
            "the newest stays"
        );
    }
}
