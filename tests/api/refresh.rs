//! The refresh queue, its triggers, its status, the admin's view of runs, and the CLI.

use std::time::Duration;

use awc::http::StatusCode;
use sagarr::fakes::Fault;

use crate::helpers::{AiSetup, GOOD_ANSWER, Options, TestApp, friend, owner, watch_history};

async fn app_with_history() -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app
}

#[actix_web::test]
async fn refresh_routes_need_a_session() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get_with("/refresh/status", &[("Accept", "application/json")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.post("/refresh", &[]).await.location(), Some("/login"));
    let htmx = app
        .post_with("/refresh", &[], &[("HX-Request", "true")])
        .await;
    assert_eq!(htmx.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post_with("/refresh", &[], &[("Origin", "http://evil.example")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_first_sign_in_refreshes_once_and_later_sign_ins_do_not() {
    let app = app_with_history().await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    assert_eq!(app.runs().len(), 2, "one first refresh each");
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.runs().len(),
        2,
        "nothing runs because someone signed in again"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_second_request_while_one_is_queued_or_running_is_a_no_op() {
    let app = app_with_history().await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    let runs = app.runs().len();
    app.fakes
        .tautulli
        .set_fault(Fault::Slow(Duration::from_millis(800)));
    let first = app.htmx_post("/refresh", &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(
        first.body.contains(r#"id="refresh-status""#)
            && first.body.contains("hx-get=\"/refresh/status?was=active\""),
        "{}",
        first.body
    );
    for _ in 0..3 {
        app.post("/refresh", &[]).await;
    }
    let status = app.wait_for_refresh().await;
    assert_eq!(app.runs().len(), runs + 1, "four clicks, one run: {status}");
    app.stop().await;
}

#[actix_web::test]
async fn the_status_answers_json_with_progress_fields() {
    let app = app_with_history().await;
    app.signed_in_as(&owner()).await;
    let status = app.wait_for_refresh().await;
    for field in ["state", "step", "done", "total", "message", "finished_at"] {
        assert!(status.get(field).is_some(), "{field} missing from {status}");
    }
    let fragment = app
        .get_with("/refresh/status", &[("HX-Request", "true")])
        .await;
    assert!(
        fragment.body.starts_with("<div id=\"refresh-status\""),
        "{}",
        fragment.body
    );
    assert!(
        !fragment.body.contains("hx-get"),
        "an idle status stops polling"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_restart_marks_an_interrupted_refresh_failed_and_keeps_the_rows() {
    let app = app_with_history().await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    let rows = app.rows(&friend(), "movies");
    let id = app.user(&friend()).unwrap().id;
    {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::db::recommendations::set_running(&mut conn, id, sagarr::db::now()).unwrap();
    }
    let app = app.restart().await;
    let status = app.refresh_status().await;
    assert_eq!(status["state"], "failed");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("interrupted by a restart")
    );
    assert_eq!(app.rows(&friend(), "movies"), rows);
    app.stop().await;
}

#[actix_web::test]
async fn a_dashboard_view_makes_no_upstream_call() {
    let app = app_with_history().await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await; // the sign-in's background mapping
    let calls = |app: &TestApp| {
        (
            app.fakes.tautulli.calls().len(),
            app.fakes.tmdb.calls().len(),
            app.fakes.openai.requests().len(),
            app.fakes.plex.user_calls(),
        )
    };
    let before = calls(&app);
    for tab in ["movies", "tv", "documentaries"] {
        assert_eq!(
            app.get(&format!("/?tab={tab}")).await.status,
            StatusCode::OK
        );
    }
    assert_eq!(calls(&app), before);
    app.stop().await;
}

#[actix_web::test]
async fn the_admin_sees_each_run_with_its_ai_usage_and_can_refresh_everyone() {
    let app = app_with_history().await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&friend()).await; // the first account: he becomes admin and has the history
    app.wait_for_refresh().await;
    let page = app.get("/admin").await;
    assert!(page.body.contains("Recent refreshes"));
    assert!(
        page.body.contains("openai gpt-4o-mini") && page.body.contains("52 + 31"),
        "{}",
        page.body
    );
    assert!(page.body.contains("7 / 7") && page.body.contains("Found 12 titles for you."));
    assert!(
        page.body
            .contains("1 runs (0 failed), 52 prompt + 31 completion tokens")
    );

    let queued = app.htmx_post("/admin/refresh", &[]).await;
    assert!(
        queued.body.contains("Queued 1 user for a refresh."),
        "{}",
        queued.body
    );
    app.wait_for_refresh().await;
    assert_eq!(app.runs()[0].trigger, "admin");
    let no_js = app.post("/admin/refresh", &[]).await;
    assert_eq!(no_js.location(), Some("/admin#runs"));
    app.stop().await;
}

#[actix_web::test]
async fn the_refresh_command_refreshes_a_user_and_prints_progress() {
    let app = app_with_history().await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (code, stdout) = app.command(&["refresh", "--user", "Friend"]).await;
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("Friend: refreshing") && stdout.contains("Friend:   Checking titles"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Friend: Found 12 titles for you."),
        "{stdout}"
    );
    assert_eq!(app.runs()[0].trigger, "cli");

    let (code, _) = app.command(&["refresh", "--user", "Nobody"]).await;
    assert_eq!(code, Some(2));
    app.fakes.tautulli.set_fault(Fault::ServerError);
    let (code, printed) = app.command(&["refresh", "--all"]).await;
    assert_eq!(code, Some(1), "a failed refresh is a failed command");
    assert!(printed.contains("Tautulli failed (HTTP 500)"));
    app.stop().await;
}
