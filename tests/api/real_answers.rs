//! What a real Tautulli (v2.17.2), Seerr 3.1 and TMDb answer that the earlier fakes did not
//! (docs/upstreams.md, "The 2026 stack"): null text from old imports, a deleted title that is
//! still watched, a Plex asleep behind Tautulli, a user refresh that quietly failed, Seerr's own
//! link, CSRF and season rules, and trailers in another language.

use std::time::{Duration, Instant};

use awc::http::StatusCode;
use sagarr::fakes::plex::FakeAccount;
use sagarr::fakes::tautulli::LibraryItem;
use sagarr::media::Kind;

use crate::helpers::{AiSetup, GOOD_ANSWER, Options, TestApp, friend, owner, watch_history};
use crate::real_upstreams::last_prompt;

/// The owner signed in and refreshed, then the friend after his first refresh on `answer`;
/// `before` runs on the fakes before anyone signs in.
async fn friend_refreshed(answer: &str, before: impl FnOnce(&TestApp)) -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    before(&app);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(answer);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app
}

fn movie(app: &TestApp, key: &str, title: &str, year: i64, tmdb_id: i64) {
    app.fakes.tautulli.add_item(
        key,
        LibraryItem::Movie {
            title: title.into(),
            year,
            tmdb_id,
        },
    );
}

#[actix_web::test]
async fn a_movie_imported_from_plexwatch_with_null_titles_still_refreshes() {
    let app = friend_refreshed(GOOD_ANSWER, |app| {
        movie(app, "103", "Inception", 2010, 27205);
        // grandparent_title, parent_title and original_title are null on this row.
        app.fakes
            .tautulli
            .add_imported_play(friend().id, "103", 100, 1_700_000_000);
    })
    .await;
    let status = app.refresh_status().await;
    assert_eq!(status["state"], "idle", "{status}");
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Found")),
        "{status}"
    );
    assert!(
        last_prompt(&app).contains("Inception (2010) movie, watched"),
        "the imported play counts as watched"
    );
    assert!(!app.rows(&friend(), "movies").is_empty());
    app.stop().await;
}

const WITH_INCEPTION: &str = r#"{"categories": [{"title": "Mind benders", "reason": "r", "kind": "movie",
  "items": [{"title": "Inception", "year": 2010, "because": "The Matrix"},
            {"title": "Annihilation", "year": 2018, "because": "Arrival"}]}]}"#;

#[actix_web::test]
async fn a_title_deleted_from_plex_is_still_watched_and_never_recommended_back() {
    let app = friend_refreshed(WITH_INCEPTION, |app| {
        movie(app, "103", "Inception", 2010, 27205);
        app.fakes
            .tautulli
            .add_play(friend().id, "103", 99, 1_795_000_000);
        // Deleted from Plex: `get_metadata` answers `{}` while Plex is up, but the history row
        // keeps its title and year.
        app.fakes.tautulli.remove_item("103");
    })
    .await;
    let cards = app.all_cards(&friend());
    assert!(
        !cards.contains(&(Kind::Movie, 27205)),
        "watched to 99 %, then deleted from Plex: still watched: {cards:?}"
    );
    assert!(cards.contains(&(Kind::Movie, 300668)), "{cards:?}");
    assert!(
        last_prompt(&app).contains("- Inception movie, watched"),
        "the model is told by name"
    );
    let status = app.refresh_status().await;
    assert!(
        !status["message"]
            .as_str()
            .unwrap_or_default()
            .contains("could not reach Plex"),
        "a deleted title is no outage: {status}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_plex_asleep_behind_tautulli_is_an_outage_within_one_timeout_not_a_failure() {
    let app = friend_refreshed(GOOD_ANSWER, |_| {}).await;
    // New plays since: seven movies Tautulli must look up, while Plex sleeps and Tautulli
    // waits its 15 s PMS_TIMEOUT (longer than Sagarr's 2 s in tests) before answering `{}`.
    let new = [
        ("103", "Inception", 2010, 27205),
        ("104", "Interstellar", 2014, 157336),
        ("105", "Annihilation", 2018, 300668),
        ("106", "Ex Machina", 2015, 264660),
        ("107", "Frozen II", 2019, 330457),
        ("108", "The Godfather", 1972, 238),
        ("109", "Fight Club", 1999, 550),
    ];
    for (i, (key, title, year, id)) in new.into_iter().enumerate() {
        movie(&app, key, title, year, id);
        app.fakes
            .tautulli
            .add_play(friend().id, key, 100, 1_795_000_000 + i as i64);
    }
    app.fakes
        .tautulli
        .hang_metadata(Some(Duration::from_secs(15)));
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let started = Instant::now();
    let status = app.refresh_and_wait().await;
    let took = started.elapsed();
    assert_eq!(status["state"], "idle", "not a failure: {status}");
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Tautulli could not reach Plex, so 7 of the 11 titles"),
        "{status}"
    );
    assert!(
        took < Duration::from_secs(9),
        "one timeout's wait, not one per title: {took:?}"
    );
    let asked = app
        .fakes
        .tautulli
        .calls()
        .iter()
        .filter(|c| {
            c.starts_with("get_metadata rating_key=10")
                && c.as_str() > "get_metadata rating_key=102"
        })
        .count();
    assert!(
        asked < 7,
        "titles after the first timeout are not asked: {asked}"
    );
    let cards = app.all_cards(&friend());
    assert!(
        !cards.contains(&(Kind::Movie, 300668)),
        "Annihilation, watched while Plex slept, is kept out by name: {cards:?}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_user_refresh_tautulli_could_not_make_tells_the_friend_to_try_again() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    let newcomer = FakeAccount::new(31_000_009, "Latecomer");
    app.fakes.plex.add_account(newcomer.clone());
    app.fakes.tautulli.share_on_plex(newcomer.id, "Latecomer");
    // plex.tv is out of Tautulli's reach: `refresh_users_list` answers success, data: false.
    app.fakes.tautulli.set_plex_tv_reachable(false);
    let refused = app.sign_in_as(&newcomer).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("the server could not check with Plex right now"),
        "{}",
        refused.body
    );
    assert!(
        !refused.body.contains("Manage Library Access"),
        "not told he was never invited: {}",
        refused.body
    );
    app.stop().await;
}

