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
        let mut conn = app.app.pool.get().expect("connection");
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
