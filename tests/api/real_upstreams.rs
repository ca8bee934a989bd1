//! What the real upstreams do that the first fakes hid (docs/upstreams.md, "Checked against the
//! real sources"): a Plex outage behind Tautulli, Tautulli's 12-hour user list, Overseerr's
//! season filter and quota, its two kinds of 403, and what a real model does with the prompt.

use awc::http::StatusCode;
use sagarr::fakes::plex::FakeAccount;
use sagarr::fakes::tautulli::LibraryItem;
use sagarr::media::Kind;

use crate::helpers::{
    AiSetup, Options, TestApp, friend, friend_with_rows, owner, stranger, watch_history,
};

/// The user message of the last prompt the fake OpenAI received.
pub fn last_prompt(app: &TestApp) -> String {
    let requests = app.fakes.openai.requests();
    requests
        .last()
        .and_then(|r| r["messages"][1]["content"].as_str())
        .unwrap_or_default()
        .to_owned()
}

const WITH_INCEPTION: &str = r#"{"categories": [{"title": "Mind benders", "reason": "r", "kind": "movie",
  "items": [{"title": "Inception", "year": 2010, "because": "The Matrix"},
            {"title": "Annihilation", "year": 2018, "because": "Arrival"}]}]}"#;

#[actix_web::test]
async fn a_plex_outage_never_erases_the_history_and_the_next_refresh_knows_it_all() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();

    // Plex restarts during the friend's first refresh: Tautulli answers `data: {}` for all.
    app.fakes.tautulli.set_plex_connected(false);
    app.signed_in_as(&friend()).await;
    let status = app.wait_for_refresh().await;
    assert_eq!(status["state"], "failed", "{status}");
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.contains("Tautulli cannot reach your Plex server")),
        "{status}"
    );

    // Plex is back: the next refresh knows every title again (nothing was cached as gone).
    app.fakes.tautulli.set_plex_connected(true);
    app.fakes.openai.push_reply(WITH_INCEPTION);
    let status = app.refresh_and_wait().await;
    assert_eq!(status["state"], "idle", "{status}");
    let prompt = last_prompt(&app);
    for title in [
        "Arrival (2016) movie",
        "The Matrix (1999) movie",
        "Blade Runner 2049 (2017) movie",
        "Game of Thrones",
    ] {
        assert!(prompt.contains(title), "{title} missing from:\n{prompt}");
    }

    // He watches Inception; Plex drops out again before the next refresh.
    app.fakes.tautulli.add_item(
        "103",
        LibraryItem::Movie {
            title: "Inception".into(),
            year: 2010,
            tmdb_id: 27205,
        },
    );
    app.fakes
        .tautulli
        .add_play(friend().id, "103", 100, 1_795_000_000);
    app.fakes.tautulli.set_plex_connected(false);
    app.fakes.openai.push_reply(WITH_INCEPTION);
    let status = app.refresh_and_wait().await;
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Tautulli could not reach Plex, so 1 of the 5 titles"),
        "{status}"
    );
    assert!(
        last_prompt(&app).contains("- Inception movie, watched"),
        "known by name, so the model can avoid it"
    );
    let cards = app.all_cards(&friend());
    assert!(
        !cards.contains(&(Kind::Movie, 27205)),
        "a watched title is kept out by name: {cards:?}"
    );
    assert!(cards.contains(&(Kind::Movie, 300668)), "{cards:?}");

    app.fakes.tautulli.set_plex_connected(true);
    app.refresh_and_wait().await;
    assert!(
        last_prompt(&app).contains("Inception (2010) movie, watched"),
        "looked up once Plex is back"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_friend_invited_since_tautullis_last_user_refresh_gets_in_and_a_removed_one_stays_out() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();

    let newcomer = FakeAccount::new(31_000_007, "Newcomer");
    app.fakes.plex.add_account(newcomer.clone());
    app.fakes.tautulli.share_on_plex(newcomer.id, "Newcomer");
    app.signed_in_as(&newcomer).await;
    let refreshes = || {
        app.fakes
            .tautulli
            .calls()
            .iter()
            .filter(|c| *c == "refresh_users_list")
            .count()
    };
    assert_eq!(refreshes(), 1, "asked Tautulli to re-read its users");
    app.forget_cookies();

    // The owner removed the friend's share: Tautulli says so, and no refresh changes that.
    app.fakes.tautulli.set_active(friend().id, false);
    let refused = app.sign_in_as(&friend()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.body.contains("Manage Library Access") && refused.body.contains("Refresh users"),
        "the page says what the owner must do: {}",
        refused.body
    );
    let refused = app.sign_in_as(&stranger()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refreshes(), 1, "at most once a minute per install");
    app.stop().await;
}