/// The friend's app against a fake that speaks Seerr 3.1, with Dark and Interstellar on Plex.
async fn friend_on_seerr() -> TestApp {
    friend_refreshed(GOOD_ANSWER, |app| {
        app.fakes.overseerr.speak_seerr();
        app.fakes
            .overseerr
            .set_status(Kind::Tv, 70523, 5, &[(1, 5), (2, 5), (3, 5)]);
        app.fakes.overseerr.set_status(Kind::Movie, 157336, 5, &[]);
    })
    .await
}

/// The admin's Test of the saved Overseerr section.
async fn test_overseerr(app: &TestApp) -> serde_json::Value {
    let page = app
        .get_with(
            "/api/admin/test/overseerr",
            &[("Accept", "application/json")],
        )
        .await;
    serde_json::from_str(&page.body).unwrap_or_default()
}

#[actix_web::test]
async fn seerr_play_on_plex_csrf_and_the_test_name_the_flavour() {
    let app = friend_on_seerr().await;
    let page = app.get("/?tab=movies").await;
    let link = sagarr::fakes::overseerr::plex_url(157336);
    assert!(
        page.body.contains(&format!(r#"href="{link}""#)),
        "Play on Plex from Seerr's mediaUrl: {}",
        page.body
    );

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let result = test_overseerr(&app).await;
    assert_eq!(result["ok"], true, "{result}");
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains("Connected to Seerr 3.1")),
        "{result}"
    );

    // Seerr keeps CSRF protection under Settings → Network, and the Test finds it there.
    app.fakes.overseerr.set_csrf_protection(true);
    let result = test_overseerr(&app).await;
    assert_eq!(result["ok"], false, "{result}");
    let message = result["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Enable CSRF Protection")
            && message.contains("Seerr's Settings → Network"),
        "{result}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_show_requested_once_and_since_deleted_can_be_requested_again_on_seerr() {
    let app = friend_on_seerr().await;
    // Chernobyl: requested and completed long ago (request 5), then deleted from Plex
    // (seasons 7). Seerr takes a new request for it.
    let page = app.htmx_post("/media/tv/87108/request", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    app.fakes.overseerr.set_request_status(Kind::Tv, 87108, 5);
    app.fakes
        .overseerr
        .set_status(Kind::Tv, 87108, 7, &[(1, 7)]);
    let before = app.fakes.overseerr.requests().len();
    let undo = app.htmx_post("/media/tv/87108/rate/delete", &[]).await;
    assert_eq!(undo.status, StatusCode::OK, "{}", undo.body);
    let page = app.htmx_post("/media/tv/87108/request", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Requested"), "{}", page.body);
    let asked = app.fakes.overseerr.requests();
    assert_eq!(asked.len(), before + 1, "sent again");
    assert_eq!(asked.last().map(|r| r.seasons.clone()), Some(vec![1]));
    app.stop().await;
}

#[actix_web::test]
async fn trailers_survive_another_tmdb_language() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        extra_env: vec![("TMDB_LANGUAGE", "fr-FR".to_owned())],
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    let page = app.get("/media/movie/157336").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("https://www.youtube.com/watch?v=tr000157336"),
        "the English trailer of a title seen in French: {}",
        page.body
    );
    app.stop().await;
}
