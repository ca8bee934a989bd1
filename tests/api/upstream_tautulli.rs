//! The Tautulli client against the fake Tautulli: history paging, metadata, caching, errors.

use std::time::Duration;

use sagarr::catalog::LibraryTitle;
use sagarr::domain::TitleId;
use sagarr::fakes::Fault;
use sagarr::fakes::tautulli::{FakeTautulli, LibraryItem};
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::integrations::UpstreamErrorKind;
use sagarr::integrations::tautulli::Tautulli;
use sagarr::integrations::tmdb::Tmdb;
use sagarr::media::Kind;

use crate::helpers::{TAUTULLI_KEY, TMDB_KEY};

const TIMEOUT: Duration = Duration::from_secs(2);

fn client<'a>(http: &'a awc::Client, fake: &'a FakeTautulli, key: &'a str) -> Tautulli<'a> {
    Tautulli {
        http,
        base: &fake.url,
        api_key: key,
        timeout: TIMEOUT,
    }
}

#[actix_web::test]
async fn history_is_paged_newest_first_without_in_progress_rows() {
    let fake = FakeTautulli::start(TAUTULLI_KEY).unwrap();
    let http = awc::Client::default();
    fake.add_item(
        "100",
        LibraryItem::Movie {
            title: "The Matrix".into(),
            year: 1999,
            tmdb_id: 603,
        },
    );
    for episode in 0..30 {
        let key = (2000 + episode).to_string();
        fake.add_item(
            &key,
            LibraryItem::Episode {
                show: "Game of Thrones".into(),
                show_rating_key: "1219".into(),
                show_tmdb_id: 1399,
                season: 1,
                episode: episode + 1,
            },
        );
        fake.add_play(7, &key, 100, 1_700_000_000 + episode);
    }
    fake.add_play(7, "100", 93, 1_600_000_000);
    fake.add_play(8, "100", 100, 1_600_000_000); // someone else's
    fake.add_activity(7, "100");

    let tautulli = client(&http, &fake, TAUTULLI_KEY);
    let first = tautulli.history_page(7, 0, 25).await.unwrap();
    assert_eq!(
        first.records_filtered,
        Some(31),
        "in-progress rows are excluded"
    );
    assert_eq!(first.data.len(), 25);
    assert_eq!(first.data[0].title, "Episode 30", "newest first");
    assert_eq!(
        first.data[0].title_key(),
        Some("1219"),
        "an episode counts for its show"
    );
    assert_eq!(first.data[0].year, None, "episode rows carry \"\" for year");
    assert!(first.data[0].is_watched());

    let second = tautulli.history_page(7, 25, 25).await.unwrap();
    assert_eq!(second.data.len(), 6);
    let movie = second.data.last().unwrap();
    assert_eq!(
        (movie.media_type.as_str(), movie.title_key(), movie.year),
        ("movie", Some("100"), Some(1999))
    );
}

#[actix_web::test]
async fn rating_keys_map_to_tmdb_ids_once_and_are_cached() {
    let fake = FakeTautulli::start(TAUTULLI_KEY).unwrap();
    let tmdb_fake = FakeTmdb::start(TMDB_KEY).unwrap();
    let http = awc::Client::default();
    let dir = tempfile::tempdir().unwrap();
    let pool = sagarr::db::open(&dir.path().join("t.db")).unwrap();
    fake.add_item(
        "1",
        LibraryItem::Movie {
            title: "Frozen II".into(),
            year: 2019,
            tmdb_id: 330457,
        },
    );
    fake.add_item(
        "2",
        LibraryItem::LegacyMovie {
            title: "Inception".into(),
            year: 2010,
            tmdb_id: 27205,
        },
    );
    fake.add_item(
        "3",
        LibraryItem::Episode {
            show: "Game of Thrones".into(),
            show_rating_key: "1219".into(),
            show_tmdb_id: 1399,
            season: 6,
            episode: 1,
        },
    );
    let tautulli = client(&http, &fake, TAUTULLI_KEY);
    let tmdb = Tmdb {
        http: &http,
        base: &tmdb_fake.url,
        key: TMDB_KEY,
        timeout: TIMEOUT,
        language: "",
    };

    let awake = std::sync::atomic::AtomicBool::new(false);
    let lookup =
        |key: &'static str| sagarr::catalog::library_title(&pool, &tautulli, &tmdb, key, &awake);
    assert_eq!(
        lookup("1").await.unwrap(),
        LibraryTitle::Found(TitleId(Kind::Movie, 330457))
    );
    assert_eq!(
        lookup("2").await.unwrap(),
        LibraryTitle::Found(TitleId(Kind::Movie, 27205)),
        "legacy agent guid"
    );
    assert_eq!(
        lookup("3").await.unwrap(),
        LibraryTitle::Found(TitleId(Kind::Tv, 1399)),
        "an episode maps to its show, not tmdb://1156503"
    );
    assert_eq!(
        lookup("404").await.unwrap(),
        LibraryTitle::EmptyAnswer,
        "a deleted item answers data: {{}}, and so does every item while Plex is unreachable"
    );

    let asked = fake.calls().len();
    for key in ["1", "2", "3"] {
        lookup(key).await.unwrap();
    }
    assert_eq!(
        fake.calls().len(),
        asked,
        "the second lookups come from the database"
    );
    lookup("404").await.unwrap();
    assert_eq!(
        fake.calls().len(),
        asked + 1,
        "an empty answer is not cached until Plex is known to be reachable"
    );
    sagarr::catalog::remember_gone(&pool, vec!["404".to_owned()])
        .await
        .unwrap();
    assert_eq!(lookup("404").await.unwrap(), LibraryTitle::NoIds);
    assert_eq!(fake.calls().len(), asked + 1, "a known-gone key is cached");
}