#[actix_web::test]
async fn tv_requests_ask_only_for_the_missing_seasons_and_never_for_those_on_plex() {
    let app = friend_with_rows().await;
    let overseerr_id = app.user(&friend()).unwrap().overseerr_user_id.unwrap();
    // Arcane: season 1 on Plex, season 2 missing; the friend has one season of quota left.
    app.fakes
        .overseerr
        .set_status(Kind::Tv, 94605, 4, &[(1, 5), (2, 1)]);
    app.fakes.overseerr.set_tv_quota_left(overseerr_id, 1);
    let page = app
        .htmx_post("/media/tv/94605/request", &[("back", "/?tab=tv")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Requested"), "{}", page.body);
    let asked = app.fakes.overseerr.requests();
    assert_eq!(asked.last().map(|r| r.seasons.clone()), Some(vec![2]));

    // Dark: seasons 1-3 all on Plex. Nothing is sent, and the user is told so.
    let before = app.fakes.overseerr.requests().len();
    let page = app
        .htmx_post("/media/tv/70523/request", &[("back", "/?tab=tv")])
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Seasons 1–3 are already on Plex."),
        "{}",
        page.body
    );
    assert_eq!(app.fakes.overseerr.requests().len(), before, "no request");

    // Breaking Bad: seasons 1-3 requested by someone else already.
    app.fakes
        .overseerr
        .set_status(Kind::Tv, 1396, 2, &[(1, 2), (2, 2), (3, 3)]);
    let page = app
        .htmx_post("/media/tv/1396/request", &[("back", "/?tab=tv")])
        .await;
    assert!(
        page.body.contains("Seasons 1–3 are already requested."),
        "{}",
        page.body
    );
    assert_eq!(app.fakes.overseerr.requests().len(), before);
    app.stop().await;
}

#[actix_web::test]
async fn overseerr_403s_name_their_real_cause() {
    let app = friend_with_rows().await;
    let stale = app.user(&friend()).unwrap().overseerr_user_id.unwrap();

    // The friend's Overseerr user was deleted and imported again under a new id.
    app.fakes.overseerr.remove_user(stale);
    let fresh = app.fakes.overseerr.add_user(friend().id, "friend");
    let page = app
        .htmx_post("/media/movie/300668/request", &[("back", "/?tab=tv")])
        .await;
    assert!(page.body.contains("Requested"), "{}", page.body);
    assert_eq!(
        app.fakes.overseerr.requests().last().map(|r| r.user_id),
        Some(fresh),
        "mapped afresh and asked as his new user"
    );

    // Deleted for good: not "API key refused", but what to do.
    app.fakes.overseerr.remove_user(fresh);
    let page = app
        .htmx_post("/media/movie/438631/request", &[("back", "/?tab=tv")])
        .await;
    assert!(
        page.body.contains("ask the admin to import Plex users"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("API key"), "{}", page.body);

    // CSRF protection on: every POST fails, and the message says where to turn it off.
    app.fakes.overseerr.add_user(friend().id, "friend");
    app.fakes.overseerr.set_csrf_protection(true);
    let plain = app.post("/media/movie/438631/request", &[]).await;
    assert_eq!(plain.status, StatusCode::BAD_GATEWAY, "{}", plain.body);
    assert!(
        plain.body.contains("Enable CSRF Protection") && plain.body.contains("Settings → General"),
        "{}",
        plain.body
    );

    // The admin's Test for the section says the same, before any user hits it.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let test = app
        .get_with(
            "/api/admin/test/overseerr",
            &[("Accept", "application/json")],
        )
        .await;
    let result: serde_json::Value = serde_json::from_str(&test.body).unwrap();
    assert_eq!(result["ok"], false, "{result}");
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains("Enable CSRF Protection")),
        "{result}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_prompt_never_tells_the_model_to_avoid_its_own_candidates() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    let prompt = last_prompt(&app);
    let (before, candidates) = prompt
        .split_once("\nCandidates")
        .expect("the prompt offers candidates");
    assert!(
        candidates.contains("[movie 300668] Annihilation"),
        "{prompt}"
    );
    assert!(
        candidates.contains("welcome"),
        "candidates are offered as welcome picks: {prompt}"
    );
    let rule = prompt
        .split(". ")
        .find(|l| l.starts_with("Never suggest"))
        .expect("a rule on what to avoid");
    assert!(
        rule.contains("\"What I watched\"")
            && rule.contains("\"I disliked\"")
            && rule.contains("\"Not interested\""),
        "names exactly what to avoid: {rule}"
    );
    for vague in ["above", "listed", "candidate"] {
        assert!(
            !rule.to_lowercase().contains(vague),
            "the rule must not reach the candidates ({vague}): {rule}"
        );
    }
    assert!(before.starts_with("What I watched"));
    app.stop().await;
}

#[actix_web::test]
async fn a_tab_the_ai_leaves_short_is_filled_from_tmdb_and_verified() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    let tautulli = &app.fakes.tautulli;
    let id = friend().id;
    tautulli.add_item(
        "300",
        LibraryItem::Movie {
            title: "Free Solo".into(),
            year: 2018,
            tmdb_id: 515042,
        },
    );
    tautulli.add_item(
        "400",
        LibraryItem::Show {
            title: "Planet Earth II".into(),
            year: 2016,
            tmdb_id: 68595,
        },
    );
    tautulli.add_item(
        "401",
        LibraryItem::Episode {
            show: "Planet Earth II".into(),
            show_rating_key: "400".into(),
            show_tmdb_id: 68595,
            season: 1,
            episode: 1,
        },
    );
    tautulli.add_play(id, "300", 100, 1_790_000_000);
    tautulli.add_play(id, "401", 100, 1_790_000_100);
    // The model proposes films only: no documentary row at all.
    app.fakes.openai.push_reply(
        r#"{"categories": [{"title": "Thrills", "reason": "r", "kind": "movie",
        "items": [{"title": "Inception", "year": 2010, "because": "Free Solo"}]}]}"#,
    );
    app.signed_in_as(&friend()).await;
    let status = app.wait_for_refresh().await;
    assert_eq!(status["state"], "idle", "{status}");

    let docs = app.rows(&friend(), "documentaries");
    assert!(docs.len() >= 2, "{docs:?}");
    assert!(docs.iter().all(|r| r.filled));
    let first = docs
        .iter()
        .find(|r| r.title == "Because you watched Free Solo")
        .expect("a row seeded by his own documentary");
    let titles: Vec<&str> = first.cards.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, vec!["My Octopus Teacher", "Jiro Dreams of Sushi"]);
    assert!(
        first
            .cards
            .iter()
            .all(|c| c.genres.contains(&"Documentary".to_owned())
                && c.because.as_deref() == Some("Free Solo")),
        "verified against TMDb's details: {first:?}"
    );
    let everything = app.all_cards(&friend());
    assert!(
        !everything.contains(&(Kind::Movie, 515042)) && !everything.contains(&(Kind::Tv, 68595)),
        "what he watched never comes back: {everything:?}"
    );
    let run = &app.runs()[0];
    assert_eq!(run.kept, 1, "the run record counts the AI's titles only");
    app.stop().await;
}

