//! Everyone in the household (docs/recommendations.md "Rating limits"): what a kid may act on,
//! and the owner's own restrictions on plex.tv as the starting point of each limit.

use awc::http::StatusCode;

use crate::helpers::{TestApp, friend, friend_with_rows, limit_friend, owner};

#[actix_web::test]
async fn every_action_on_a_title_above_the_limit_is_refused_as_an_unknown_id_is() {
    let app = friend_with_rows().await;
    limit_friend(&app, "PG").await;
    let requests = app.fakes.overseerr.requests().len();
    let adds = app.fakes.plex.watchlist_adds().len();
    let records = app.get("/history").await.body;
    // The Godfather and Fight Club are R: posted by hand, as the attack run did.
    for (path, form) in [
        ("/media/movie/238/request", vec![("back", "/")]),
        ("/media/movie/550/watchlist", vec![("back", "/")]),
        (
            "/media/movie/238/rate",
            vec![("rating", "1"), ("back", "/")],
        ),
        ("/media/movie/550/skip", vec![("back", "/")]),
    ] {
        let page = app.htmx_post(path, &form).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
    }
    assert_eq!(
        app.fakes.overseerr.requests().len(),
        requests,
        "nothing reached Overseerr"
    );
    assert_eq!(
        app.fakes.plex.watchlist_adds().len(),
        adds,
        "nothing reached Plex"
    );
    assert_eq!(app.get("/history").await.body, records, "nothing recorded");

    // Above the limit, and unknown to TMDb, look the same.
    let above = app.get("/media/movie/603").await;
    let unknown = app.get("/media/movie/999999999").await;
    assert_eq!(above.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);

    // Within the limit, actions go on as before.
    let page = app
        .htmx_post("/media/movie/330457/watchlist", &[("back", "/")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    app.stop().await;
}

#[actix_web::test]
async fn the_owners_restriction_on_plex_seeds_a_friends_limit_and_a_limit_set_here_wins() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    // The owner restricted the friend's share on plex.tv to G and PG films.
    app.fakes
        .tautulli
        .set_share_filter(friend().id, "contentRating=G%2CPG", "");
    app.signed_in_as(&friend()).await;
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit.as_deref(),
        Some("PG")
    );
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(admin.body.contains("from Plex"), "{}", admin.body);

    // The owner loosens it on Plex: picked up by the nightly run.
    app.fakes
        .tautulli
        .set_share_filter(friend().id, "contentRating=G%2CPG%2CPG-13", "");
    let (code, said) = app.command(&["refresh", "--nightly"]).await;
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit.as_deref(),
        Some("PG-13")
    );

    // A limit set here wins over Plex's, at the next sign-in and night alike.
    let friend_id = app.user(&friend()).unwrap().id;
    app.post(
        &format!("/admin/users/{friend_id}/rating-limit"),
        &[("limit", "R")],
    )
    .await;
    let admin = app.get("/admin").await;
    assert!(admin.body.contains("set here"), "{}", admin.body);
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.command(&["refresh", "--nightly"]).await;
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit.as_deref(),
        Some("R")
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_pg_users_rows_are_made_within_pg_and_filled_from_tmdb_within_it() {
    let app = friend_with_rows().await;
    limit_friend(&app, "PG").await;
    // The AI names R and PG-13 titles, as it did for Carol: they are dropped at verification,
    // and the short tabs are filled within PG.
    app.fakes.openai.push_reply(crate::helpers::GOOD_ANSWER);
    let status = app.refresh_and_wait().await;
    assert_eq!(status["state"], "idle", "{status}");
    let mut shown = 0;
    for tab in ["movies", "tv", "documentaries"] {
        let page = app.get(&format!("/?tab={tab}")).await;
        assert_eq!(page.status, StatusCode::OK);
        for row in app.rows(&friend(), tab) {
            for card in row.cards {
                assert!(
                    sagarr::ratings::allows(Some("PG"), card.certification.as_deref()),
                    "{} ({:?}) is above PG",
                    card.title,
                    card.certification
                );
                shown += 1;
            }
        }
    }
    let movies = app.rows(&friend(), "movies");
    assert!(
        movies.iter().map(|r| r.cards.len()).sum::<usize>() >= 12,
        "a PG user's Movies tab is as full as anyone's: {movies:?}"
    );
    assert!(shown >= 5, "{shown}");
    let discovers = app.fakes.tmdb.discovers();
    assert!(
        discovers.iter().any(|d| d.starts_with("/discover/movie?")
            && d.contains("certification.lte=PG&certification_country=US")),
        "{discovers:?}"
    );
    assert!(
        discovers
            .iter()
            .any(|d| d.starts_with("/discover/tv?") && d.contains("certification.lte=TV-PG")),
        "{discovers:?}"
    );
    let dropped: serde_json::Value = serde_json::from_str(&app.runs()[0].dropped_json).unwrap();
    assert!(
        dropped["above_limit"].as_u64().unwrap_or(0) >= 3,
        "the AI's picks above PG are dropped at verification: {dropped}"
    );
    app.stop().await;
}
