//! Who the client is and which host and scheme he asked for. Forwarded headers are believed
//! only from a trusted proxy (`SAGARR_TRUSTED_PROXIES`): from anyone else, the TCP peer is the
//! client, `Host` is the host, and the scheme is plain http (Sagarr speaks no TLS itself).
//! actix's `connection_info()` believes those headers from anyone, so it is not used.
//!
//! Only one family of headers is read, the one the proxy writes (`SAGARR_PROXY_HEADERS`):
//! `X-Forwarded-*` by default. Traefik replaces a client's `X-Forwarded-*` but passes a client's
//! own RFC 7239 `Forwarded` through untouched (traefik/traefik#4099), so reading `Forwarded`
//! beside them would let any client pick its address, host and scheme.

use std::net::IpAddr;
use std::sync::{Arc, RwLock};

use actix_web::HttpRequest;

/// An address range: `10.0.0.0/8`, `::1/128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `addr` or `addr/prefix`, v4 or v6.
    pub fn parse(raw: &str) -> Option<Self> {
        let (addr, prefix) = match raw.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (raw.trim(), None),
        };
        let network: IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            // `::ffff:10.0.0.1` is 10.0.0.1.
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Loopback and the private ranges, where Docker networks and Traefik live.
pub const DEFAULT_TRUSTED: &str =
    "127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7";

/// The proxies whose forwarded headers are believed: addresses and ranges, and host names
/// (a container's name, `traefik`, whose address changes when it is recreated), looked up at
/// start-up and every [`NAMES_TTL`] after (see [`TrustedProxies::look_up_names`]).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    ranges: Vec<Cidr>,
    names: Vec<String>,
    /// The names' addresses as last looked up.
    named: Arc<RwLock<Vec<IpAddr>>>,
}

/// How long a trusted name's addresses are believed before they are looked up again.
pub const NAMES_TTL: std::time::Duration = std::time::Duration::from_secs(60);

impl PartialEq for TrustedProxies {
    fn eq(&self, other: &Self) -> bool {
        self.ranges == other.ranges && self.names == other.names
    }
}

impl Eq for TrustedProxies {}

impl TrustedProxies {
    /// A comma-separated list of addresses, CIDRs and host names, or `none`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut trusted = Self::default();
        if raw.trim().eq_ignore_ascii_case("none") {
            return Ok(trusted);
        }
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match Cidr::parse(part) {
                Some(range) => trusted.ranges.push(range),
                None if is_host_name(part) => trusted.names.push(part.to_ascii_lowercase()),
                None => {
                    return Err(format!(
                        "`{part}` is not an address, a CIDR like 172.16.0.0/12 or a host name \
                         like traefik (or say none)"
                    ));
                }
            }
        }
        Ok(trusted)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.ranges.iter().any(|c| c.contains(ip))
            || self.named.read().is_ok_and(|named| named.contains(&ip))
    }

    /// Whether any entry is a host name to look up.
    pub fn has_names(&self) -> bool {
        !self.names.is_empty()
    }

    /// Looks the host names up now (blocking: run it off the async threads). A name that does
    /// not resolve is trusted for nothing until it does.
    pub fn look_up_names(&self) {
        use std::net::ToSocketAddrs;
        let mut found = Vec::new();
        for name in &self.names {
            match (name.as_str(), 0).to_socket_addrs() {
                Ok(addrs) => found.extend(addrs.map(|a| a.ip())),
                Err(error) => {
                    tracing::warn!(%error, name, "a trusted proxy's name did not resolve")
                }
            }
        }
        if let Ok(mut named) = self.named.write() {
            *named = found;
        }
    }
}

/// `traefik`, `proxy.lan`: letters, digits, dots and dashes, not all digits and dots.
fn is_host_name(raw: &str) -> bool {
    raw.len() <= 253
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && raw.chars().any(|c| c.is_ascii_alphabetic())
        && !raw.starts_with(['-', '.'])
}

/// Which forwarded headers the trusted proxy writes (`SAGARR_PROXY_HEADERS`); the other family
/// is never read, since a client can send it through the proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeaders {
    /// `X-Forwarded-For`, `-Proto`, `-Host` (Traefik, nginx, Caddy, HAProxy).
    #[default]
    XForwarded,
    /// RFC 7239 `Forwarded`.
    Forwarded,
}

impl ProxyHeaders {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "" | "x-forwarded" => Ok(Self::XForwarded),
            "forwarded" => Ok(Self::Forwarded),
            other => Err(format!(
                "`{other}` is not x-forwarded (the default) or forwarded"
            )),
        }
    }
}

/// Where a request came from and what it asked for, after deciding whom to believe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The client's address (the TCP peer, unless a trusted proxy names another).
    pub client: String,
    /// `http` or `https`.
    pub scheme: String,
    /// `host[:port]` as the client asked for it.
    pub host: String,
}

