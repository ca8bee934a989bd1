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

/// "Everything is made up and thrown away on exit": stopped as Ctrl-C or `docker stop` stops
/// it, the demo exits cleanly and leaves no database behind.
#[actix_web::test]
async fn a_stopped_demo_exits_cleanly_and_leaves_no_data_behind() {
    let mut demo = start_demo().await;
    let left = |demo: &RunningBinary| {
        std::fs::read_dir(demo.temp.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    };
    let data = left(&demo);
    assert!(
        data.iter().any(|name| name.starts_with("sagarr-demo-")),
        "the demo keeps its data in the temp dir while it runs: {data:?}"
    );
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &demo.child.id().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let mut exit = None;
    for _ in 0..300 {
        exit = demo.child.try_wait().unwrap();
        if exit.is_some() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        exit.and_then(|e| e.code()),
        Some(0),
        "a clean exit on SIGTERM"
    );
    assert_eq!(left(&demo), Vec::<String>::new(), "nothing left behind");
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

/// Signs in to the demo as `plex_id` and waits for his first refresh; answers a GET helper.
async fn demo_user(demo: &RunningBinary, plex_id: &str) -> (awc::Client, String) {
    let http = awc::Client::builder().disable_redirects().finish();
    let signed_in = http
        .post(format!("{}/demo/sign-in", demo.base))
        .send_form(&[("user", plex_id)])
        .await
        .unwrap();
    let cookie = session_cookie_of(&signed_in).expect("a session");
    for _ in 0..200 {
        if demo_get(demo, &http, &cookie, "/refresh/status")
            .await
            .1
            .contains("\"idle\"")
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    (http, cookie)
}

async fn demo_get(
    demo: &RunningBinary,
    http: &awc::Client,
    cookie: &str,
    path: &str,
) -> (StatusCode, String) {
    let mut res = http
        .get(format!("{}{path}", demo.base))
        .insert_header(("Cookie", cookie.to_owned()))
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .unwrap();
    let body = res.body().limit(1 << 22).await.unwrap();
    (res.status(), String::from_utf8_lossy(&body).into_owned())
}

#[actix_web::test]
async fn the_demo_shows_on_your_plex_now_the_details_and_a_kids_limit() {
    let demo = start_demo().await;
    let (http, alice) = demo_user(&demo, "7001").await;
    let (_, movies) = demo_get(&demo, &http, &alice, "/?tab=movies").await;
    assert!(movies.contains("On your Plex now"), "{movies}");
    assert!(movies.contains("Play on Plex"));
    let (status, details) = demo_get(&demo, &http, &alice, "/media/movie/27205").await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert!(details.contains("Actor 1 of Inception") && details.contains(">PG-13<"));

    // Carol is a kid's account: nothing above PG anywhere, nor any unrated title.
    let (http, carol) = demo_user(&demo, "7003").await;
    let mut seen = 0;
    for tab in ["movies", "tv", "documentaries"] {
        let (_, page) = demo_get(&demo, &http, &carol, &format!("/?tab={tab}")).await;
        for id in page
            .split("id=\"card-")
            .skip(1)
            .filter_map(|s| s.split('"').next())
        {
            let (kind, tmdb_id) = id.split_once('-').unwrap();
            let title = sagarr::fakes::catalog::find(
                sagarr::media::Kind::parse(kind).unwrap(),
                tmdb_id.parse().unwrap(),
            )
            .unwrap();
            let certification = sagarr::fakes::catalog::certification(title);
            assert!(
                sagarr::ratings::allows(Some("PG"), Some(certification)),
                "Carol was shown {} ({certification})",
                title.title
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "she still has something to watch");
    let (status, _) = demo_get(&demo, &http, &carol, "/media/movie/680").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Pulp Fiction is not for her");
}

#[actix_web::test]
async fn the_demos_kid_has_every_tab_full_within_pg_with_reasons_from_her_history() {
    let demo = start_demo().await;
    let (http, carol) = demo_user(&demo, "7003").await;
    let cards = |page: &str| page.matches("id=\"card-").count();
    let (_, movies) = demo_get(&demo, &http, &carol, "/?tab=movies").await;
    assert!(cards(&movies) >= 12, "{} movie cards", cards(&movies));
    let (_, tv) = demo_get(&demo, &http, &carol, "/?tab=tv").await;
    assert!(cards(&tv) >= 3, "{} TV cards", cards(&tv));
    let (_, documentaries) = demo_get(&demo, &http, &carol, "/?tab=documentaries").await;
    assert!(cards(&documentaries) >= 1, "{documentaries}");
    // The reasons name what she watched.
    assert!(
        ["Spirited Away", "Frozen II", "Friends", "Arcane"]
            .iter()
            .any(
                |watched| movies.contains(&format!("because you watched {watched}"))
                    || movies.contains(&format!("Because you watched {watched}"))
            ),
        "{movies}"
    );
}

/// Carol's tabs in a real browser, light and dark, on a phone: every tab full within PG.
#[actix_web::test]
async fn the_demos_kid_in_a_browser_light_and_dark() {
    if crate::webdriver::unavailable("the_demos_kid_in_a_browser_light_and_dark") {
        return;
    }
    let demo = start_demo().await;
    for dark in [false, true] {
        let browser = Browser::start_with(true, 1280, 900, dark).await;
        browser.goto(&format!("{}/login", demo.base)).await;
        browser.click("button[name='user'][value='7003']").await;
        browser.find("#tab-body .card").await;
        for tab in ["movies", "tv", "documentaries"] {
            browser.goto(&format!("{}/?tab={tab}", demo.base)).await;
            browser.find("#tab-body .card").await;
            browser
                .screenshot(&format!(
                    "demo-carol-{tab}-{}",
                    if dark { "dark" } else { "light" }
                ))
                .await;
        }
        browser.quit().await;
    }
}

/// Issue 20 in the demo: Alice and Bob said yes to Watch together, Carol did not; Alice's admin
/// page draws a month of AI use against the demo's budget.
#[actix_web::test]
async fn the_demos_alice_and_bob_watch_together_and_carol_cannot_be_picked() {
    let demo = start_demo().await;
    // Bob's first refresh is over too: his picks are half of the group's.
    demo_user(&demo, "7002").await;
    let (http, alice) = demo_user(&demo, "7001").await;
    let (_, picker) = demo_get(&demo, &http, &alice, "/together").await;
    assert!(picker.contains("value=\"Bob\""), "{picker}");
    assert!(!picker.contains("value=\"Carol\""), "{picker}");
    let (status, group) = demo_get(&demo, &http, &alice, "/together?with=Bob").await;
    assert_eq!(status, StatusCode::OK, "{group}");
    assert!(
        group.contains("Alice liked") && group.contains("Bob liked"),
        "{group}"
    );
    let (status, _) = demo_get(&demo, &http, &alice, "/together?with=Carol").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let asked = http
        .post(format!("{}/together/ask", demo.base))
        .insert_header(("Cookie", alice.clone()))
        .send_form(&[("with", "Bob")])
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let mut group = String::new();
    for _ in 0..200 {
        group = demo_get(&demo, &http, &alice, "/together?with=Bob").await.1;
        if group.contains("The AI's picks for the group come first") {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        group.contains("The AI's picks for the group come first"),
        "{group}"
    );

    let (_, admin) = demo_get(&demo, &http, &alice, "/admin").await;
    assert!(admin.contains("AI use this month"), "{admin}");
    assert!(admin.contains("of 600,000 tokens used in"), "{admin}");
    use chrono::Datelike;
    let days = admin
        .split_once("<caption>Tokens per day</caption>")
        .map_or(0, |(_, t)| {
            t.split("</table>")
                .next()
                .unwrap_or("")
                .matches("<tr><th scope=\"row\">")
                .count()
        });
    assert_eq!(
        days as u32,
        chrono::Local::now().day(),
        "a row for each day so far"
    );
    assert!(
        admin.contains("Refreshing everyone now (3 users)"),
        "{admin}"
    );
    assert!(admin.contains("At your prices"), "{admin}");
}
