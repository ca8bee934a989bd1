//! The card actions and the history page over HTTP: HTMX fragments and plain forms.

use awc::http::StatusCode;
use sagarr::fakes::Fault;
use sagarr::fakes::overseerr::RecordedRequest;
use sagarr::media::Kind;

use crate::helpers::{Options, TestApp, friend, friend_with_rows, owner};

fn record(app: &TestApp, kind: Kind, id: i64) -> Option<(i32, String)> {
    let user = app.user(&friend())?;
    let mut conn = app.app.ctx.pool.get().unwrap();
    sagarr::db::preferences::find(&mut conn, user.id, kind, id)
        .unwrap()
        .map(|p| (p.verdict.rating(), p.verdict.action().to_owned()))
}

#[actix_web::test]
async fn the_dashboard_shows_rows_cards_reasons_badges_and_the_right_actions() {
    let app = friend_with_rows().await;
    let movies = app.get("/").await;
    assert!(movies.body.contains("Slow-burn sci-fi") && movies.body.contains("You loved Arrival"));
    assert!(movies.body.contains(r#"id="card-movie-300668""#));
    assert!(movies.body.contains("Because you watched Arrival"));
    assert!(
        movies
            .body
            .contains(r#"action="/media/movie/300668/request""#),
        "missing: Request"
    );
    assert!(
        movies
            .body
            .contains(r#"<span class="poster-title" aria-hidden="true">Annihilation</span>"#),
        "a placeholder under every poster"
    );
    assert!(movies.body.contains("Last refreshed "));
    let tv = app.get("/?tab=tv").await;
    let dark = tv
        .body
        .split(r#"id="card-tv-70523""#)
        .nth(1)
        .unwrap()
        .split("</article>")
        .next()
        .unwrap();
    assert!(
        dark.contains("On Plex") && dark.contains("/watchlist") && !dark.contains("/request"),
        "{dark}"
    );
    let fragment = app
        .get_with("/?tab=documentaries", &[("HX-Request", "true")])
        .await;
    assert!(
        fragment.body.starts_with("<nav class=\"tabs\""),
        "HTMX gets the tab body only: {}",
        &fragment.body[..80]
    );
    assert!(fragment.body.contains("Free Solo") && !fragment.body.contains("<html"));
    app.stop().await;
}

#[actix_web::test]
async fn seen_it_records_the_rating_takes_the_card_out_and_shows_in_history() {
    let app = friend_with_rows().await;
    let page = app
        .htmx_post(
            "/media/movie/300668/rate",
            &[("rating", "-1"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"id="card-movie-300668""#)
            && page
                .body
                .contains("Noted: you didn&#39;t like Annihilation."),
        "{}",
        page.body
    );
    assert_eq!(record(&app, Kind::Movie, 300668), Some((-1, "seen".into())));
    assert!(
        !app.get("/")
            .await
            .body
            .contains(r#"id="card-movie-300668""#),
        "the card is gone for good"
    );
    let history = app.get("/history").await;
    assert!(
        history.body.contains("Annihilation") && history.body.contains(">Disliked<"),
        "{}",
        history.body
    );

    let plain = app
        .post(
            "/media/movie/264660/rate",
            &[("rating", "1"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(
        (plain.status, plain.location()),
        (StatusCode::SEE_OTHER, Some("/?tab=movies"))
    );
    assert_eq!(record(&app, Kind::Movie, 264660), Some((1, "seen".into())));
    let elsewhere = app
        .post(
            "/media/movie/157336/rate",
            &[("rating", "1"), ("back", "//evil.example/x")],
        )
        .await;
    assert_eq!(
        elsewhere.location(),
        Some("/"),
        "never redirects off the site"
    );
    app.stop().await;
}

#[actix_web::test]
async fn skip_is_recorded_apart_from_a_dislike_and_the_card_leaves() {
    let app = friend_with_rows().await;
    let page = app
        .htmx_post("/media/tv/87108/skip", &[("back", "/?tab=tv")])
        .await;
    assert!(page.body.contains("Skipped Chernobyl."), "{}", page.body);
    assert_eq!(record(&app, Kind::Tv, 87108), Some((-1, "skip".into())));
    assert!(!app.get("/?tab=tv").await.body.contains("card-tv-87108"));
    assert!(app.get("/history").await.body.contains(">Skipped<"));
    app.stop().await;
}

#[actix_web::test]
async fn bad_input_is_a_400_that_says_why_and_records_nothing() {
    let app = friend_with_rows().await;
    for (path, form, expected) in [
        (
            "/media/movie/300668/rate",
            vec![("rating", "5")],
            "rating must be 1 (liked) or -1 (disliked)",
        ),
        ("/media/movie/300668/rate", vec![], "rating must be 1"),
        (
            "/media/book/300668/rate",
            vec![("rating", "1")],
            "is not a kind: use movie or tv",
        ),
        ("/media/movie/abc/skip", vec![], "is not a TMDb id"),
        ("/media/movie/-4/request", vec![], "is not a TMDb id"),
        ("/media/movie/0/watchlist", vec![], "is not a TMDb id"),
    ] {
        let page = app.post(path, &form).await;
        assert_eq!(
            page.status,
            StatusCode::BAD_REQUEST,
            "{path} {form:?}: {}",
            page.body
        );
        assert!(page.body.contains(expected), "{path}: {}", page.body);
    }
    assert_eq!(
        app.get("/history?page=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/media/tv/x/status").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(record(&app, Kind::Movie, 300668), None);
    let huge = "x".repeat(40_000);
    let too_big = app
        .post("/media/movie/300668/rate", &[("rating", &huge)])
        .await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        too_big.body.contains("too large (the limit is 16 KB)"),
        "{}",
        too_big.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn actions_need_a_session_and_refuse_other_sites() {
    let app = friend_with_rows().await;
    let cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    assert_eq!(
        app.post("/media/movie/300668/skip", &[]).await.location(),
        Some("/login")
    );
    assert_eq!(
        app.htmx_post("/media/movie/300668/skip", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_with(
            "/media/movie/300668/status",
            &[("Accept", "application/json")]
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/history").await.location(), Some("/login"));
    app.set_session_cookie(&cookie);
    let page = app
        .post_with(
            "/media/movie/300668/skip",
            &[],
            &[("Origin", "http://evil.example")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(record(&app, Kind::Movie, 300668), None);
    app.stop().await;
}

#[actix_web::test]
async fn request_goes_to_overseerr_as_this_user_with_its_outcome() {
    let app = friend_with_rows().await;
    let friend_id = app.user(&friend()).unwrap().overseerr_user_id.unwrap();
    let page = app
        .htmx_post("/media/movie/300668/request", &[("back", "/")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Requested. You&#39;ll find it on Plex"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"class="badge requested""#),
        "the badge replaces the button"
    );
    assert!(
        !page.body.contains("/request\""),
        "no second Request button"
    );
    assert_eq!(
        record(&app, Kind::Movie, 300668),
        Some((2, "request".into()))
    );

    let page = app.htmx_post("/media/tv/87108/request", &[]).await;
    assert!(page.status.is_success());
    assert_eq!(
        app.fakes.overseerr.requests(),
        vec![
            RecordedRequest {
                user_id: friend_id,
                kind: Kind::Movie,
                tmdb_id: 300668,
                seasons: vec![]
            },
            RecordedRequest {
                user_id: friend_id,
                kind: Kind::Tv,
                tmdb_id: 87108,
                seasons: vec![1]
            },
        ],
        "as the friend (X-Api-User), TV seasons 1-3 that exist (Chernobyl has one)"
    );

    let again = app.htmx_post("/media/movie/300668/request", &[]).await;
    assert!(
        again.body.contains("Already requested"),
        "409 is told as such: {}",
        again.body
    );
    let status = app
        .get_with(
            "/media/movie/300668/status",
            &[("Accept", "application/json")],
        )
        .await;
    assert_eq!(status.body, r#"{"status":"requested"}"#);
    app.stop().await;
}

#[actix_web::test]
async fn a_refused_request_names_overseerr_and_the_reason_and_records_nothing() {
    let app = friend_with_rows().await;
    let friend_id = app.user(&friend()).unwrap().overseerr_user_id.unwrap();
    app.fakes.overseerr.set_quota_exceeded(friend_id, true);
    let page = app.htmx_post("/media/movie/300668/request", &[]).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(
        page.body
            .contains("Overseerr refused: Movie Quota exceeded.")
            && page.body.contains(r#"id="card-movie-300668""#),
        "{}",
        page.body
    );
    let plain = app.post("/media/movie/300668/request", &[]).await;
    assert_eq!(plain.status, StatusCode::BAD_GATEWAY);
    assert!(
        plain
            .body
            .contains("Overseerr refused: Movie Quota exceeded.")
    );
    assert_eq!(record(&app, Kind::Movie, 300668), None);
    app.fakes.overseerr.set_fault(Fault::ServerError);
    let page = app.htmx_post("/media/movie/264660/request", &[]).await;
    assert!(
        page.body.contains("Overseerr failed (HTTP 500)"),
        "{}",
        page.body
    );
    assert_eq!(record(&app, Kind::Movie, 264660), None);
    app.stop().await;
}

#[actix_web::test]
async fn watchlist_uses_the_users_own_plex_token() {
    let app = friend_with_rows().await;
    let page = app.htmx_post("/media/tv/70523/watchlist", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("On your Plex watchlist."));
    assert_eq!(
        app.fakes.plex.watchlist_adds(),
        vec![(friend().token, "5d9c090c23d5a3001f4f5e3b".to_owned())]
    );
    assert_eq!(record(&app, Kind::Tv, 70523), Some((2, "watchlist".into())));
    assert!(!page.body.contains(&friend().token));

    app.fakes.plex.set_fault(Fault::ServerError);
    let page = app.htmx_post("/media/movie/300668/watchlist", &[]).await;
    assert_eq!(page.status, StatusCode::BAD_GATEWAY);
    assert!(
        page.body.contains("Plex Discover failed (HTTP 500)"),
        "{}",
        page.body
    );
    assert_eq!(record(&app, Kind::Movie, 300668), None);
    app.stop().await;
}

#[actix_web::test]
async fn undo_deletes_the_record_and_the_title_comes_back() {
    let app = friend_with_rows().await;
    app.htmx_post("/media/movie/300668/skip", &[]).await;
    assert!(!app.get("/").await.body.contains("card-movie-300668"));
    let deleted = app
        .send(
            awc::Client::default()
                .delete(app.url("/media/movie/300668/rate"))
                .insert_header(("HX-Request", "true"))
                .insert_header(("Origin", app.address.clone())),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body, "", "the history row is swapped for nothing");
    assert_eq!(record(&app, Kind::Movie, 300668), None);
    assert!(
        app.get("/").await.body.contains("card-movie-300668"),
        "the title may be recommended again"
    );

    app.htmx_post("/media/movie/300668/skip", &[]).await;
    let plain = app
        .post(
            "/media/movie/300668/rate/delete",
            &[("back", "/history?page=1")],
        )
        .await;
    assert_eq!(plain.location(), Some("/history?page=1"));
    assert_eq!(
        app.post("/media/movie/300668/rate/delete", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[actix_web::test]
async fn status_checks_one_title_live() {
    let app = friend_with_rows().await;
    let json = app
        .get_with("/media/tv/70523/status", &[("Accept", "application/json")])
        .await;
    assert_eq!(json.body, r#"{"status":"available"}"#);
    let badge = app
        .get_with("/media/tv/70523/status", &[("HX-Request", "true")])
        .await;
    assert_eq!(
        badge.body.trim(),
        r#"<span class="badge available">On Plex</span>"#
    );
    app.fakes.overseerr.set_fault(Fault::ServerError);
    let json = app
        .get_with(
            "/media/movie/300668/status",
            &[("Accept", "application/json")],
        )
        .await;
    assert_eq!(
        json.body, r#"{"status":"unknown"}"#,
        "Overseerr cannot be asked"
    );
    app.stop().await;
}

#[actix_web::test]
async fn history_is_paged_25_at_a_time_newest_first_and_flips_inline() {
    let app = friend_with_rows().await;
    let user_id = app.user(&friend()).unwrap().id;
    {
        let mut conn = app.app.ctx.pool.get().unwrap();
        for n in 1..=30 {
            let p = sagarr::db::preferences::NewPreference {
                kind: sagarr::media::Kind::Movie,
                tmdb_id: 10_000 + n,
                verdict: sagarr::domain::Verdict::Liked,
                title: format!("Film {n}"),
                year: Some(2000),
                poster_path: None,
            };
            sagarr::db::preferences::upsert(&mut conn, user_id, &p, 1_700_000_000 + n).unwrap();
        }
    }
    let first = app.get("/history").await;
    assert_eq!(first.body.matches("class=\"history-row\"").count(), 25);
    assert!(
        first.body.find("Film 30").unwrap() < first.body.find("Film 29").unwrap(),
        "newest first"
    );
    assert!(first.body.contains("Page 1 of 2") && first.body.contains(r#"href="/history?page=2""#));
    let second = app.get("/history?page=2").await;
    assert_eq!(second.body.matches("class=\"history-row\"").count(), 5);

    let flipped = app
        .htmx_post(
            "/media/movie/10030/rate",
            &[("rating", "-1"), ("back", "/history?page=1")],
        )
        .await;
    assert!(
        flipped
            .body
            .starts_with(r#"<li class="history-row" id="pref-movie-10030">"#),
        "{}",
        flipped.body
    );
    assert!(flipped.body.contains(">Disliked<") && flipped.body.contains("Mark liked"));
    let plain = app
        .post(
            "/media/movie/10029/rate",
            &[("rating", "-1"), ("back", "/history?page=1")],
        )
        .await;
    assert_eq!(plain.location(), Some("/history?page=1"));
    app.stop().await;
}

#[actix_web::test]
async fn empty_states_tell_the_user_what_to_do() {
    let app = TestApp::spawn_with(Options {
        extra_env: vec![("TMDB_API_KEY", String::new())],
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    let page = app.get("/").await;
    assert!(
        page.body.contains("Almost there")
            && page.body.contains(r#"href="/admin">Open the settings"#),
        "admins get the settings link"
    );
    app.stop().await;

    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    assert!(app.get("/").await.body.contains("Nothing watched yet"));
    app.fakes
        .tautulli
        .set_fault(Fault::Slow(std::time::Duration::from_secs(5)));
    app.post("/refresh", &[]).await;
    let page = app.get("/").await;
    assert!(
        page.body.contains("Picking titles for you") || page.body.contains("Waiting for its turn"),
        "{}",
        page.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn stale_availability_is_rechecked_in_the_background_after_a_view() {
    let app = friend_with_rows().await;
    {
        use diesel::prelude::*;
        use sagarr::db::schema::availability::dsl::*;
        let mut conn = app.app.ctx.pool.get().unwrap();
        diesel::update(availability.filter(tmdb_id.eq(300668)))
            .set(fetched_at.eq(0))
            .execute(&mut conn)
            .unwrap();
    }
    app.fakes.overseerr.set_status(Kind::Movie, 300668, 5, &[]);
    let page = app.get("/").await;
    let card = page
        .body
        .split(r#"id="card-movie-300668""#)
        .nth(1)
        .unwrap()
        .split("</article>")
        .next()
        .unwrap();
    assert!(
        !card.contains("On Plex"),
        "the view itself shows the cached status, without waiting"
    );
    app.eventually("the background re-check", |app| {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::db::cache::availability(&mut conn, sagarr::media::Kind::Movie, 300668)
            .unwrap()
            .is_some_and(|(s, _)| s == "available")
    })
    .await;
    // The status commits a moment before the versions move and the kept page is let go: the
    // first view after that shows it.
    let mut shown = false;
    for _ in 0..20 {
        if app.get("/").await.body.contains("On Plex") {
            shown = true;
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(shown, "the re-checked status never reached the page");
    app.stop().await;
}
