//! Sessions: cookie flags, logout, tampering, and the cross-site check.

use awc::http::StatusCode;

use crate::helpers::{Options, TestApp, owner};

#[actix_web::test]
async fn the_session_cookie_is_httponly_lax_and_not_secure_on_plain_http() {
    let app = TestApp::spawn().await;
    let page = app.sign_in_as(&owner()).await;
    let cookie = page
        .header("set-cookie")
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.starts_with("sagarr_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Max-Age=2592000"), "30 days: {cookie}");
    assert!(
        !cookie.contains("Secure"),
        "a plain-http LAN install must keep working: {cookie}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_session_cookie_is_secure_behind_an_https_proxy() {
    let app = TestApp::spawn().await;
    app.start_sign_in().await;
    app.fakes.plex.authorize_latest_pin(&owner());
    let page = app
        .get_with("/auth/plex/callback", &[("X-Forwarded-Proto", "https")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let cookie = page.header("set-cookie").expect("a session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    app.stop().await;
}

#[actix_web::test]
async fn the_session_cookie_is_secure_when_the_public_url_is_https() {
    let options = Options {
        extra_env: vec![("SAGARR_PUBLIC_URL", "https://sagarr.example.com".into())],
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    let page = app.start_sign_in().await;
    let cookie = page
        .header("set-cookie")
        .expect("the pending sign-in is kept in the session");
    assert!(cookie.contains("; Secure"), "{cookie}");
    app.stop().await;
}

#[actix_web::test]
async fn logout_ends_the_session_so_the_old_cookie_is_useless() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let old_cookie = app.session_cookie().expect("signed in");
    assert_eq!(app.get("/").await.status, StatusCode::OK);

    let page = app.post("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), Some("/login?signed_out=1"));
    assert_eq!(app.get("/").await.location(), Some("/login"));

    // Replaying the cookie from before the logout gets nowhere: the session is gone server-side.
    app.set_session_cookie(&old_cookie);
    let replay = app.get("/").await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
    assert_eq!(replay.location(), Some("/login"));
    app.stop().await;
}

#[actix_web::test]
async fn a_tampered_cookie_is_anonymous() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let cookie = app.session_cookie().expect("signed in");
    let mut bytes = cookie.into_bytes();
    let middle = bytes.len() / 2;
    bytes[middle] = if bytes[middle] == b'A' { b'B' } else { b'A' };
    app.set_session_cookie(&String::from_utf8(bytes).expect("ascii"));

    assert_eq!(app.get("/").await.location(), Some("/login"));
    let htmx = app.get_with("/", &[("HX-Request", "true")]).await;
    assert_eq!(htmx.status, StatusCode::UNAUTHORIZED);
    assert_eq!(htmx.header("hx-redirect"), Some("/login"));
    app.stop().await;
}

#[actix_web::test]
async fn a_cross_site_post_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;

    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![
            ("Sec-Fetch-Site", "same-site"),
            ("Origin", "http://127.0.0.1:5055"),
        ],
        vec![("Referer", "http://evil.example/page")],
        vec![("Origin", "null")],
    ] {
        let page = app.post_with("/logout", &[], &headers).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(page.body.contains("another site"), "{}", page.body);
        assert_eq!(
            app.get("/").await.status,
            StatusCode::OK,
            "still signed in after {headers:?}"
        );
    }

    let htmx = app
        .post_with(
            "/logout",
            &[],
            &[("Origin", "http://evil.example"), ("HX-Request", "true")],
        )
        .await;
    assert_eq!(htmx.status, StatusCode::FORBIDDEN);
    assert!(
        htmx.body.starts_with("<div class=\"notice error\""),
        "HTMX gets a fragment: {}",
        htmx.body
    );

    // The same request from our own origin goes through.
    let same = app
        .post_with("/logout", &[], &[("Sec-Fetch-Site", "same-origin")])
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/").await.location(), Some("/login"));
    app.stop().await;
}

#[actix_web::test]
async fn a_post_from_the_public_url_origin_is_accepted_behind_a_proxy() {
    let options = Options {
        extra_env: vec![("SAGARR_PUBLIC_URL", "https://sagarr.example.com".into())],
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    app.signed_in_as(&owner()).await;
    let page = app
        .post_with("/logout", &[], &[("Origin", "https://sagarr.example.com")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    app.stop().await;
}

#[actix_web::test]
async fn signing_in_again_renews_the_session_cookie() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let first = app.session_cookie();
    app.signed_in_as(&owner()).await;
    assert_ne!(
        app.session_cookie(),
        first,
        "a new session, never a reused one"
    );
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    app.stop().await;
}
