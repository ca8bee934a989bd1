//! Fake upstream servers that speak the exact shapes of UPSTREAMS.md, error cases included.
//! Tests run the real app against them, and `sagarr demo` will serve them as its upstreams.

pub mod plex;
pub mod tautulli;

use std::net::TcpListener;
use std::sync::{Mutex, MutexGuard};

/// Binds a free loopback port and returns the listener with its base URL.
fn bind_loopback() -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok((listener, url))
}

/// Locks shared fake state; a panic elsewhere must not wedge the fake.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A loopback address where nothing listens: an upstream that is down.
pub fn closed_port_url() -> String {
    // Bind and drop: the port is free again and refuses connections.
    match bind_loopback() {
        Ok((listener, url)) => {
            drop(listener);
            url
        }
        Err(_) => "http://127.0.0.1:9".to_owned(),
    }
}
