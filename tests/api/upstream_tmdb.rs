//! The TMDb client against the fake TMDb: both key forms, lookups, caching, errors.

use std::time::{Duration, Instant};

use sagarr::fakes::Fault;
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::integrations::UpstreamErrorKind;
use sagarr::integrations::tmdb::{ExternalSource, Tmdb};
use sagarr::media::Kind;

use crate::helpers::TMDB_KEY;

const TIMEOUT: Duration = Duration::from_secs(2);

#[actix_web::test]
async fn details_work_with_a_v3_key_and_a_v4_token() {
    let fake = FakeTmdb::start(TMDB_KEY).unwrap();
    let http = awc::Client::default();
    for key in [fake.api_key.as_str(), fake.read_token.as_str()] {
        let tmdb = Tmdb {
            http: &http,
            base: &fake.url,
            key,
            timeout: TIMEOUT,
            language: "",
        };
        let matrix = tmdb.details(Kind::Movie, 603).await.unwrap();
        assert_eq!(
            (matrix.title.as_str(), matrix.year()),
            ("The Matrix", Some(1999))
        );
        assert_eq!(
            matrix.external_ids.unwrap().imdb_id.as_deref(),
            Some("tt0133093")
        );
        let got = tmdb.details(Kind::Tv, 1399).await.unwrap();
        assert_eq!(
            got.title, "Game of Thrones",
            "a show's name reads as its title"
        );
        assert_eq!(got.seasons.first().map(|s| s.season_number), Some(0));
        assert_eq!(got.external_ids.unwrap().tvdb_id, Some(121361));
    }
}

#[actix_web::test]
async fn search_recommendations_and_find() {
    let fake = FakeTmdb::start(TMDB_KEY).unwrap();
    let http = awc::Client::default();
    let tmdb = Tmdb {
        http: &http,
        base: &fake.url,
        key: TMDB_KEY,
        timeout: TIMEOUT,
        language: "",
    };

    let both = tmdb.search(Kind::Movie, "Dune", None).await.unwrap();
    assert_eq!(both.len(), 2, "the 1984 and 2021 films");
    let new = tmdb.search(Kind::Movie, "Dune", Some(2021)).await.unwrap();
    assert_eq!(new.iter().map(|r| r.id).collect::<Vec<_>>(), vec![438631]);
    assert!(
        tmdb.search(Kind::Tv, "Dune", None)
            .await
            .unwrap()
            .is_empty()
    );

    let recs = tmdb.recommendations(Kind::Movie, 329865).await.unwrap();
    assert!(recs.iter().any(|r| r.title == "Annihilation"));
    assert!(!tmdb.similar(Kind::Tv, 1399).await.unwrap().is_empty());

    let found = tmdb.find(ExternalSource::Tvdb, "121361").await.unwrap();
    assert_eq!(found.tv_results.first().map(|r| r.id), Some(1399));
    assert!(
        tmdb.find(ExternalSource::Imdb, "tt0133093")
            .await
            .unwrap()
            .movie_results
            .iter()
            .any(|r| r.id == 603)
    );
}

#[actix_web::test]
async fn details_are_fetched_once_per_ttl() {
    let fake = FakeTmdb::start(TMDB_KEY).unwrap();
    let http = awc::Client::default();
    let tmdb = Tmdb {
        http: &http,
        base: &fake.url,
        key: TMDB_KEY,
        timeout: TIMEOUT,
        language: "",
    };
    let dir = tempfile::tempdir().unwrap();
    let pool = sagarr::db::open(&dir.path().join("t.db")).unwrap();

    let first = sagarr::catalog::details(&pool, &tmdb, Kind::Movie, 603)
        .await
        .unwrap();
    let second = sagarr::catalog::details(&pool, &tmdb, Kind::Movie, 603)
        .await
        .unwrap();
    assert_eq!(first, second);
    assert_eq!(
        fake.calls(),
        vec!["/movie/603"],
        "one TMDb call for two lookups"
    );
    sagarr::catalog::details(&pool, &tmdb, Kind::Tv, 603)
        .await
        .unwrap_err();
    assert_eq!(fake.calls().len(), 2, "tv 603 is not movie 603");
}

#[actix_web::test]
async fn tmdb_errors_name_the_service_and_reason() {
    let fake = FakeTmdb::start(TMDB_KEY).unwrap();
    let http = awc::Client::default();
    let tmdb = Tmdb {
        http: &http,
        base: &fake.url,
        key: TMDB_KEY,
        timeout: TIMEOUT,
        language: "",
    };

    let wrong = Tmdb {
        http: &http,
        base: &fake.url,
        key: "wrong",
        timeout: TIMEOUT,
        language: "",
    };
    assert_eq!(
        wrong
            .details(Kind::Movie, 603)
            .await
            .unwrap_err()
            .to_string(),
        "TMDb refused the API key"
    );
    assert_eq!(
        tmdb.details(Kind::Movie, 999_999).await.unwrap_err().kind,
        UpstreamErrorKind::NotFound
    );

    fake.set_fault(Fault::ServerError);
    let err = tmdb.details(Kind::Movie, 603).await.unwrap_err();
    assert!(
        err.to_string().contains("HTTP 500") && err.to_string().contains("Internal error"),
        "{err}"
    );

    fake.set_fault(Fault::Malformed);
    assert!(matches!(
        tmdb.details(Kind::Movie, 603).await.unwrap_err().kind,
        UpstreamErrorKind::Unexpected(_)
    ));

    fake.set_fault(Fault::RateLimited);
    let served = fake.calls().len();
    let started = Instant::now();
    let err = tmdb.details(Kind::Movie, 603).await.unwrap_err();
    assert_eq!(
        err.kind,
        UpstreamErrorKind::RateLimited {
            retry_after: Some(2)
        }
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited Retry-After before the one retry"
    );
    assert_eq!(
        fake.calls().len(),
        served,
        "both attempts met the 429 before any handler"
    );

    fake.set_fault(Fault::Slow(Duration::from_secs(4)));
    assert!(
        tmdb.details(Kind::Movie, 603)
            .await
            .unwrap_err()
            .to_string()
            .contains("did not answer within 2 s")
    );
}
