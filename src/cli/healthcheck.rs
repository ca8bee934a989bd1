//! `sagarr healthcheck`: asks the running server for `/api/health` (Docker HEALTHCHECK in an
//! image without curl).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// Where to reach a server bound to `bind`: a wildcard address is reached on loopback.
pub fn target(bind: SocketAddr) -> SocketAddr {
    let ip = match bind.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, bind.port())
}

/// True when the server at `bind` answers 200.
pub async fn check(bind: SocketAddr) -> bool {
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .finish();
    let url = format!("http://{}/api/health", target(bind));
    matches!(client.get(url).send().await, Ok(res) if res.status().as_u16() == 200)
}
