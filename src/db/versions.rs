//! How many times the data each page shows has changed. [`super::write`] bumps a version after
//! its write commits; the page cache keeps an entry only while the versions it was built at
//! still stand. Owned by the pool, so every writer shares them and nothing is process-global.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whose pages a write changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Something every page may show: settings, availability, roles, sessions.
    Everyone,
    /// What only this user's pages show: his rows, refresh status, mapping, his account row.
    User(i32),
    /// Only this user's records (ratings, skips, requests, hidden genres): his pages change,
    /// but not his account, so his checked session stands (`PageCache::session`).
    Records(i32),
    /// Nothing a cached page shows: upstream answer caches, run records.
    Unshown,
}

/// What one write of a user's data did to his versions: the pair his entries were kept at just
/// before it, and the pair after it, with no other write between. Something built at `before`
/// that the write cannot have changed may be carried to `after` instead of built again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub user: i32,
    pub before: (u64, u64),
    pub after: (u64, u64),
}

/// The data versions: one for everyone, and per user the count of all writes of his data and
/// the count of those that changed his account (a record does not).
#[derive(Debug, Default)]
pub struct Versions {
    everyone: AtomicU64,
    users: RwLock<HashMap<i32, UserVersions>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct UserVersions {
    all: u64,
    account: u64,
}

impl Versions {
    pub fn bump(&self, scope: Scope) {
        match scope {
            Scope::Everyone => {
                self.everyone.fetch_add(1, Ordering::Release);
            }
            Scope::User(user_id) => {
                let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
                let mine = users.entry(user_id).or_default();
                mine.all += 1;
                mine.account += 1;
            }
            Scope::Records(user_id) => {
                self.bump_records(user_id);
            }
            Scope::Unshown => {}
        }
    }

    /// Bumps `user_id`'s version for a write of his records (`Scope::Records`) and says from
    /// which pair to which, read under the same lock as the bump, so no other write of his lies
    /// between the two.
    pub fn bump_records(&self, user_id: i32) -> Step {
        // A panic elsewhere cannot leave a counter half-written: go on with the map as it is.
        let mut users = self.users.write().unwrap_or_else(|p| p.into_inner());
        let mine = users.entry(user_id).or_default();
        let everyone = self.everyone.load(Ordering::Acquire);
        let before = (everyone, mine.all);
        mine.all += 1;
        Step {
            user: user_id,
            before,
            after: (everyone, mine.all),
        }
    }

    fn mine(&self, user_id: i32) -> UserVersions {
        self.users
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&user_id)
            .copied()
            .unwrap_or_default()
    }

    /// The version of what every page shows (settings among it).
    pub fn everyone(&self) -> u64 {
        self.everyone.load(Ordering::Acquire)
    }

    /// The versions `user_id`'s pages depend on; read them before reading the data a cached
    /// entry is built from.
    pub fn of(&self, user_id: i32) -> (u64, u64) {
        (
            self.everyone.load(Ordering::Acquire),
            self.mine(user_id).all,
        )
    }

    /// The versions `user_id`'s account depends on (what a checked session holds): those of
    /// [`Versions::of`] but for his records.
    pub fn account_of(&self, user_id: i32) -> (u64, u64) {
        (
            self.everyone.load(Ordering::Acquire),
            self.mine(user_id).account,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_users_write_changes_only_his_version() {
        let versions = Versions::default();
        let (me, other) = (versions.of(1), versions.of(2));
        versions.bump(Scope::User(1));
        assert_ne!(versions.of(1), me);
        assert_eq!(versions.of(2), other);
        versions.bump(Scope::Everyone);
        assert_ne!(versions.of(2), other);
        let now = versions.of(1);
        versions.bump(Scope::Unshown);
        assert_eq!(versions.of(1), now);
    }

    #[test]
    fn a_step_goes_from_the_versions_before_a_write_to_those_after_it() {
        let versions = Versions::default();
        versions.bump(Scope::Everyone);
        let before = versions.of(3);
        let step = versions.bump_records(3);
        assert_eq!(
            (step.user, step.before, step.after),
            (3, before, versions.of(3))
        );
        assert_ne!(step.before, step.after);
        let next = versions.bump_records(3);
        assert_eq!(
            next.before, step.after,
            "each step starts where the last one ended"
        );
    }

    #[test]
    fn a_record_changes_a_users_pages_but_not_his_account() {
        let versions = Versions::default();
        let (pages, account) = (versions.of(1), versions.account_of(1));
        versions.bump(Scope::Records(1));
        assert_ne!(versions.of(1), pages);
        assert_eq!(versions.account_of(1), account);
        versions.bump(Scope::User(1));
        assert_ne!(versions.account_of(1), account);
    }
}
