//! Mapping users to Tautulli and Overseerr at sign-in, in the background.

use crate::helpers::{Options, TautulliSetup, TestApp, friend, owner, stranger};

#[actix_web::test]
async fn a_sign_in_maps_the_user_to_tautulli_and_overseerr() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.eventually("the friend's mapping", |app| {
        app.user(&friend())
            .is_some_and(|u| u.overseerr_user_id.is_some())
    })
    .await;
    let user = app.user(&friend()).unwrap();
    assert_eq!(user.tautulli_user_id, Some(friend().id));
    assert_eq!(
        user.overseerr_user_id,
        Some(2),
        "the fake's second user, found by plexId"
    );
    assert_eq!(user.mapping_error, None);

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(admin.body.contains("Friend"));
    app.stop().await;
}

#[actix_web::test]
async fn a_user_missing_from_overseerr_is_flagged_for_the_admin() {
    let app = TestApp::spawn_with(Options {
        tautulli: TautulliSetup::Fake,
        ..Options::default()
    })
    .await;
    app.fakes.tautulli.add_user(stranger().id, "Stranger", true);
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    app.signed_in_as(&stranger()).await;
    app.eventually("the mapping error", |app| {
        app.user(&stranger())
            .is_some_and(|u| u.mapping_error.is_some())
    })
    .await;
    let user = app.user(&stranger()).unwrap();
    assert_eq!(user.tautulli_user_id, Some(stranger().id));
    assert!(
        user.mapping_error
            .unwrap()
            .contains("Overseerr has no user with this Plex account")
    );
    assert_eq!(
        app.get("/").await.status,
        awc::http::StatusCode::OK,
        "the user himself is not bothered"
    );

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    assert!(
        app.get("/admin")
            .await
            .body
            .contains("Overseerr has no user with this Plex account")
    );
    app.stop().await;
}

#[actix_web::test]
async fn tautulli_users_are_found_by_email_when_the_account_id_differs() {
    let app = TestApp::spawn().await;
    // No Tautulli row carries the owner's account id; one has another id and his email.
    app.fakes.tautulli.remove_user(owner().id);
    app.fakes.tautulli.add_user(555, "Owner", true);
    app.signed_in_as(&owner()).await;
    app.eventually("the owner's mapping", |app| {
        app.user(&owner())
            .is_some_and(|u| u.tautulli_user_id.is_some())
    })
    .await;
    assert_eq!(app.user(&owner()).unwrap().tautulli_user_id, Some(555));
    app.stop().await;
}
