//! Shared state for the fakes, locked so that a panic in one request never wedges the fake.

use std::sync::{Mutex, MutexGuard};

/// Locks shared fake state; a panic elsewhere must not wedge the fake.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
