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
    /// What only this user's pages show: his records, rows, refresh status, mapping.
    User(i32),
    /// Nothing a cached page shows: upstream answer caches, run records.
    Unshown,
}

/// The data versions: one for everyone, one per user.
#[derive(Debug, Default)]
pub struct Versions {
    everyone: AtomicU64,
    users: RwLock<HashMap<i32, u64>>,
}

impl Versions {
    pub fn bump(&self, scope: Scope) {
        match scope {
            Scope::Everyone => {
                self.everyone.fetch_add(1, Ordering::Release);
            }
            Scope::User(user_id) => {
                if let Ok(mut users) = self.users.write() {
                    *users.entry(user_id).or_insert(0) += 1;
                }
            }
            Scope::Unshown => {}
        }
    }

    /// The version of what every page shows (settings among it).
    pub fn everyone(&self) -> u64 {
        self.everyone.load(Ordering::Acquire)
    }

    /// The versions `user_id`'s pages depend on; read them before reading the data a cached
    /// entry is built from.
    pub fn of(&self, user_id: i32) -> (u64, u64) {
        let mine = self
            .users
            .read()
            .ok()
            .and_then(|users| users.get(&user_id).copied())
            .unwrap_or(0);
        (self.everyone.load(Ordering::Acquire), mine)
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
}
