//! The Overseerr client against the fake Overseerr: availability, users, requests as the user.

use std::time::Duration;

use sagarr::fakes::Fault;
use sagarr::fakes::overseerr::{FakeOverseerr, RecordedRequest};
use sagarr::integrations::UpstreamErrorKind;
use sagarr::integrations::overseerr::{Availability, Overseerr, RequestOutcome};
use sagarr::media::Kind;

use crate::helpers::OVERSEERR_KEY;

const TIMEOUT: Duration = Duration::from_secs(2);

fn client<'a>(http: &'a awc::Client, fake: &'a FakeOverseerr) -> Overseerr<'a> {
    Overseerr {
        http,
        base: &fake.url,
        api_key: OVERSEERR_KEY,
        timeout: TIMEOUT,
    }
}

#[actix_web::test]
async fn availability_maps_to_the_contract_statuses() {
    let fake = FakeOverseerr::start(OVERSEERR_KEY, 1).unwrap();
    let http = awc::Client::default();
    let overseerr = client(&http, &fake);
    assert_eq!(
        overseerr.availability(Kind::Movie, 603).await.unwrap(),
        Availability::Missing,
        "no mediaInfo"
    );
    fake.set_status(Kind::Movie, 603, 5, &[]);
    fake.set_status(Kind::Tv, 1399, 4, &[(1, 5), (2, 1)]);
    fake.set_status(Kind::Movie, 27205, 3, &[]);
    assert_eq!(
        overseerr.availability(Kind::Movie, 603).await.unwrap(),
        Availability::Available
    );
    assert_eq!(
        overseerr.availability(Kind::Tv, 1399).await.unwrap(),
        Availability::Partial
    );
    assert_eq!(
        overseerr.availability(Kind::Movie, 27205).await.unwrap(),
        Availability::Processing
    );
    assert_eq!(
        overseerr
            .availability(Kind::Tv, 603)
            .await
            .unwrap_err()
            .kind,
        UpstreamErrorKind::Failed {
            status: 500,
            message: "Unable to retrieve series.".into()
        },
        "Overseerr's 500 for an unknown id"
    );
}

#[actix_web::test]
async fn users_are_read_across_pages_with_their_plex_ids() {
    let fake = FakeOverseerr::start(OVERSEERR_KEY, 1).unwrap();
    for n in 0..60 {
        fake.add_user(1000 + n, &format!("user{n}"));
    }
    let http = awc::Client::default();
    let users = client(&http, &fake).users().await.unwrap();
    assert_eq!(users.len(), 61, "two pages of 50");
    assert!(users.iter().any(|u| u.plex_id == Some(1059)));
}

#[actix_web::test]
async fn requests_go_as_the_user_and_each_answer_has_its_outcome() {
    let fake = FakeOverseerr::start(OVERSEERR_KEY, 1).unwrap();
    let friend = fake.add_user(22, "friend");
    let http = awc::Client::default();
    let overseerr = client(&http, &fake);

    assert_eq!(
        overseerr
            .request_media(Kind::Movie, 603, friend, &[])
            .await
            .unwrap(),
        RequestOutcome::Requested
    );
    assert_eq!(
        overseerr
            .request_media(Kind::Movie, 603, friend, &[])
            .await
            .unwrap(),
        RequestOutcome::AlreadyRequested,
        "409"
    );
    assert_eq!(
        overseerr
            .request_media(Kind::Tv, 1399, friend, &[1, 2, 3])
            .await
            .unwrap(),
        RequestOutcome::Requested
    );
    assert_eq!(
        overseerr
            .request_media(Kind::Tv, 1399, friend, &[1, 2, 3])
            .await
            .unwrap(),
        RequestOutcome::AlreadyRequested,
        "202 No seasons available to request"
    );
    assert_eq!(
        fake.requests(),
        vec![
            RecordedRequest {
                user_id: friend,
                kind: Kind::Movie,
                tmdb_id: 603,
                seasons: vec![]
            },
            RecordedRequest {
                user_id: friend,
                kind: Kind::Tv,
                tmdb_id: 1399,
                seasons: vec![1, 2, 3]
            },
        ],
        "made as the friend (X-Api-User), never as the admin"
    );

    fake.set_quota_exceeded(friend, true);
    let err = overseerr
        .request_media(Kind::Movie, 27205, friend, &[])
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Overseerr refused: Movie Quota exceeded.");
    fake.set_quota_exceeded(friend, false);
    fake.set_permissions(friend, 0);
    let err = overseerr
        .request_media(Kind::Tv, 87108, friend, &[1])
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Overseerr refused: You do not have permission to make series requests."
    );
    assert_eq!(fake.requests().len(), 2, "refusals record nothing");
}

#[actix_web::test]
async fn overseerr_errors_name_the_service_and_reason() {
    let fake = FakeOverseerr::start(OVERSEERR_KEY, 1).unwrap();
    let http = awc::Client::default();
    let wrong = Overseerr {
        http: &http,
        base: &fake.url,
        api_key: "wrong",
        timeout: TIMEOUT,
    };
    assert_eq!(
        wrong.check_key().await.unwrap_err().to_string(),
        "Overseerr refused the API key"
    );
    let overseerr = client(&http, &fake);
    overseerr.check_key().await.unwrap();

    fake.set_fault(Fault::ServerError);
    assert_eq!(
        overseerr
            .availability(Kind::Movie, 603)
            .await
            .unwrap_err()
            .to_string(),
        "Overseerr failed (HTTP 500): Something went wrong."
    );
    fake.set_fault(Fault::Malformed);
    assert!(matches!(
        overseerr.check_key().await.unwrap_err().kind,
        UpstreamErrorKind::Unexpected(_)
    ));
    fake.set_fault(Fault::RateLimited);
    assert!(matches!(
        overseerr.users().await.unwrap_err().kind,
        UpstreamErrorKind::RateLimited { .. }
    ));
    fake.set_fault(Fault::Slow(Duration::from_secs(4)));
    assert!(
        overseerr
            .check_key()
            .await
            .unwrap_err()
            .to_string()
            .contains("did not answer within 2 s")
    );
}
