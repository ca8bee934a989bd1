//! `sagarr demo`: the real binary, no accounts, no network, every action working.

use std::time::Duration;

use awc::http::StatusCode;

use crate::helpers::TestApp;
use crate::process::{RunningBinary, free_port, session_cookie_of, start_binary};
use crate::webdriver::Browser;

async fn start_demo() -> RunningBinary {
    start_binary("demo", free_port(), vec![("SAGARR_LOG", "warn".into())]).await
}

#[actix_web::test]
async fn the_demo_needs_no_account_and_every_action_works() {
    let demo = start_demo().await;
    let http = awc::Client::builder().disable_redirects().finish();
    let mut login = http
        .get(format!("{}/login", demo.base))
        .send()
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&login.body().await.unwrap()).into_owned();
    assert!(
        body.contains("Sign in as Alice")
            && body.contains("Sign in as Bob")
            && body.contains("Sign in as Carol")
    );

    let signed_in = http
        .post(format!("{}/demo/sign-in", demo.base))
        .send_form(&[("user", "7002")])
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie_of(&signed_in).expect("a session");
    let get = |path: &str| {
        let (http, cookie, url) = (http.clone(), cookie.clone(), format!("{}{path}", demo.base));
        async move {
            let mut res = http
                .get(url)
                .insert_header(("Cookie", cookie))
                .insert_header(("Accept", "application/json"))
                .send()
                .await
                .unwrap();
            String::from_utf8_lossy(&res.body().limit(1 << 22).await.unwrap()).into_owned()
        }
    };
    for _ in 0..200 {
        if get("/refresh/status").await.contains("\"idle\"") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let dashboard = get("/").await;
    let cards = dashboard.matches("class=\"card\"").count();
    assert!(
        cards >= 8,
        "the first refresh ran by itself and filled the dashboard: {cards} cards"
    );
    assert!(dashboard.contains("Because you watched"), "explained");
    assert!(
        !dashboard.contains("<img src=\"http"),
        "offline: title placeholders, no poster URLs"
    );

    let actions: Vec<String> = dashboard
        .split("action=\"/media/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .collect();
    let request = actions
        .iter()
        .find(|a| a.ends_with("/request"))
        .expect("a title to request")
        .clone();
    // Another card than the one requested: one record per title.
    let skip = actions
        .iter()
        .rev()
        .find(|a| a.ends_with("/skip"))
        .expect("a title to skip")
        .clone();
    assert_ne!(
        request.rsplit_once('/').map(|p| p.0),
        skip.rsplit_once('/').map(|p| p.0)
    );
    for (path, expected) in [(request, "Requested"), (skip, "Skipped")] {
        let mut res = http
            .post(format!("{}/media/{path}", demo.base))
            .insert_header(("Cookie", cookie.clone()))
            .insert_header(("HX-Request", "true"))
            .insert_header(("Origin", demo.base.clone()))
            .send_form(&[("back", "/")])
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&res.body().await.unwrap()).into_owned();
        assert_eq!(res.status(), StatusCode::OK, "{path}: {body}");
        assert!(body.contains(expected), "{path}: {body}");
    }
    let history = get("/history").await;
    assert!(history.contains(">Requested<"), "{history}");
}

#[actix_web::test]
async fn serve_has_no_demo_sign_in() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.post("/demo/sign-in", &[("user", "7001")]).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!app.get("/login").await.body.contains("demo"));
    app.stop().await;
}

/// The README's screenshot: the demo dashboard in a real browser, dark theme.
#[actix_web::test]
async fn the_demo_dashboard_in_a_browser() {
    if crate::webdriver::unavailable("the_demo_dashboard_in_a_browser") {
        return;
    }
    let demo = start_demo().await;
    let browser = Browser::start_with(true, 1280, 860, true).await;
    browser.goto(&format!("{}/login", demo.base)).await;
    browser.click("button[name='user'][value='7001']").await;
    browser
        .wait_for_text("#tab-body", "Picked from what you watched")
        .await;
    browser.screenshot("demo-dashboard").await;
    browser.quit().await;
}