#[actix_web::test]
async fn the_plex_section_tests_the_watchlist_host_so_the_admin_sees_a_move_first() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let test = || async {
        let page = app
            .get_with("/api/admin/test/plex", &[("Accept", "application/json")])
            .await;
        serde_json::from_str::<serde_json::Value>(&page.body).unwrap()
    };
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains(r#"id="section-plex""#),
        "{}",
        admin.body
    );
    let ok = test().await;
    assert_eq!(ok["ok"], true, "{ok}");
    assert!(
        ok["message"]
            .as_str()
            .unwrap()
            .contains("your watchlist has 0 titles")
    );

    // Plex moves the watchlist, as it did in Aug 2025: the Test fails before any user's add does.
    app.fakes.plex.move_watchlist();
    let moved = test().await;
    assert_eq!(moved["ok"], false, "{moved}");
    assert!(
        moved["message"]
            .as_str()
            .is_some_and(|m| m.contains("Plex may have moved it")),
        "{moved}"
    );

    // The page cannot point the section at another host: every user's Plex token is sent
    // there (docs/reliability.md). The operator moves it in the environment and restarts;
    // then the Test and the users' adds go there.
    let new_host = sagarr::fakes::plex::FakePlex::start().unwrap();
    new_host.add_account(owner());
    let refused = app
        .post("/admin/settings/plex", &[("discover_url", &new_host.url)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let mut app = app;
    app.options
        .extra_env
        .push(("PLEX_DISCOVER_URL", new_host.url.clone()));
    let app = app.restart().await;
    let test = || async {
        let page = app
            .get_with("/api/admin/test/plex", &[("Accept", "application/json")])
            .await;
        serde_json::from_str::<serde_json::Value>(&page.body).unwrap()
    };
    assert_eq!(test().await["ok"], true);
    let page = app
        .post_with(
            "/media/movie/603/watchlist",
            &[],
            &[("Origin", &app.address.clone()), ("HX-Request", "true")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(new_host.watchlist_adds().len(), 1, "{}", page.body);
    new_host.stop().await;
    app.stop().await;
}
