//! A per-client limit on how often something may happen: a fixed window per client address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many attempts one client gets per window.
pub const ATTEMPTS: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Clients remembered at most. Past it, expired windows are forgotten, then the oldest windows:
/// a new client always starts a window of its own, never someone else's.
const CLIENTS: usize = 10_000;

#[derive(Default)]
pub struct Limiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Limiter {
    /// Counts an attempt by `client`; `Err(seconds)` says how long until it may try again.
    pub fn attempt(&self, client: &str) -> Result<(), u64> {
        let key = client_key(client);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if windows.len() >= CLIENTS && !windows.contains_key(&key) {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
            if windows.len() >= CLIENTS {
                forget_oldest(&mut windows, CLIENTS / 8);
            }
        }
        let (start, count) = windows.entry(key).or_insert((now, 0));
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

/// Whom a window belongs to: an IPv4 address, or an IPv6 client's /64 (one household or one
/// server holds a whole /64, 2^64 addresses to rotate through).
fn client_key(client: &str) -> String {
    match client.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let network = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", Ipv6Addr::from(network))
        }
        Ok(IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| client.to_owned(), |v4| v4.to_string()),
        _ => client.to_owned(),
    }
}

/// Forgets the `n` windows that started first.
fn forget_oldest(windows: &mut HashMap<String, (Instant, u32)>, n: usize) {
    let mut starts: Vec<Instant> = windows.values().map(|(start, _)| *start).collect();
    starts.sort_unstable();
    if let Some(cut) = starts.get(n.min(starts.len().saturating_sub(1))) {
        let cut = *cut;
        windows.retain(|_, (start, _)| *start > cut);
    }
}

/// Keys seen lately: whether one was already seen within the window (a title's availability
/// checked live, say). At most `max` keys are kept; past that, the oldest are forgotten.
pub struct Recently<K> {
    window: Duration,
    max: usize,
    seen: Mutex<HashMap<K, Instant>>,
}

impl<K: std::hash::Hash + Eq + Clone> Recently<K> {
    pub fn new(window: Duration, max: usize) -> Self {
        Self {
            window,
            max,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// True, and the key's clock restarts, when it was not seen within the window.
    pub fn first_in_window(&self, key: &K) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if seen
            .get(key)
            .is_some_and(|at| now.duration_since(*at) < self.window)
        {
            return false;
        }
        if seen.len() >= self.max {
            seen.retain(|_, at| now.duration_since(*at) < self.window);
            if seen.len() >= self.max {
                let mut times: Vec<Instant> = seen.values().copied().collect();
                times.sort_unstable();
                let cut = times[times.len() / 2];
                seen.retain(|_, at| *at > cut);
            }
        }
        seen.insert(key.clone(), now);
        true
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
    fn a_full_table_forgets_the_oldest_and_a_new_client_starts_fresh() {
        let limiter = super::Limiter::default();
        for n in 0..super::CLIENTS + 50 {
            let _ = limiter.attempt(&format!("10.0.{}.{}", n / 256, n % 256));
        }
        assert!(limiter.windows.lock().unwrap().len() <= super::CLIENTS);
        assert!(
            limiter.attempt("203.0.113.7").is_ok(),
            "a brand-new client is never refused on its first try"
        );
    }

    #[test]
    fn ipv6_clients_are_one_per_slash_64() {
        let limiter = super::Limiter::default();
        for n in 1..=super::ATTEMPTS {
            assert!(limiter.attempt(&format!("2001:db8:0:1::{n:x}")).is_ok());
        }
        assert!(
            limiter.attempt("2001:db8:0:1:ffff::1").is_err(),
            "the same /64 shares one allowance"
        );
        assert!(
            limiter.attempt("2001:db8:0:2::1").is_ok(),
            "the next /64 is someone else"
        );
        assert_eq!(super::client_key("::ffff:10.1.2.3"), "10.1.2.3");
    }

    #[test]
    fn a_key_is_first_once_per_window_and_the_memory_is_bounded() {
        let recently = super::Recently::new(std::time::Duration::from_secs(60), 100);
        assert!(recently.first_in_window(&1));
        assert!(!recently.first_in_window(&1));
        for n in 2..500 {
            assert!(recently.first_in_window(&n));
        }
        assert!(recently.seen.lock().unwrap().len() <= 100);
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