impl Origin {
    pub fn of(req: &HttpRequest, trusted: &TrustedProxies, headers: ProxyHeaders) -> Self {
        let peer = req.peer_addr().map(|a| a.ip());
        // Every line of a header, in order: a proxy may append its own line after the client's.
        let joined = |name: &str| {
            let lines: Vec<&str> = req
                .headers()
                .get_all(name)
                .filter_map(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            (!lines.is_empty()).then(|| lines.join(","))
        };
        let host = joined("host").unwrap_or_default();
        let plain = Self {
            client: peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            scheme: "http".to_owned(),
            host,
        };
        let Some(peer) = peer.filter(|ip| trusted.trusts(*ip)) else {
            return plain;
        };
        // The chain, nearest proxy last; what the nearest proxy says of scheme and host is its
        // last word (an earlier one may be the client's own).
        let (chain, proto, host): (Vec<IpAddr>, Option<String>, Option<String>) = match headers {
            ProxyHeaders::Forwarded => {
                let elements = joined("forwarded")
                    .map(|v| parse_forwarded(&v))
                    .unwrap_or_default();
                let last = elements.last();
                (
                    elements.iter().filter_map(|f| f.for_ip).collect(),
                    last.and_then(|f| f.proto.clone()),
                    last.and_then(|f| f.host.clone()),
                )
            }
            ProxyHeaders::XForwarded => (
                joined("x-forwarded-for")
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|a| parse_ip(a.trim()))
                    .collect(),
                joined("x-forwarded-proto").map(|p| last_value(&p).to_ascii_lowercase()),
                joined("x-forwarded-host").map(|h| last_value(&h).to_owned()),
            ),
        };
        // The client is the first address from the right that is not one of our proxies. When
        // every address is (a LAN client behind the proxy), it is the one the nearest proxy saw,
        // never the leftmost, which the client may have written itself.
        let client = chain
            .iter()
            .rev()
            .find(|ip| !trusted.trusts(**ip))
            .or(chain.last())
            .copied()
            .unwrap_or(peer);
        let scheme = proto
            .filter(|p| p == "http" || p == "https")
            .unwrap_or(plain.scheme);
        let host = host.filter(|h| valid_host(h)).unwrap_or(plain.host);
        Self {
            client: client.to_string(),
            scheme,
            host,
        }
    }

    /// `scheme://host`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.host)
    }
}

fn last_value(list: &str) -> &str {
    list.rsplit(',').next().unwrap_or("").trim()
}

/// A host a client may name: letters, digits, dots, dashes, brackets and a port.
fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct ForwardedElement {
    for_ip: Option<IpAddr>,
    proto: Option<String>,
    host: Option<String>,
}

/// RFC 7239: `for=192.0.2.60;proto=https;host=example.com, for="[2001:db8::1]:4711"`.
fn parse_forwarded(value: &str) -> Vec<ForwardedElement> {
    value
        .split(',')
        .map(|element| {
            let mut out = ForwardedElement::default();
            for pair in element.split(';') {
                let Some((key, v)) = pair.split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"');
                match key.trim().to_ascii_lowercase().as_str() {
                    "for" => out.for_ip = parse_ip(v),
                    "proto" => out.proto = Some(v.to_ascii_lowercase()),
                    "host" => out.host = Some(v.to_owned()),
                    _ => {}
                }
            }
            out
        })
        .collect()
}

/// `1.2.3.4`, `1.2.3.4:80`, `[::1]:80`, `::1`.
fn parse_ip(raw: &str) -> Option<IpAddr> {
    if let Ok(ip) = raw.parse() {
        return Some(ip);
    }
    if let Some(rest) = raw.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    raw.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_match_their_ranges_only() {
        let trusted = TrustedProxies::parse(DEFAULT_TRUSTED).unwrap();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.18.0.5",
            "192.168.1.1",
            "::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(trusted.trusts(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "2001:db8::1", "192.169.0.1"] {
            assert!(!trusted.trusts(ip.parse().unwrap()), "{ip}");
        }
        assert!(
            !TrustedProxies::parse("none")
                .unwrap()
                .trusts("127.0.0.1".parse().unwrap())
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("traefik proxy").is_err());
        assert!(TrustedProxies::parse("10.0.0.1/x").is_err());
    }

    #[test]
    fn a_trusted_name_is_trusted_at_the_addresses_it_resolves_to() {
        let trusted = TrustedProxies::parse("localhost, 10.9.0.0/16").unwrap();
        assert!(trusted.has_names());
        assert!(
            !trusted.trusts("127.0.0.1".parse().unwrap()),
            "not looked up yet"
        );
        trusted.look_up_names();
        assert!(trusted.trusts("127.0.0.1".parse().unwrap()));
        assert!(trusted.trusts("10.9.1.1".parse().unwrap()));
        assert!(!trusted.trusts("192.168.1.1".parse().unwrap()));
    }

    #[test]
    fn forwarded_elements_are_read() {
        let got = parse_forwarded(
            r#"for="[2001:db8::1]:4711";proto=https;host=sagarr.example.com, for=10.0.0.2"#,
        );
        assert_eq!(got[0].for_ip, "2001:db8::1".parse().ok());
        assert_eq!(got[0].proto.as_deref(), Some("https"));
        assert_eq!(got[0].host.as_deref(), Some("sagarr.example.com"));
        assert_eq!(got[1].for_ip, "10.0.0.2".parse().ok());
    }
}
