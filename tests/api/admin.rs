//! The admin page: who may see it, Save and Test per section, secrets, users.

use awc::http::StatusCode;
use sagarr::fakes::Fault;

use crate::helpers::{
    OLLAMA_MODEL, OPENAI_KEY, OPENAI_MODEL, OVERSEERR_KEY, Options, TAUTULLI_KEY, TMDB_KEY,
    TautulliSetup, TestApp, friend, owner,
};

const HX: (&str, &str) = ("HX-Request", "true");

/// An app where the owner (admin) is signed in.
async fn admin_app(options: Options) -> TestApp {
    let app = TestApp::spawn_with(options).await;
    app.signed_in_as(&owner()).await;
    app
}

async fn post_hx(app: &TestApp, path: &str, form: &[(&str, &str)]) -> crate::helpers::Page {
    app.post_with(path, form, &[("Origin", &app.address.clone()), HX])
        .await
}

fn json(page: &crate::helpers::Page) -> serde_json::Value {
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", page.body))
}

#[actix_web::test]
async fn only_admins_reach_the_admin_routes() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/admin").await.location(), Some("/login"));
    assert_eq!(
        app.get_with("/api/admin/test/tmdb", &[("Accept", "application/json")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    assert_eq!(app.get("/admin").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/admin/test/tmdb").await.status,
        StatusCode::FORBIDDEN
    );
    let page = app
        .post("/admin/settings/tautulli", &[("url", "http://evil:8181")])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post("/admin/users/1/role", &[("role", "user")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.role_of(&owner()).as_deref(),
        Some("admin"),
        "nothing changed"
    );
    assert!(
        !app.get("/").await.body.contains(r#"href="/admin""#),
        "no Admin link for users"
    );
    app.stop().await;
}

#[actix_web::test]
async fn saved_settings_win_over_the_environment_survive_a_restart_and_show_their_source() {
    let app = admin_app(Options::default()).await;
    let page = app.get("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("from the environment"),
        "env values are labelled"
    );
    assert!(
        page.body.contains(r#"href="/admin""#),
        "admins get the Admin link"
    );

    let saved = app
        .post(
            "/admin/settings/overseerr",
            &[
                ("url", "http://overseerr.lan:5055/"),
                // A new address needs its key typed again (docs/reliability.md).
                ("api_key", crate::helpers::OVERSEERR_KEY),
            ],
        )
        .await;
    assert_eq!(
        saved.status,
        StatusCode::SEE_OTHER,
        "no-JS form: back to the page: {}",
        saved.body
    );
    assert_eq!(saved.location(), Some("/admin#section-overseerr"));
    let page = app.get("/admin").await;
    assert!(
        page.body.contains("Overseerr settings saved."),
        "the flash message shows once"
    );
    assert!(
        page.body.contains(r#"value="http://overseerr.lan:5055""#),
        "{}",
        page.body
    );
    assert!(
        !app.get("/admin").await.body.contains("settings saved."),
        "and only once"
    );

    let app = app.restart().await;
    let page = app.get("/admin").await;
    assert!(
        page.body.contains(r#"value="http://overseerr.lan:5055""#),
        "saved across restarts"
    );
    assert!(page.body.contains("saved here"));
    let values = {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::settings::Endpoint::load(
            &mut conn,
            &app.app.ctx.config.env_integrations,
            sagarr::settings::Section::Overseerr,
        )
        .unwrap()
    };
    assert_eq!(values.url, "http://overseerr.lan:5055");
    assert_eq!(
        values.api_key.expose(),
        OVERSEERR_KEY,
        "the key typed again is kept with its new address"
    );
    app.stop().await;
}

#[actix_web::test]
async fn no_secret_ever_reaches_the_page() {
    let app = admin_app(Options::default()).await;
    let saved = post_hx(
        &app,
        "/admin/settings/ai",
        &[
            ("provider", "openai"),
            ("base_url", &app.fakes.openai.openai_base()),
            ("api_key", OPENAI_KEY),
            ("model", OPENAI_MODEL),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK);
    let tested = post_hx(
        &app,
        "/admin/test/ai",
        &[
            ("provider", "openai"),
            ("base_url", &app.fakes.openai.openai_base()),
            ("api_key", ""),
            ("model", OPENAI_MODEL),
        ],
    )
    .await;
    let wrong = post_hx(
        &app,
        "/admin/test/tautulli",
        &[
            ("url", &app.fakes.tautulli.url),
            ("api_key", "typed-wrong-key"),
        ],
    )
    .await;
    let page = app.get("/admin").await;
    let api = app.get("/api/admin/test/ai").await;
    for body in [
        &saved.body,
        &tested.body,
        &wrong.body,
        &page.body,
        &api.body,
    ] {
        for secret in [
            OPENAI_KEY,
            TAUTULLI_KEY,
            OVERSEERR_KEY,
            TMDB_KEY,
            "typed-wrong-key",
            &owner().token,
        ] {
            assert!(!body.contains(secret), "a secret leaked into: {body}");
        }
    }
    assert!(
        page.body.contains("(empty keeps it)"),
        "a set key shows as set"
    );
    app.stop().await;
}

#[actix_web::test]
async fn bad_values_get_a_400_that_says_what_is_wrong_and_save_nothing() {
    let app = admin_app(Options::default()).await;
    let page = post_hx(
        &app,
        "/admin/settings/tautulli",
        &[("url", "tautulli:8181"), ("api_key", "new")],
    )
    .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(
        page.body
            .contains("URL must be a URL starting with http:// or https://"),
        "{}",
        page.body
    );
    let page = app
        .post("/admin/settings/ai", &[("provider", "skynet")])
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("openai, ollama, openai-compatible"));
    assert_eq!(
        app.post("/admin/settings/radarr", &[]).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/admin/test/nope").await.status,
        StatusCode::BAD_REQUEST
    );
    let mut conn = app.app.ctx.pool.get().unwrap();
    let t = sagarr::settings::Endpoint::load(
        &mut conn,
        &app.app.ctx.config.env_integrations,
        sagarr::settings::Section::Tautulli,
    )
    .unwrap();
    assert_eq!(t.api_key.expose(), TAUTULLI_KEY, "nothing was saved");
    drop(conn);
    app.stop().await;
}

#[actix_web::test]
async fn each_saved_section_tests_ok_through_the_json_api() {
    let app = admin_app(Options::default()).await;
    post_hx(
        &app,
        "/admin/settings/ai",
        &[
            ("provider", "ollama"),
            ("base_url", &app.fakes.ollama.url),
            ("model", OLLAMA_MODEL),
        ],
    )
    .await;
    for (section, expected) in [
        ("tautulli", "Connected to Tautulli v2.15.0"),
        ("overseerr", "Overseerr accepted the API key"),
        ("tmdb", "TMDb answered: The Matrix (1999)"),
        ("ai", "Ollama answered with llama3.1:8b"),
    ] {
        let page = app
            .get_with(
                &format!("/api/admin/test/{section}"),
                &[("Accept", "application/json")],
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let result = json(&page);
        assert_eq!(result["ok"], true, "{section}: {result}");
        assert!(
            result["message"].as_str().unwrap().starts_with(expected),
            "{section}: {result}"
        );
        assert!(result["latency_ms"].as_u64().is_some());
    }
    app.stop().await;
}

#[actix_web::test]
async fn test_checks_the_typed_values_without_saving_them() {
    let app = admin_app(Options::default()).await;
    let page = post_hx(
        &app,
        "/admin/test/tautulli",
        &[("url", &app.fakes.tautulli.url), ("api_key", "wrong")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Tautulli refused the API key"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"id="section-tautulli""#),
        "the section is swapped in place"
    );

    let down = sagarr::fakes::closed_port_url();
    let page = post_hx(
        &app,
        "/admin/test/overseerr",
        &[("url", &down), ("api_key", "typed-again")],
    )
    .await;
    assert!(
        page.body
            .contains("Overseerr could not be reached at http://127.0.0.1"),
        "{}",
        page.body
    );

    let page = post_hx(&app, "/admin/test/tmdb", &[("api_key", "nope")]).await;
    assert!(page.body.contains("TMDb refused the API key"));

    // Without JavaScript: the result comes back as a message on the page.
    let page = app.post("/admin/test/tmdb", &[("api_key", "")]).await;
    assert_eq!(page.location(), Some("/admin#section-tmdb"));
    assert!(
        app.get("/admin")
            .await
            .body
            .contains("TMDb answered: The Matrix (1999)")
    );

    let saved = json(&app.get("/api/admin/test/tautulli").await);
    assert_eq!(
        saved["ok"], true,
        "the typed wrong key was never saved: {saved}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_slow_or_broken_upstream_is_named_within_the_limit() {
    let app = admin_app(Options::default()).await;
    app.fakes
        .tautulli
        .set_fault(Fault::Slow(std::time::Duration::from_secs(5)));
    let result = json(&app.get("/api/admin/test/tautulli").await);
    assert_eq!(result["ok"], false);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2 s"),
        "{result}"
    );
    assert!(result["latency_ms"].as_u64().unwrap() < 15_000);

    app.fakes.tmdb.set_fault(Fault::ServerError);
    let result = json(&app.get("/api/admin/test/tmdb").await);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .starts_with("TMDb failed (HTTP 500)"),
        "{result}"
    );
    app.fakes.overseerr.set_fault(Fault::Malformed);
    let result = json(&app.get("/api/admin/test/overseerr").await);
    assert!(
        result["message"]
            .as_str()
            .unwrap()
            .contains("could not read"),
        "{result}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_ai_test_checks_the_model_list_and_the_key() {
    let app = admin_app(Options::default()).await;
    let base = app.fakes.openai.openai_base();
    let page = post_hx(
        &app,
        "/admin/test/ai",
        &[
            ("provider", "openai"),
            ("base_url", &base),
            ("api_key", OPENAI_KEY),
            ("model", "gpt-9"),
        ],
    )
    .await;
    assert!(
        page.body
            .contains("OpenAI has no model named gpt-9; it offers: gpt-4o-mini"),
        "{}",
        page.body
    );
    let page = post_hx(
        &app,
        "/admin/test/ai",
        &[
            ("provider", "openai"),
            ("base_url", &base),
            ("api_key", "sk-nope"),
            ("model", OPENAI_MODEL),
        ],
    )
    .await;
    assert!(
        page.body.contains("OpenAI refused the API key"),
        "{}",
        page.body
    );
    let page = post_hx(
        &app,
        "/admin/test/ai",
        &[
            ("provider", "ollama"),
            ("base_url", &app.fakes.ollama.url),
            ("model", OLLAMA_MODEL),
            ("fallback_provider", "openai"),
            ("fallback_base_url", &base),
            ("fallback_api_key", OPENAI_KEY),
            ("fallback_model", OPENAI_MODEL),
        ],
    )
    .await;
    assert!(
        page.body.contains("Ollama answered") && page.body.contains("Fallback: OpenAI answered"),
        "{}",
        page.body
    );
    let page = post_hx(&app, "/admin/test/ai", &[("provider", "")]).await;
    assert!(page.body.contains("No AI provider is set"), "{}", page.body);
    app.stop().await;
}

#[actix_web::test]
async fn saved_values_take_effect_without_a_restart() {
    let app = admin_app(Options {
        tautulli: TautulliSetup::Unset,
        ..Options::default()
    })
    .await;
    let owner_cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    assert_eq!(
        app.sign_in_as(&friend()).await.status,
        StatusCode::FORBIDDEN,
        "no Tautulli yet"
    );

    app.set_session_cookie(&owner_cookie);
    let url = app.fakes.tautulli.url.clone();
    post_hx(
        &app,
        "/admin/settings/tautulli",
        &[("url", &url), ("api_key", TAUTULLI_KEY)],
    )
    .await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.stop().await;
}

#[actix_web::test]
async fn admins_change_roles_but_never_leave_no_admin() {
    let app = admin_app(Options::default()).await;
    let owner_cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.set_session_cookie(&owner_cookie);
    let (owner_id, friend_id) = (
        app.user(&owner()).unwrap().id,
        app.user(&friend()).unwrap().id,
    );

    let page = post_hx(
        &app,
        &format!("/admin/users/{owner_id}/role"),
        &[("role", "user")],
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(page.body.contains("at least one admin"));
    assert_eq!(
        app.post(&format!("/admin/users/{owner_id}/remove"), &[])
            .await
            .status,
        StatusCode::CONFLICT
    );

    let page = post_hx(
        &app,
        &format!("/admin/users/{friend_id}/role"),
        &[("role", "admin")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="users""#));
    assert_eq!(app.role_of(&friend()).as_deref(), Some("admin"));
    let page = app
        .post(
            &format!("/admin/users/{owner_id}/role"),
            &[("role", "user")],
        )
        .await;
    assert_eq!(page.location(), Some("/admin#users"), "no-JS form");
    assert_eq!(app.role_of(&owner()).as_deref(), Some("user"));
    assert_eq!(
        app.get("/admin").await.status,
        StatusCode::FORBIDDEN,
        "a demoted admin loses the page at once"
    );

    assert_eq!(
        app.post(
            &format!("/admin/users/{friend_id}/role"),
            &[("role", "god")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[actix_web::test]
async fn removing_a_user_ends_his_sessions() {
    let app = admin_app(Options::default()).await;
    let owner_cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    let friend_cookie = app.session_cookie().unwrap();
    let friend_id = app.user(&friend()).unwrap().id;

    app.set_session_cookie(&owner_cookie);
    assert_eq!(
        post_hx(&app, "/admin/users/abc/role", &[("role", "user")])
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        post_hx(&app, "/admin/users/9999/remove", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        post_hx(
            &app,
            &format!("/admin/users/{friend_id}/role"),
            &[("role", "god")]
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let page = post_hx(&app, &format!("/admin/users/{friend_id}/remove"), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Friend"), "{}", page.body);

    app.set_session_cookie(&friend_cookie);
    assert_eq!(
        app.get("/").await.location(),
        Some("/login"),
        "his old session is gone"
    );
    app.forget_cookies();
    app.signed_in_as(&friend()).await; // still shared in Tautulli: he may come back
    app.stop().await;
}
