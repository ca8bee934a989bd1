//! The Plex Discover client: finding a title's ratingKey and adding it to a watchlist.

use std::time::Duration;

use sagarr::fakes::plex::{FakeAccount, FakePlex};
use sagarr::integrations::UpstreamErrorKind;
use sagarr::integrations::discover::Discover;
use sagarr::media::Kind;

const TIMEOUT: Duration = Duration::from_secs(2);

#[actix_web::test]
async fn the_rating_key_is_confirmed_by_tmdb_id_and_the_watchlist_add_carries_the_users_token() {
    let fake = FakePlex::start().unwrap();
    let friend = FakeAccount::new(22, "Friend");
    fake.add_account(friend.clone());
    let http = awc::Client::default();
    let discover = Discover {
        http: &http,
        base: &fake.url,
        client_id: "client",
        token: &friend.token,
        timeout: TIMEOUT,
    };

    // Two films are called Dune: only the one whose Guid list has tmdb://438631 will do.
    let key = discover
        .find_rating_key(Kind::Movie, 438631, "Dune", Some(2021))
        .await
        .unwrap();
    assert_eq!(key.as_deref(), Some("5d776b8b9ab544002151ae3d"));
    let old = discover
        .find_rating_key(Kind::Movie, 841, "Dune", Some(2021))
        .await
        .unwrap();
    assert_eq!(
        old.as_deref(),
        Some("5d776825151a60001f24a2f1"),
        "the year only orders candidates"
    );
    assert_eq!(
        discover
            .find_rating_key(Kind::Tv, 438631, "Dune", None)
            .await
            .unwrap(),
        None
    );

    discover
        .add_to_watchlist("5d776b8b9ab544002151ae3d")
        .await
        .unwrap();
    assert_eq!(
        fake.watchlist_adds(),
        vec![(friend.token.clone(), "5d776b8b9ab544002151ae3d".to_owned())]
    );

    let stranger = Discover {
        http: &http,
        base: &fake.url,
        client_id: "client",
        token: "bogus",
        timeout: TIMEOUT,
    };
    let err = stranger
        .add_to_watchlist("5d776b8b9ab544002151ae3d")
        .await
        .unwrap_err();
    assert_eq!(err.kind, UpstreamErrorKind::KeyRefused);
    assert!(!err.to_string().contains("bogus"));
}

#[actix_web::test]
async fn plex_faults_are_named_for_sign_in_and_discover() {
    use sagarr::fakes::Fault;
    use sagarr::integrations::plex::PlexTv;
    let fake = FakePlex::start().unwrap();
    let friend = FakeAccount::new(22, "Friend");
    fake.add_account(friend.clone());
    let http = awc::Client::builder().timeout(TIMEOUT).finish();
    let plex = PlexTv {
        http: &http,
        base: &fake.url,
        client_id: "client",
        timeout: TIMEOUT,
    };
    let discover = Discover {
        http: &http,
        base: &fake.url,
        client_id: "client",
        token: &friend.token,
        timeout: TIMEOUT,
    };

    assert_eq!(
        plex.account("bogus").await.unwrap_err().to_string(),
        "plex.tv refused the sign-in token"
    );
    fake.set_fault(Fault::ServerError);
    assert_eq!(
        plex.create_pin().await.unwrap_err().to_string(),
        "plex.tv failed (HTTP 500): Internal Server Error"
    );
    assert!(
        discover
            .add_to_watchlist("x")
            .await
            .unwrap_err()
            .to_string()
            .starts_with("Plex Discover failed (HTTP 500)")
    );
    fake.set_fault(Fault::Malformed);
    assert!(matches!(
        plex.create_pin().await.unwrap_err().kind,
        UpstreamErrorKind::Unexpected(_)
    ));
    assert!(matches!(
        discover
            .find_rating_key(Kind::Movie, 603, "The Matrix", None)
            .await
            .unwrap_err()
            .kind,
        UpstreamErrorKind::Unexpected(_)
    ));
    fake.set_fault(Fault::RateLimited);
    assert!(matches!(
        plex.pin(1).await.unwrap_err().kind,
        UpstreamErrorKind::RateLimited { .. }
    ));
    fake.set_fault(Fault::Slow(Duration::from_secs(4)));
    let err = discover.add_to_watchlist("x").await.unwrap_err();
    assert!(
        err.to_string().contains("did not answer within 2 s"),
        "{err}"
    );
    assert!(!err.to_string().contains(&friend.token));
}
