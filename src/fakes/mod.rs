//! Fake upstream servers that speak the exact shapes of docs/upstreams.md, error cases included.
//! Tests run the real app against them, and `sagarr demo` will serve them as its upstreams.
//! Each can be told to misbehave (slow, 500, garbage, 429) in its own service's error shape.

pub mod ai;
pub mod catalog;
pub mod faults;
pub mod overseerr;
pub mod plex;
mod sync;
pub mod tautulli;
pub mod tmdb;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::web::{self, ServiceConfig};
use actix_web::{App, HttpServer};

pub use faults::{Fault, Flavor};

/// A running fake: its base URL, its fault switch, and a way to stop it.
pub struct FakeServer {
    pub url: String,
    faults: Arc<faults::FaultSwitch>,
    handle: ServerHandle,
}

impl FakeServer {
    /// Serves `routes` on a free loopback port with one worker. Call on an actix runtime.
    pub fn start<F>(flavor: Flavor, routes: F) -> std::io::Result<Self>
    where
        F: Fn(&mut ServiceConfig) + Clone + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let faults = Arc::new(faults::FaultSwitch::new(flavor));
        let switch = web::Data::from(faults.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(switch.clone())
                .wrap(from_fn(faults::inject))
                .configure(routes.clone())
        })
        .workers(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Ok(Self {
            url,
            faults,
            handle,
        })
    }

    /// From now on every request meets `fault`.
    pub fn set_fault(&self, fault: Fault) {
        self.faults.set(fault);
    }

    pub async fn stop(&self) {
        self.handle.stop(false).await;
    }
}

/// A loopback address where nothing listens: an upstream that is down. A privileged port
/// that refuses connections now, when there is one: the kernel never hands those out to a
/// bind to port 0, so no test's fake (or any other process's ephemeral port) can take it
/// before the connection is tried, as it could a port bound and let go.
pub fn closed_port_url() -> String {
    for port in [1, 9] {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let refused =
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(1))
                .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
        if refused {
            return format!("http://{addr}");
        }
    }
    // Bind and drop: the port is free again and refuses connections (unless taken first).
    match TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(addr) => format!("http://{addr}"),
        Err(_) => "http://127.0.0.1:9".to_owned(),
    }
}
