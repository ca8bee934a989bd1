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