#[actix_web::test]
async fn a_season_maps_to_its_show_through_the_parent_fields() {
    let fake = FakeTautulli::start(TAUTULLI_KEY).unwrap();
    let http = awc::Client::default();
    fake.add_item(
        "1220",
        LibraryItem::Season {
            show: "Game of Thrones".into(),
            show_year: 2011,
            show_rating_key: "1219".into(),
            show_tmdb_id: 1399,
            season: 6,
        },
    );
    let ids = client(&http, &fake, TAUTULLI_KEY)
        .external_ids("1220")
        .await
        .unwrap()
        .expect("the season is in the library");
    assert_eq!(
        (ids.kind, ids.tmdb, ids.title.as_str(), ids.year),
        (Some(Kind::Tv), Some(1399), "Game of Thrones", Some(2011)),
        "the show's ids are in parent_guids; grandparent_* are empty for a season"
    );
}

#[actix_web::test]
async fn tautulli_says_whether_it_reaches_plex_and_refreshes_its_users() {
    let fake = FakeTautulli::start(TAUTULLI_KEY).unwrap();
    let http = awc::Client::default();
    let tautulli = client(&http, &fake, TAUTULLI_KEY);
    assert!(tautulli.plex_connected().await.unwrap());
    fake.set_plex_connected(false);
    assert!(!tautulli.plex_connected().await.unwrap());

    fake.share_on_plex(555, "Newcomer");
    let listed = |users: &[sagarr::integrations::tautulli::User]| {
        users
            .iter()
            .any(|u| u.user_id == Some(555) && u.is_active_account())
    };
    assert!(
        !listed(&tautulli.users().await.unwrap()),
        "not before Tautulli's user refresh"
    );
    tautulli.refresh_users_list().await.unwrap();
    assert!(listed(&tautulli.users().await.unwrap()));
}

#[actix_web::test]
async fn tautulli_errors_name_the_service_and_reason() {
    let fake = FakeTautulli::start(TAUTULLI_KEY).unwrap();
    let http = awc::Client::default();

    let err = client(&http, &fake, "wrong-key").users().await.unwrap_err();
    assert_eq!(
        err.kind,
        UpstreamErrorKind::KeyRefused,
        "HTTP 400 with result=error and 'Invalid apikey'"
    );
    assert_eq!(err.to_string(), "Tautulli refused the API key");

    let down = sagarr::fakes::closed_port_url();
    let err = Tautulli {
        http: &http,
        base: &down,
        api_key: TAUTULLI_KEY,
        timeout: TIMEOUT,
    }
    .users()
    .await
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Tautulli could not be reached at http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.to_string().contains("connection refused"), "{err}");

    let tautulli = client(&http, &fake, TAUTULLI_KEY);
    fake.set_fault(Fault::Slow(Duration::from_secs(4)));
    let err = tautulli.users().await.unwrap_err();
    assert!(
        err.to_string().contains("did not answer within 2 s"),
        "{err}"
    );

    fake.set_fault(Fault::ServerError);
    let err = tautulli.users().await.unwrap_err();
    assert_eq!(
        err.kind,
        UpstreamErrorKind::Failed {
            status: 500,
            message: "Check the logs for errors".into()
        }
    );

    fake.set_fault(Fault::Malformed);
    let err = tautulli.users().await.unwrap_err();
    assert!(
        matches!(err.kind, UpstreamErrorKind::Unexpected(_)),
        "{err}"
    );

    fake.set_fault(Fault::RateLimited);
    let err = tautulli.users().await.unwrap_err();
    assert_eq!(
        err.kind,
        UpstreamErrorKind::RateLimited {
            retry_after: Some(2)
        }
    );

    fake.set_fault(Fault::None);
    assert!(tautulli.info().await.unwrap().tautulli_version.is_some());
    let err = Tautulli {
        http: &http,
        base: "",
        api_key: "",
        timeout: TIMEOUT,
    }
    .users()
    .await
    .unwrap_err();
    assert_eq!(err.to_string(), "Tautulli is not set up yet");
    assert!(!format!("{err:?}").contains(TAUTULLI_KEY));
}
