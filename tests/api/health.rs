//! `GET /api/health` and `sagarr healthcheck`.

use awc::http::StatusCode;

use crate::helpers::TestApp;

#[actix_web::test]
async fn health_answers_ok_with_version_and_database() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/health").await;
    assert_eq!(page.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    app.stop().await;
}

#[actix_web::test]
async fn health_answers_503_when_the_database_is_unusable() {
    let app = TestApp::spawn().await;
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.app.ctx.pool.get().expect("connection");
        conn.batch_execute("PRAGMA foreign_keys = OFF; ALTER TABLE users RENAME TO users_gone;")
            .expect("sabotage");
    }
    let page = app.get("/api/health").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_str(&page.body).expect("JSON");
    assert_eq!(json["database"], "error");
    app.stop().await;
}

#[actix_web::test]
async fn the_healthcheck_command_exits_0_for_a_healthy_server_and_1_otherwise() {
    let app = TestApp::spawn().await;
    let run = |bind: String| async move {
        actix_web::web::block(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"))
                .arg("healthcheck")
                .env("SAGARR_BIND", bind)
                .output()
                .expect("binary runs")
                .status
                .code()
        })
        .await
        .expect("blocking task")
    };
    assert_eq!(run(format!("0.0.0.0:{}", app.port)).await, Some(0));
    app.stop().await;
    assert_eq!(run(format!("127.0.0.1:{}", app.port)).await, Some(1));
}

/// Issue 22: every answer names its request (`X-Request-Id`), and a failure on our side shows
/// that id, so the one who saw it can quote it to the admin and the admin can find its log.
#[actix_web::test]
async fn a_failure_on_our_side_names_its_request_for_the_admin() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&crate::helpers::owner()).await;
    let fine = app.get("/history").await;
    assert_eq!(fine.status, StatusCode::OK);
    let first = fine.header("x-request-id").expect("an id").to_owned();
    assert_eq!(first.len(), 12, "{first}");
    assert_ne!(
        app.get("/history").await.header("x-request-id"),
        Some(first.as_str())
    );
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.app.ctx.pool.get().expect("connection");
        conn.batch_execute("ALTER TABLE preferences RENAME TO preferences_gone;")
            .expect("sabotage");
    }
    for headers in [vec![], vec![("HX-Request", "true")]] {
        let page = app.get_with("/history", &headers).await;
        assert_eq!(
            page.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{}",
            page.body
        );
        let id = page.header("x-request-id").expect("an id").to_owned();
        assert!(
            page.body
                .contains(&format!("Quote this to the admin: {id}.")),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("no such table"),
            "the cause stays in the log"
        );
    }
    app.stop().await;
}
