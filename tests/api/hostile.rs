//! Hostile input: injected markup comes out escaped, floods are limited, big bodies refused.

use awc::http::StatusCode;
use sagarr::fakes::plex::FakeAccount;

use crate::helpers::{AiSetup, Options, TestApp, friend, owner, watch_history};

#[actix_web::test]
async fn markup_from_the_ai_and_from_plex_is_escaped_everywhere() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    let mallory = FakeAccount::new(31_337, "<script>alert('name')</script>");
    app.fakes.plex.add_account(mallory.clone());
    app.signed_in_as(&mallory).await; // the first account: admin, whatever his name
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(
        r#"{"categories": [{"title": "<script>alert('row')</script>",
        "reason": "<img src=x onerror=alert('reason')>", "kind": "movie",
        "items": [{"title": "Inception", "year": 2010, "because": "<b>The Matrix</b>"}]}]}"#,
    );
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    let dashboard = app.get("/").await;
    assert!(
        dashboard
            .body
            .contains("&#60;script&#62;alert(&#39;row&#39;)&#60;/script&#62;"),
        "{}",
        dashboard.body
    );
    assert!(
        dashboard
            .body
            .contains("&#60;img src=x onerror=alert(&#39;reason&#39;)&#62;")
    );
    assert!(!dashboard.body.contains("<script>alert") && !dashboard.body.contains("<img src=x"));

    app.forget_cookies();
    app.signed_in_as(&mallory).await;
    let admin = app.get("/admin").await;
    assert!(
        admin
            .body
            .contains("&#60;script&#62;alert(&#39;name&#39;)&#60;/script&#62;"),
        "usernames are escaped"
    );
    assert!(!admin.body.contains("<script>alert"));
    app.stop().await;
}

#[actix_web::test]
async fn a_flood_of_sign_in_starts_is_limited_per_client() {
    let app = TestApp::spawn().await;
    for n in 0..10 {
        assert_eq!(
            app.get("/auth/plex").await.status,
            StatusCode::SEE_OTHER,
            "start {n}"
        );
    }
    let refused = app.get("/auth/plex").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.body.contains("Too many sign-in attempts"));
    assert_eq!(
        app.fakes.plex.pins().len(),
        10,
        "the refused start asked plex.tv nothing"
    );
    let other = app
        .get_with("/auth/plex", &[("X-Forwarded-For", "203.0.113.9")])
        .await;
    assert_eq!(
        other.status,
        StatusCode::SEE_OTHER,
        "another client is not affected"
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_oversized_form_is_refused_with_413_everywhere() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let huge = "y".repeat(64 * 1024);
    for path in [
        "/admin/settings/tautulli",
        "/admin/test/tmdb",
        "/media/movie/603/skip",
        "/admin/users/1/role",
    ] {
        let page = app.post(path, &[("url", &huge)]).await;
        assert_eq!(
            page.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            page.body
        );
    }
    let mut conn = app.app.ctx.pool.get().unwrap();
    let saved = sagarr::db::settings::get(&mut conn, "tautulli.url").unwrap();
    assert_eq!(saved, None, "nothing saved");
    drop(conn);
    app.stop().await;
}
