//! The second attack run's findings (docs/reliability.md, "Threat model"), each with the request
//! that got through: a client's own `Forwarded` behind a proxy that writes `X-Forwarded-*`,
//! several `X-Forwarded-For` lines, IPv6 clients, private-only chains, a chunked body that never
//! ends, saved keys sent to a typed URL, the Discover URL, a replayed pre-login cookie, expensive
//! actions repeated, a default port, the demo's address, and what a malformed request logs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use awc::http::StatusCode;

use crate::helpers::{Options, TestApp, friend, friend_with_rows, owner};
use crate::process::free_port;
use crate::trust::forward_url;

fn behind_proxy(extra: &[(&'static str, &str)]) -> Options {
    let mut env = vec![("SAGARR_TRUSTED_PROXIES", "127.0.0.0/8".to_owned())];
    env.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    Options {
        extra_env: env,
        ..Options::default()
    }
}

/// How many of `attempts` sign-in starts got through (303) before the limit (429).
async fn starts_allowed(app: &TestApp, attempts: Vec<Vec<(&str, String)>>) -> Vec<StatusCode> {
    let mut statuses = Vec::new();
    for headers in &attempts {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        statuses.push(app.get_with("/auth/plex", &headers).await.status);
    }
    statuses
}

fn limited_after_ten(statuses: &[StatusCode]) -> bool {
    statuses[..10].iter().all(|s| *s == StatusCode::SEE_OTHER)
        && statuses[10..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS)
}

#[actix_web::test]
async fn a_clients_own_forwarded_header_is_ignored_behind_a_proxy_that_writes_x_forwarded() {
    let app = TestApp::spawn_with(behind_proxy(&[])).await;
    // What Traefik passes on: its own X-Forwarded-For, and the client's Forwarded untouched.
    let attempts = (0..13)
        .map(|n| {
            vec![
                ("X-Forwarded-For", "203.0.113.10".to_owned()),
                ("Forwarded", format!("for=198.51.100.{n}")),
            ]
        })
        .collect();
    let statuses = starts_allowed(&app, attempts).await;
    assert!(limited_after_ten(&statuses), "{statuses:?}");

    let page = app
        .get_with(
            "/auth/plex",
            &[
                ("X-Forwarded-For", "203.0.113.11"),
                ("Forwarded", "for=9.9.9.9;host=evil.example;proto=https"),
            ],
        )
        .await;
    let host = app.address.trim_start_matches("http://").to_owned();
    assert_eq!(
        forward_url(page.location().unwrap_or_default()),
        format!("http://{host}/auth/plex/callback"),
        "the client's Forwarded moves nothing"
    );
    app.stop().await;

    // A proxy that writes Forwarded, said so by the operator: then that is believed, and a
    // client's X-Forwarded-* is not.
    let app = TestApp::spawn_with(behind_proxy(&[("SAGARR_PROXY_HEADERS", "forwarded")])).await;
    let page = app
        .get_with(
            "/auth/plex",
            &[
                (
                    "Forwarded",
                    "for=203.0.113.9;proto=https;host=sagarr.example.com",
                ),
                ("X-Forwarded-Host", "evil.example"),
            ],
        )
        .await;
    assert_eq!(
        forward_url(page.location().unwrap_or_default()),
        "https://sagarr.example.com/auth/plex/callback"
    );
    app.stop().await;
}

#[actix_web::test]
async fn every_x_forwarded_for_line_counts_and_the_proxys_is_last() {
    let app = TestApp::spawn_with(behind_proxy(&[])).await;
    // The client's own line, then the one HAProxy appends.
    let port = app.port;
    let statuses = actix_web::rt::task::spawn_blocking(move || {
        (0..13)
            .map(|n| {
                let answer = raw(
                    port,
                    &format!(
                        "GET /auth/plex HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Forwarded-For: 198.51.100.{n}\r\n\
                         X-Forwarded-For: 203.0.113.10\r\nConnection: close\r\n\r\n"
                    ),
                );
                answer.split(' ').nth(1).unwrap_or_default().to_owned()
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    assert_eq!(
        statuses.iter().filter(|s| *s == "303").count(),
        10,
        "{statuses:?}"
    );
    assert!(statuses[10..].iter().all(|s| s == "429"), "{statuses:?}");
    app.stop().await;
}

#[actix_web::test]
async fn ipv6_clients_are_limited_per_slash_64_and_a_private_chain_is_not_the_clients_to_choose() {
    let app = TestApp::spawn_with(behind_proxy(&[])).await;
    let attempts = (1..=13)
        .map(|n| vec![("X-Forwarded-For", format!("2001:db8:0:1::{n:x}"))])
        .collect();
    let statuses = starts_allowed(&app, attempts).await;
    assert!(limited_after_ten(&statuses), "one /64: {statuses:?}");
    let other = app
        .get_with("/auth/plex", &[("X-Forwarded-For", "2001:db8:0:2::1")])
        .await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "the next /64 is someone else"
    );
    app.stop().await;

    // The default trust (every private range): a LAN client writes a private address of its
    // choice first; the proxy appends the LAN address it really came from.
    let app = TestApp::spawn().await;
    let attempts = (0..13)
        .map(|n| vec![("X-Forwarded-For", format!("10.9.9.{n}, 192.168.1.20"))])
        .collect();
    let statuses = starts_allowed(&app, attempts).await;
    assert!(limited_after_ten(&statuses), "{statuses:?}");
    app.stop().await;
}

/// Sends `request` on a new connection and returns what came back before the server closed it
/// (or 15 s passed).
fn raw(port: u16, request: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    conn.set_read_timeout(Some(Duration::from_secs(15))).ok();
    conn.write_all(request.as_bytes()).expect("sent");
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[actix_web::test]
async fn a_chunked_body_that_never_ends_gets_408_and_its_connection_closed() {
    let app = TestApp::spawn().await;
    let port = app.port;
    let started = Instant::now();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        raw(
            port,
            &format!(
                "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nr\r\n"
            ),
        )
    })
    .await
    .unwrap();
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_lowercase().contains("connection: close"),
        "{answer}"
    );
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(16),
        "cut and closed at about 10 s: {waited:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn with_few_open_files_held_sockets_are_shed_and_new_clients_still_served() {
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    // The binary under an open-file limit of 160, as the attack run had it.
    let server = std::process::Command::new("prlimit")
        .args(["--nofile=160:160", "--"])
        .arg(env!("CARGO_BIN_EXE_sagarr"))
        .arg("serve")
        .env_clear()
        .env("SAGARR_DATA_DIR", data.path())
        .env("SAGARR_BIND", format!("127.0.0.1:{port}"))
        .env("SAGARR_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut server) = server else {
        panic!("prlimit (util-linux) is needed; tests/run installs it");
    };
    // Not listening yet (or refusing) is not healthy: the probe goes on asking.
    let healthy = move || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
            && raw(
                port,
                "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            )
            .starts_with("HTTP/1.1 200")
    };
    let up = actix_web::rt::task::spawn_blocking(move || {
        (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            healthy()
        })
    })
    .await
    .unwrap();
    assert!(up, "the server started");
    // 150 sockets, each a chunked body that never ends.
    let held: Vec<TcpStream> = (0..150)
        .filter_map(|_| {
            let mut conn = TcpStream::connect(("127.0.0.1", port)).ok()?;
            conn.write_all(
                b"GET /api/health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nr\r\n",
            )
            .ok()?;
            Some(conn)
        })
        .collect();
    let started = Instant::now();
    let served = actix_web::rt::task::spawn_blocking(move || {
        while started.elapsed() < Duration::from_secs(20) {
            if healthy() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        None
    })
    .await
    .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    drop(held);
    let waited = served.expect("a new client is served within 20 s");
    assert!(waited < Duration::from_secs(15), "{waited:?}");
}

/// A listener that notes whether anything connected to it.
fn snare() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        listener.set_nonblocking(false).ok();
        if let Ok((mut conn, _)) = listener.accept() {
            conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
            let mut buf = vec![0u8; 4096];
            let n = conn.read(&mut buf).unwrap_or(0);
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    });
    (url, rx)
}

#[actix_web::test]
async fn a_saved_key_goes_only_to_its_saved_url() {
    let app = TestApp::spawn_with(Options {
        ai: crate::helpers::AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    for (section, form) in [
        ("overseerr", vec![("url", "{snare}/o"), ("api_key", "")]),
        ("tautulli", vec![("url", "{snare}"), ("api_key", "")]),
        (
            "ai",
            vec![
                ("provider", "openai-compatible"),
                ("base_url", "{snare}/v1"),
                ("model", "m"),
                ("api_key", ""),
            ],
        ),
    ] {
        let (snare_url, caught) = snare();
        let form: Vec<(&str, String)> = form
            .iter()
            .map(|(k, v)| (*k, v.replace("{snare}", &snare_url)))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = app
            .htmx_post(&format!("/admin/test/{section}"), &form)
            .await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{section}: {}",
            page.body
        );
        assert!(
            page.body.contains("type the API key again"),
            "{}",
            page.body
        );
        assert!(
            caught.recv_timeout(Duration::from_millis(300)).is_err(),
            "{section}: nothing was sent to the typed URL"
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_discover_url_cannot_be_set_from_the_page_and_a_friends_token_stays_home() {
    let app = friend_with_rows().await;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let (snare_url, caught) = snare();
    let page = app
        .post("/admin/settings/plex", &[("discover_url", &snare_url)])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    let admin = app.get("/admin").await;
    assert!(
        admin
            .body
            .contains("only the environment sets it (PLEX_DISCOVER_URL)"),
        "{}",
        admin.body
    );
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    let page = app.htmx_post("/media/movie/603/watchlist", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        caught.recv_timeout(Duration::from_millis(300)).is_err(),
        "the friend's Plex token went nowhere else"
    );
    assert_eq!(app.fakes.plex.watchlist_adds().len(), 1);
    app.stop().await;
}

#[actix_web::test]
async fn a_pre_login_cookie_signs_in_once_and_a_logout_stays_a_logout() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    app.start_sign_in().await;
    let pre_login = app.session_cookie().expect("the pre-login cookie");
    app.fakes.plex.authorize_latest_pin(&friend());
    let done = app.get("/auth/plex/callback").await;
    assert_eq!(done.location(), Some("/"), "{}", done.body);
    let out = app.post("/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    for _ in 0..3 {
        app.set_session_cookie(&pre_login);
        let replay = app.get("/auth/plex/callback").await;
        assert_eq!(replay.status, StatusCode::BAD_REQUEST, "{}", replay.body);
        assert!(replay.body.contains("already finished"), "{}", replay.body);
        let home = app.get("/").await;
        assert_eq!(home.location(), Some("/login"), "not signed in again");
    }
    app.stop().await;
}

#[actix_web::test]
async fn expensive_actions_repeated_in_a_hurry_cost_one_upstream_call() {
    let app = TestApp::spawn_with(Options {
        ai: crate::helpers::AiSetup::OpenAi,
        extra_env: vec![("SAGARR_REFRESH_SPACING_SECONDS", "30".to_owned())],
        ..Options::default()
    })
    .await;
    crate::helpers::watch_history(&app.fakes.tautulli);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    let asked = app.fakes.openai.requests().len();
    for _ in 0..5 {
        app.post("/refresh", &[]).await;
        app.wait_for_refresh().await;
    }
    assert_eq!(
        app.fakes.openai.requests().len(),
        asked,
        "clicks right after a refresh join it"
    );

    let before = app.fakes.overseerr.media_calls();
    for _ in 0..50 {
        let page = app
            .get_with("/media/movie/550/status", &[("Accept", "application/json")])
            .await;
        assert_eq!(page.status, StatusCode::OK);
    }
    assert!(
        app.fakes.overseerr.media_calls() - before <= 1,
        "status checks are cached: {}",
        app.fakes.overseerr.media_calls() - before
    );

    let tmdb_before = app.fakes.tmdb.calls().len();
    for _ in 0..3 {
        for id in 990_000_001..990_000_011 {
            let page = app.get(&format!("/media/movie/{id}")).await;
            assert!(page.status.is_client_error() || page.status.is_server_error());
        }
    }
    assert_eq!(
        app.fakes.tmdb.calls().len() - tmdb_before,
        10,
        "each unknown id is asked of TMDb once"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_public_url_with_its_default_port_written_out_still_accepts_its_own_origin() {
    let app = TestApp::spawn_with(Options {
        extra_env: vec![(
            "SAGARR_PUBLIC_URL",
            "https://sagarr.example.com:443".to_owned(),
        )],
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    let page = app
        .post_with("/refresh", &[], &[("Origin", "https://sagarr.example.com")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = app
        .post_with("/refresh", &[], &[("Origin", "https://evil.example.com")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[actix_web::test]
async fn the_demo_listens_on_loopback_unless_told_otherwise() {
    // Killed below: its data goes in a temp dir of the test's.
    let temp = tempfile::tempdir().unwrap();
    let mut demo = std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"))
        .arg("demo")
        .env_clear()
        .env("TMPDIR", temp.path())
        .env("SAGARR_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the demo starts");
    let mut out = demo.stdout.take().expect("stdout");
    let said = actix_web::rt::task::spawn_blocking(move || {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while out.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        String::from_utf8_lossy(&line).into_owned()
    })
    .await
    .unwrap();
    let _ = demo.kill();
    let _ = demo.wait();
    assert!(said.contains("open http://127.0.0.1:7979"), "{said}");
}

#[actix_web::test]
async fn a_malformed_request_is_logged_as_the_clients_mistake_not_an_error() {
    let port = free_port();
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("stderr.log");
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"))
        .arg("serve")
        .env_clear()
        .env("SAGARR_DATA_DIR", data.path())
        .env("SAGARR_BIND", format!("127.0.0.1:{port}"))
        .env("SAGARR_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("sagarr starts");
    let served = actix_web::rt::task::spawn_blocking(move || {
        // Not listening yet (or refusing) is not up: the probe goes on asking.
        let up = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            TcpStream::connect(("127.0.0.1", port)).is_ok()
                && raw(
                    port,
                    "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                )
                .starts_with("HTTP/1.1 200")
        });
        for garbage in [
            "GARBAGE\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        ] {
            raw(port, garbage);
        }
        up
    })
    .await
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let _ = server.kill();
    let _ = server.wait();
    assert!(served, "the server started");
    let stderr = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!stderr.contains("ERROR"), "{stderr}");
    assert!(stderr.contains("refused a malformed request"), "{stderr}");
}
