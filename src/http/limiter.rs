//! A per-client limit on how often something may happen: a fixed window per client address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many attempts one client gets per window.
pub const ATTEMPTS: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Clients remembered at most; past it, expired windows are forgotten, then new clients share
/// the [`OVERFLOW`] window.
const CLIENTS: usize = 10_000;
const OVERFLOW: &str = "(every other client)";

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Counts an attempt by `client`; `Err(seconds)` says how long until it may try again.
    pub fn attempt(&self, client: &str) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if windows.len() >= CLIENTS && !windows.contains_key(client) {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        // Memory is capped: past CLIENTS live windows, every new client shares one window,
        // so a flood of made-up clients is limited as one.
        let key = if windows.len() >= CLIENTS && !windows.contains_key(client) {
            OVERFLOW
        } else {
            client
        };
        let (start, count) = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count > ATTEMPTS {
            return Err((WINDOW - now.duration_since(*start)).as_secs().max(1));
        }
        Ok(())
    }
}

/// Something that may happen at most once per `every`, install-wide (asking Tautulli to
/// re-read its users from plex.tv, say).
pub struct Cooldown {
    every: Duration,
    last: Mutex<Option<Instant>>,
}

impl Cooldown {
    pub const fn new(every: Duration) -> Self {
        Self {
            every,
            last: Mutex::new(None),
        }
    }

    /// True, and the clock restarts, when the last time was at least `every` ago.
    pub fn try_take(&self) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < self.every) {
            return false;
        }
        *last = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_flood_of_new_clients_is_capped_and_limited_as_one() {
        let limiter = super::Limiter::default();
        for n in 0..super::CLIENTS + 50 {
            let _ = limiter.attempt(&format!("10.0.{}.{}", n / 256, n % 256));
        }
        let windows = limiter.windows.lock().unwrap();
        assert!(windows.len() <= super::CLIENTS + 1, "{}", windows.len());
        assert!(windows[super::OVERFLOW].1 > super::ATTEMPTS);
    }

    #[test]
    fn a_cooldown_allows_once_per_period() {
        let cooldown = super::Cooldown::new(std::time::Duration::from_secs(60));
        assert!(cooldown.try_take());
        assert!(!cooldown.try_take(), "a second time within the minute");
    }

    #[test]
    fn each_client_gets_its_own_allowance() {
        let limiter = super::Limiter::default();
        for _ in 0..super::ATTEMPTS {
            assert!(limiter.attempt("a").is_ok());
        }
        assert!(limiter.attempt("a").is_err());
        assert!(
            limiter.attempt("b").is_ok(),
            "another client is not affected"
        );
    }
}
