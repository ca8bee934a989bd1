//! Who the client is and which host and scheme he asked for. `Forwarded` and `X-Forwarded-*`
//! are believed only from a trusted proxy (`SAGARR_TRUSTED_PROXIES`): from anyone else, the TCP
//! peer is the client, `Host` is the host, and the scheme is plain http (Sagarr speaks no TLS
//! itself). actix's `connection_info()` believes those headers from anyone, so it is not used.

use std::net::IpAddr;

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

/// The proxies whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// A comma-separated list of addresses and CIDRs, or `none`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().eq_ignore_ascii_case("none") {
            return Ok(Self::default());
        }
        raw.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                Cidr::parse(p).ok_or_else(|| {
                    format!("`{p}` is not an address or CIDR like 172.16.0.0/12 (or say none)")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
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
    pub fn of(req: &HttpRequest, trusted: &TrustedProxies) -> Self {
        let peer = req.peer_addr().map(|a| a.ip());
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let host = header("host").unwrap_or("").to_owned();
        let plain = Self {
            client: peer.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
            scheme: "http".to_owned(),
            host,
        };
        let Some(peer) = peer.filter(|ip| trusted.trusts(*ip)) else {
            return plain;
        };
        let forwarded = header("forwarded").map(parse_forwarded).unwrap_or_default();
        // The chain, nearest proxy last: the client is the first address from the right that
        // is not one of our proxies.
        let mut chain: Vec<IpAddr> = forwarded.iter().filter_map(|f| f.for_ip).collect();
        if chain.is_empty() {
            chain = header("x-forwarded-for")
                .unwrap_or("")
                .split(',')
                .filter_map(|a| parse_ip(a.trim()))
                .collect();
        }
        let client = chain
            .iter()
            .rev()
            .find(|ip| !trusted.trusts(**ip))
            .or(chain.first())
            .copied()
            .unwrap_or(peer);
        let first = forwarded.first();
        let scheme = first
            .and_then(|f| f.proto.clone())
            .or_else(|| header("x-forwarded-proto").map(|p| first_value(p).to_owned()))
            .filter(|p| p == "http" || p == "https")
            .unwrap_or(plain.scheme);
        let host = first
            .and_then(|f| f.host.clone())
            .or_else(|| header("x-forwarded-host").map(|h| first_value(h).to_owned()))
            .filter(|h| valid_host(h))
            .unwrap_or(plain.host);
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

fn first_value(list: &str) -> &str {
    list.split(',').next().unwrap_or("").trim()
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
        assert!(TrustedProxies::parse("traefik").is_err());
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
