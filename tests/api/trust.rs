//! Trust boundaries (docs/reliability.md, "Threat model"): forwarded headers only from trusted
//! proxies, the scheme in the cross-site check, the return path, slow bodies, stored keys, and
//! 401 for callers that take JSON only. Each table row is one attack or one legitimate use.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use awc::http::StatusCode;

use crate::helpers::{Options, TestApp, friend_with_rows, owner};

fn untrusting() -> Options {
    Options {
        extra_env: vec![("SAGARR_TRUSTED_PROXIES", "none".to_owned())],
        ..Options::default()
    }
}

/// The `forwardUrl` the sign-in start sent the browser to Plex with.
pub fn forward_url(location: &str) -> String {
    let encoded = location
        .split("forwardUrl=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_default();
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8_lossy()
        .into_owned()
}

#[actix_web::test]
async fn forwarded_headers_are_believed_only_from_a_trusted_proxy() {
    // Loopback is an untrusted peer here: spoofed client addresses share the peer's allowance.
    let app = TestApp::spawn_with(untrusting()).await;
    let spoofs: Vec<(&str, String)> = (0..15)
        .map(|n| {
            if n % 2 == 0 {
                ("X-Forwarded-For", format!("203.0.113.{n}"))
            } else {
                ("Forwarded", format!("for=198.51.100.{n}"))
            }
        })
        .collect();
    let mut statuses = Vec::new();
    for (name, value) in &spoofs {
        statuses.push(app.get_with("/auth/plex", &[(name, value)]).await.status);
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count(),
        10,
        "{statuses:?}"
    );
    assert!(
        statuses[10..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
    );
    app.stop().await;

    // (trusted proxies, the headers they write, headers, the forwardUrl Plex sends the browser
    // back to)
    type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 4] = [
        (
            "none",
            "x-forwarded",
            vec![("X-Forwarded-Host", "evil.example")],
            "http://{host}/auth/plex/callback",
        ),
        (
            "none",
            "forwarded",
            vec![("Forwarded", "host=evil.example;proto=https")],
            "http://{host}/auth/plex/callback",
        ),
        // Traefik on the Docker network: its headers are the truth.
        (
            "127.0.0.0/8",
            "x-forwarded",
            vec![
                ("X-Forwarded-Host", "sagarr.example.com"),
                ("X-Forwarded-Proto", "https"),
            ],
            "https://sagarr.example.com/auth/plex/callback",
        ),
        // A proxy that writes RFC 7239 Forwarded, as the operator said (SAGARR_PROXY_HEADERS).
        (
            "127.0.0.0/8",
            "forwarded",
            vec![(
                "Forwarded",
                "for=203.0.113.9;proto=https;host=sagarr.example.com",
            )],
            "https://sagarr.example.com/auth/plex/callback",
        ),
    ];
    for (trusted, written, headers, expected) in cases {
        let app = TestApp::spawn_with(Options {
            extra_env: vec![
                ("SAGARR_TRUSTED_PROXIES", trusted.to_owned()),
                ("SAGARR_PROXY_HEADERS", written.to_owned()),
            ],
            ..Options::default()
        })
        .await;
        let page = app.get_with("/auth/plex", &headers).await;
        let host = app.address.trim_start_matches("http://").to_owned();
        assert_eq!(
            forward_url(page.location().unwrap_or_default()),
            expected.replace("{host}", &host),
            "{trusted} {headers:?}"
        );
        app.stop().await;
    }
}

#[actix_web::test]
async fn the_cross_site_check_compares_scheme_and_host_and_ignores_untrusted_forwarding() {
    let app = TestApp::spawn_with(untrusting()).await;
    app.signed_in_as(&owner()).await;
    let same = app.address.clone();
    // (headers, allowed)
    let cases: Vec<(Vec<(&str, &str)>, bool)> = vec![
        (
            vec![
                ("Origin", "http://evil.example"),
                ("X-Forwarded-Host", "evil.example"),
            ],
            false,
        ),
        (
            vec![
                ("Origin", "https://evil.example"),
                ("Forwarded", "host=evil.example;proto=https"),
            ],
            false,
        ),
        (vec![("Origin", &same)], true),
    ];
    for (headers, allowed) in cases {
        let page = app.post_with("/refresh", &[], &headers).await;
        let expected = if allowed {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(page.status, expected, "{headers:?}");
    }
    app.stop().await;

    // With an https public URL, http on the same host is another origin.
    let app = TestApp::spawn_with(Options {
        extra_env: vec![("SAGARR_PUBLIC_URL", "https://sagarr.example.com".to_owned())],
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    for (origin, expected) in [
        ("http://sagarr.example.com", StatusCode::FORBIDDEN),
        ("https://sagarr.example.com:8443", StatusCode::FORBIDDEN),
        ("https://sagarr.example.com", StatusCode::SEE_OTHER),
    ] {
        let page = app.post_with("/logout", &[], &[("Origin", origin)]).await;
        assert_eq!(page.status, expected, "{origin}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_form_returns_only_to_a_page_of_ours_and_bad_back_values_never_fail_the_action() {
    let app = friend_with_rows().await;
    // (back, where the browser is sent)
    let cases = [
        ("/?tab=tv", "/?tab=tv"),
        ("/history?page=2", "/history?page=2"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\r\nSet-Cookie: x=y", "/"),
        ("/\x0b", "/"),
        ("/\x7f", "/"),
        ("https://evil.example/", "/"),
        ("/admin", "/"),
    ];
    let ids = [
        300668, 438631, 27205, 157336, 335984, 264660, 1124, 603, 49047,
    ];
    for ((back, expected), id) in cases.iter().zip(ids) {
        let page = app
            .post(&format!("/media/movie/{id}/skip"), &[("back", back)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{back:?}: {}",
            page.body
        );
        assert_eq!(page.location(), Some(*expected), "{back:?}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_body_that_trickles_in_is_cut_off_after_ten_seconds() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    // Signed in, so the handler waits for the form: the body is what holds the connection.
    let cookie = format!(
        "{}={}",
        sagarr::auth::session::COOKIE_NAME,
        app.session_cookie().unwrap()
    );
    let port = app.port;
    let started = Instant::now();
    let trickles: Vec<_> = (0..2)
        .map(|_| {
            let cookie = cookie.clone();
            actix_web::rt::task::spawn_blocking(move || {
                let mut conn = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
                conn.set_read_timeout(Some(Duration::from_millis(900))).unwrap();
                let head = format!(
                    "POST /media/movie/603/rate HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\
                     Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
                );
                conn.write_all(head.as_bytes()).unwrap();
                let mut answer = Vec::new();
                for _ in 0..30 {
                    if conn.write_all(b"a").is_err() {
                        break;
                    }
                    let mut buf = [0u8; 1024];
                    match conn.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => answer.extend_from_slice(&buf[..n]),
                        Err(_) => {} // nothing yet: the read timeout paces the trickle
                    }
                }
                String::from_utf8_lossy(&answer).into_owned()
            })
        })
        .collect();
    for trickle in trickles {
        let answer = trickle.await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(
            answer.to_lowercase().contains("connection: close"),
            "{answer}"
        );
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(20),
        "cut at about 10 s: {waited:?}"
    );
    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);
    app.stop().await;
}

#[actix_web::test]
async fn a_saved_key_can_be_cleared_and_admin_pages_are_never_cached() {
    let app = TestApp::spawn_with(Options {
        extra_env: vec![("SAGARR_PUBLIC_URL", "https://sagarr.example.com".to_owned())],
        ..Options::default()
    })
    .await;
    let origin = [("Origin", "https://sagarr.example.com")];
    app.signed_in_as(&owner()).await;
    let saved = app
        .post_with(
            "/admin/settings/tmdb",
            &[("api_key", "fffffffffffffffffffffffffffffff1")],
            &origin,
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains(r#"name="clear" value="api_key""#),
        "{}",
        admin.body
    );
    let stored = |app: &TestApp| {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::db::settings::get(&mut conn, "tmdb.api_key").unwrap()
    };
    assert!(stored(&app).is_some());

    // JS off: the Clear button is a plain form submit.
    let cleared = app
        .post_with(
            "/admin/settings/tmdb",
            &[("api_key", ""), ("clear", "api_key")],
            &origin,
        )
        .await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER);
    assert_eq!(stored(&app), None, "the saved key is gone");
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains(
            "API key or read access token cleared here; the one in TMDB_API_KEY applies."
        )
    );
    let bad = app
        .post_with("/admin/settings/tmdb", &[("clear", "url")], &origin)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "only secret fields");

    // (path, HX-Request, must be no-store)
    for (path, hx, no_store) in [
        ("/admin", false, true),
        ("/api/admin/test/tmdb", false, true),
        ("/", false, false),
    ] {
        let mut headers = vec![];
        if hx {
            headers.push(("HX-Request", "true"));
        }
        let page = app.get_with(path, &headers).await;
        assert_eq!(
            page.header("cache-control") == Some("no-store"),
            no_store,
            "{path}"
        );
        assert_eq!(
            page.header("strict-transport-security"),
            Some("max-age=31536000"),
            "https public URL: {path}"
        );
    }
    let fragment = app
        .post_with(
            "/admin/test/tmdb",
            &[("api_key", "")],
            &[origin[0], ("HX-Request", "true")],
        )
        .await;
    assert_eq!(fragment.header("cache-control"), Some("no-store"));
    app.stop().await;

    let plain = TestApp::spawn().await;
    assert_eq!(
        plain
            .get("/login")
            .await
            .header("strict-transport-security"),
        None
    );
    plain.stop().await;
}

#[actix_web::test]
async fn a_caller_that_accepts_json_but_not_html_gets_401_not_a_redirect() {
    let app = TestApp::spawn().await;
    let json = ("Accept", "application/json");
    let origin = app.address.clone();
    for path in [
        "/media/movie/603/rate",
        "/media/movie/603/skip",
        "/media/movie/603/request",
        "/media/movie/603/watchlist",
        "/media/movie/603/rate/delete",
        "/refresh",
    ] {
        let page = app
            .post_with(path, &[("rating", "1")], &[json, ("Origin", &origin)])
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{path}: {}",
            page.body
        );
        assert!(page.body.starts_with('{'), "{path}: {}", page.body);
    }
    // A browser (HTML accepted) is still sent to the sign-in page.
    let page = app
        .post_with(
            "/media/movie/603/skip",
            &[],
            &[
                ("Accept", "text/html,application/json"),
                ("Origin", &origin),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.stop().await;
}
