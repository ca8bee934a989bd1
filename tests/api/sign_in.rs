//! Plex sign-in and who may get in (docs/configuration.md "Who may sign in").

use awc::http::StatusCode;

use crate::helpers::{Options, TautulliSetup, TestApp, friend, owner, stranger};

#[actix_web::test]
async fn starting_sign_in_creates_a_strong_pin_and_redirects_to_plex_with_the_contract_url() {
    let app = TestApp::spawn().await;
    let page = app.start_sign_in().await;

    let pins = app.fakes.plex.pins();
    assert_eq!(pins.len(), 1);
    let pin = &pins[0];
    assert!(pin.strong, "the PIN must be created with strong=true");
    assert_eq!(pin.product, "Sagarr");
    assert_eq!(pin.client_id, app.app.ctx.plex_client_id);
    let expected = format!(
        "{}/auth#?clientID={}&code={}&forwardUrl=http%3A%2F%2F127.0.0.1%3A{}%2Fauth%2Fplex%2Fcallback\
         &context%5Bdevice%5D%5Bproduct%5D=Sagarr",
        app.fakes.plex.url, pin.client_id, pin.code, app.port
    );
    assert_eq!(page.location(), Some(expected.as_str()));
    app.stop().await;
}

#[actix_web::test]
async fn forward_url_uses_the_public_url_when_set() {
    let options = Options {
        extra_env: vec![("SAGARR_PUBLIC_URL", "https://sagarr.example.com".into())],
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;
    let page = app.start_sign_in().await;
    let location = page.location().unwrap_or_default();
    assert!(
        location.contains("forwardUrl=https%3A%2F%2Fsagarr.example.com%2Fauth%2Fplex%2Fcallback"),
        "{location}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_first_account_to_sign_in_becomes_admin() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    assert_eq!(app.role_of(&owner()).as_deref(), Some("admin"));

    let dashboard = app.get("/").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard
            .body
            .contains(r#"<span class="name">Owner</span>"#),
        "{}",
        dashboard.body
    );
    assert!(
        !dashboard.body.contains(&owner().token),
        "the Plex token must never reach HTML"
    );
    app.stop().await;
}

#[actix_web::test]
async fn with_sagarr_admin_set_another_account_cannot_claim_admin_first() {
    let options = Options {
        extra_env: vec![("SAGARR_ADMIN", "owner@example.com".into())],
        ..Options::default()
    };
    let app = TestApp::spawn_with(options).await;

    let refused = app.sign_in_as(&friend()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("waiting for its owner"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.role_of(&friend()),
        None,
        "a refused account is not stored"
    );
    assert_eq!(
        app.get("/").await.location(),
        Some("/login"),
        "and gets no session"
    );

    app.signed_in_as(&owner()).await;
    assert_eq!(app.role_of(&owner()).as_deref(), Some("admin"));
    app.stop().await;
}

#[actix_web::test]
async fn a_user_the_server_is_shared_with_gets_in_as_a_plain_user() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();

    app.signed_in_as(&friend()).await;
    assert_eq!(app.role_of(&friend()).as_deref(), Some("user"));
    let dashboard = app.get("/").await;
    assert!(
        dashboard
            .body
            .contains(r#"<span class="name">Friend</span>"#)
    );
    assert!(app.fakes.tautulli.calls().contains(&"get_users".to_owned()));
    app.stop().await;
}

#[actix_web::test]
async fn strangers_removed_users_and_the_local_user_are_refused_without_a_session() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();

    // A stranger: not in Tautulli at all.
    let page = app.sign_in_as(&stranger()).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("one this server is shared with"),
        "{}",
        page.body
    );
    assert_eq!(app.get("/").await.location(), Some("/login"));

    // A friend whose share was removed after he had signed in once.
    app.signed_in_as(&friend()).await;
    app.forget_cookies();
    app.fakes.tautulli.set_active(friend().id, false);
    assert_eq!(
        app.sign_in_as(&friend()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/").await.location(), Some("/login"));

    // Tautulli's built-in Local user (id 0) never counts, even though it is "active".
    let local = sagarr::fakes::plex::FakeAccount::new(0, "Local");
    app.fakes.plex.add_account(local.clone());
    assert_eq!(app.sign_in_as(&local).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/").await.location(), Some("/login"));
    app.stop().await;
}

#[actix_web::test]
async fn with_tautulli_down_users_are_refused_with_the_reason_but_the_admin_gets_in() {
    let app = TestApp::spawn_with(Options {
        tautulli: TautulliSetup::Down,
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();

    let refused = app.sign_in_as(&friend()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Tautulli could not be reached"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("127.0.0.1"),
        "addresses are for the admin, not the visitor"
    );
    assert_eq!(app.get("/").await.location(), Some("/login"));

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    app.stop().await;
}

#[actix_web::test]
async fn with_tautulli_not_set_up_users_are_told_so() {
    let app = TestApp::spawn_with(Options {
        tautulli: TautulliSetup::Unset,
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    let refused = app.sign_in_as(&friend()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Tautulli is not set up yet"),
        "{}",
        refused.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_callback_shows_a_self_refreshing_waiting_page_until_plex_confirms() {
    let app = TestApp::spawn().await;
    app.start_sign_in().await;

    let waiting = app.get("/auth/plex/callback").await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(waiting.body.contains("Waiting for Plex"));
    assert!(
        waiting.body.contains(r#"<meta http-equiv="refresh""#),
        "retries without JavaScript"
    );
    assert_eq!(waiting.header("refresh"), Some("2"));
    assert_eq!(
        app.fakes.plex.user_calls(),
        0,
        "no account lookup before the PIN has a token"
    );

    app.fakes.plex.authorize_latest_pin(&owner());
    let done = app.get("/auth/plex/callback").await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.location(), Some("/"));
    app.stop().await;
}

#[actix_web::test]
async fn an_expired_pin_gets_a_clear_message_and_a_way_to_start_again() {
    let app = TestApp::spawn().await;
    app.start_sign_in().await;
    app.fakes.plex.expire_pins();

    let page = app.get("/auth/plex/callback").await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.body.contains("expired"), "{}", page.body);
    assert!(page.body.contains(r#"href="/auth/plex""#));
    // The PIN is forgotten: coming back again does not poll plex.tv for it.
    assert_eq!(
        app.get("/auth/plex/callback").await.status,
        StatusCode::BAD_REQUEST
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_callback_without_a_started_sign_in_is_a_clear_400() {
    let app = TestApp::spawn().await;
    let page = app.get("/auth/plex/callback").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("Start again"));
    app.stop().await;
}

#[actix_web::test]
async fn plex_tv_unreachable_is_named_as_such() {
    let app = TestApp::spawn().await;
    app.fakes.plex.stop().await;
    let page = app.get("/auth/plex").await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(
        page.body.contains("plex.tv could not be reached"),
        "{}",
        page.body
    );
    app.handle_stop().await;
}
