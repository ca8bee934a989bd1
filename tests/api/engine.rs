//! The recommendation engine end to end: a user's history in the fake Tautulli, the fake AI's
//! answer, every title verified against the fake TMDb, rows stored per tab.

use std::time::Duration;

use sagarr::fakes::Fault;
use sagarr::fakes::catalog::Title;
use sagarr::media::Kind;

use crate::helpers::{
    AiSetup, GOOD_ANSWER, Options, TestApp, friend, friend_with_history_in, owner, watch_history,
};

/// An app with the friend's history and the fake OpenAI, the owner already admin, and the
/// friend signed in after his first refresh.
async fn friend_with_history(ai: AiSetup, first_answer: Option<&str>) -> TestApp {
    let options = Options {
        ai,
        ..Options::default()
    };
    friend_with_history_in(options, first_answer).await
}

/// The titles of the rows the AI's answer made on `tab` (not those TMDb filled it with).
fn titles(app: &TestApp, tab: &str) -> Vec<String> {
    app.rows(&friend(), tab)
        .into_iter()
        .filter(|r| !r.filled)
        .flat_map(|r| r.cards.into_iter().map(|c| c.title))
        .collect()
}

fn dropped(app: &TestApp) -> serde_json::Value {
    serde_json::from_str(&app.runs()[0].dropped_json).unwrap()
}

#[actix_web::test]
async fn a_good_answer_becomes_verified_explained_rows_on_each_tab() {
    let app = friend_with_history(AiSetup::OpenAi, Some(GOOD_ANSWER)).await;
    let status = app.refresh_status().await;
    assert_eq!(status["state"], "idle", "{status}");
    assert_eq!(status["message"], "Found 12 titles for you.");
    assert!(
        status["finished_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let movies = app.rows(&friend(), "movies");
    assert_eq!(movies[0].title, "Slow-burn sci-fi");
    assert_eq!(movies[0].reason, "You loved Arrival");
    let cards: Vec<(&str, Option<&str>)> = movies[0]
        .cards
        .iter()
        .map(|c| (c.title.as_str(), c.because.as_deref()))
        .collect();
    assert_eq!(
        cards,
        vec![
            ("Annihilation", Some("Arrival")),
            ("Ex Machina", Some("The Matrix")),
            // "Solaris" is not in his history; Interstellar came from Arrival's TMDb recommendations.
            ("Interstellar", Some("Arrival")),
        ]
    );
    assert_eq!(movies[0].cards[0].year, Some(2018));
    assert!(
        movies[0].cards[0]
            .genres
            .contains(&"Science Fiction".to_owned())
    );
    assert_eq!(titles(&app, "tv"), vec!["Dark", "Chernobyl"]);
    assert_eq!(
        titles(&app, "documentaries"),
        vec!["Free Solo", "Planet Earth II"],
        "genre 99, movie or show"
    );

    let run = &app.runs()[0];
    assert_eq!(
        (
            run.username.as_str(),
            run.trigger.as_str(),
            run.outcome.as_str()
        ),
        ("Friend", "first_sign_in", "ok")
    );
    assert_eq!(
        (run.provider.as_str(), run.model.as_str()),
        ("openai", "gpt-4o-mini")
    );
    assert_eq!(
        (
            run.prompt_tokens,
            run.completion_tokens,
            run.proposed,
            run.kept
        ),
        (52, 31, 7, 7)
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_prompt_is_compact_and_grounded_in_the_users_own_history() {
    let app = friend_with_history(AiSetup::OpenAi, Some(GOOD_ANSWER)).await;
    let request = app.fakes.openai.requests().pop().unwrap();
    let prompt = request["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        prompt.contains("- The Matrix (1999) movie, watched twice"),
        "{prompt}"
    );
    assert!(
        prompt.contains("- Game of Thrones (2011) tv, 2 episodes"),
        "episodes count for their show: {prompt}"
    );
    assert!(
        prompt.contains("- Blade Runner 2049 (2017) movie, partly watched (40%)"),
        "{prompt}"
    );
    assert!(
        prompt.contains("[movie 300668] Annihilation (2018)"),
        "TMDb candidates: {prompt}"
    );
    assert!(
        !prompt.contains("[movie 329865]"),
        "a watched title is never a candidate"
    );
    assert!(
        prompt.len() < 4000,
        "a few hundred tokens of history, not raw rows: {} chars",
        prompt.len()
    );
    assert_eq!(request["response_format"]["type"], "json_schema");
    app.stop().await;
}

#[actix_web::test]
async fn invented_titles_and_wrong_ids_are_dropped_and_a_year_off_by_one_is_kept() {
    let answer = r#"{"categories": [{"title": "Mixed", "reason": "r", "kind": "movie", "items": [
        {"title": "The Quantum Llama", "year": 2021, "because": "Arrival"},
        {"title": "Annihilation", "year": 2018, "tmdb_id": 603, "because": "Arrival"},
        {"title": "Nonexistent Sequel", "year": 2020, "tmdb_id": 603, "because": "Arrival"},
        {"title": "Dune", "year": 2020, "because": "Arrival"},
        {"title": "Dune", "year": 1995, "because": "Arrival"},
        {"title": "Inception", "year": 2010, "because": "The Matrix"},
        {"title": "Arrival", "year": 2016, "because": "Arrival"},
        {"title": "Inception", "year": 2010, "because": "The Matrix"}]}]}"#;
    let app = friend_with_history(AiSetup::OpenAi, Some(answer)).await;
    let cards: Vec<(Kind, i64)> = app.ai_cards(&friend());
    assert_eq!(
        cards,
        vec![
            (Kind::Movie, 300668),
            (Kind::Movie, 438631),
            (Kind::Movie, 27205)
        ],
        "Annihilation (its wrong id corrected by name), Dune 2021 for 2020, Inception once"
    );
    assert_eq!(
        dropped(&app),
        serde_json::json!({"invented": 2, "wrong_id": 1, "seen": 1, "duplicate": 1}),
        "a quantum llama and a Dune of 1995 are invented; Arrival was watched"
    );
    let run = &app.runs()[0];
    assert_eq!((run.proposed, run.kept), (8, 3));
    app.stop().await;
}

#[actix_web::test]
async fn fences_prose_and_truncation_are_survived() {
    let truncated = r#"Here you go!
```json
{"categories": [{"title": "More", "reason": "r", "kind": "movie", "items": [
  {"title": "Inception", "year": 2010, "because": "The Matrix"},
  {"title": "Dune", "year": 2021, "because": "Blade Runner 2049"},
  {"title": "Ex Mach"#;
    let app = friend_with_history(AiSetup::OpenAi, Some(truncated)).await;
    assert_eq!(titles(&app, "movies"), vec!["Inception", "Dune"]);
    assert_eq!(
        app.fakes.openai.requests().len(),
        1,
        "one request (the owner has no history, so no prompt), no retry"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_wrong_shape_gets_one_corrective_retry() {
    let app = friend_with_history(AiSetup::OpenAi, None).await;
    let before = app.fakes.openai.requests().len();
    app.fakes.openai.push_reply(r#"{"films": ["Inception"]}"#);
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let status = app.refresh_and_wait().await;
    assert_eq!(status["message"], "Found 12 titles for you.", "{status}");
    let requests = app.fakes.openai.requests();
    assert_eq!(requests.len(), before + 2, "the first answer and one retry");
    let retry = requests.last().unwrap()["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        retry.contains("could not be used: the JSON has no \"categories\" list"),
        "{retry}"
    );
    let run = &app.runs()[0];
    assert_eq!(
        (run.prompt_tokens, run.trigger.as_str()),
        (104, "manual"),
        "both answers are counted"
    );
    app.stop().await;
}

#[actix_web::test]
async fn garbage_twice_goes_to_the_fallback_provider() {
    let app = friend_with_history(AiSetup::OpenAiThenOllama, None).await;
    app.fakes.openai.push_reply("I'd suggest some great films!");
    app.fakes.openai.push_reply("Still no JSON, sorry.");
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let status = app.refresh_and_wait().await;
    assert_eq!(status["message"], "Found 12 titles for you.", "{status}");
    let run = &app.runs()[0];
    assert_eq!(
        (run.provider.as_str(), run.model.as_str()),
        ("ollama", "llama3.1:8b"),
        "says which provider answered"
    );
    app.stop().await;
}

#[actix_web::test]
async fn when_every_provider_fails_the_rows_come_from_tmdb_and_the_message_says_why() {
    for (fault, expected) in [
        (Fault::ServerError, "OpenAI failed (HTTP 500)"),
        (Fault::RateLimited, "OpenAI is limiting requests"),
        (
            Fault::Slow(Duration::from_secs(5)),
            "did not answer within 2 s",
        ),
    ] {
        let app = friend_with_history(AiSetup::OpenAi, None).await;
        app.fakes.openai.set_fault(fault);
        let status = app.refresh_and_wait().await;
        let message = status["message"].as_str().unwrap();
        assert_eq!(
            status["state"], "idle",
            "the refresh still succeeds: {status}"
        );
        assert!(
            message.starts_with("Found ")
                && message.contains("from TMDb alone: the AI failed")
                && message.contains(expected),
            "{message}"
        );
        let movies = app.rows(&friend(), "movies");
        assert_eq!(movies[0].title, "Because you watched The Matrix");
        assert!(
            movies[0]
                .cards
                .iter()
                .all(|c| c.because.as_deref() == Some("The Matrix"))
        );
        assert_eq!(app.runs()[0].outcome.as_str(), "ok_without_ai");
        app.stop().await;
    }
}

#[actix_web::test]
async fn without_ai_the_rows_come_from_tmdb_recommendations_of_the_favourites() {
    let app = friend_with_history(AiSetup::None, None).await;
    let status = app.refresh_status().await;
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("from TMDb; no AI is set up"),
        "{status}"
    );
    let movies = app.rows(&friend(), "movies");
    assert_eq!(movies[0].title, "Because you watched The Matrix");
    assert_eq!(
        movies[0]
            .cards
            .iter()
            .map(|c| c.title.as_str())
            .collect::<Vec<_>>(),
        vec!["Inception", "Blade Runner 2049", "Ex Machina"],
        "a partly watched film may come back; a watched one never"
    );
    assert_eq!(titles(&app, "tv"), vec!["Breaking Bad", "Dark"]);
    assert!(
        app.all_cards(&friend())
            .iter()
            .all(|c| *c != (Kind::Movie, 329865)),
        "Arrival was watched"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_failed_refresh_keeps_the_previous_rows_and_says_why() {
    let app = friend_with_history(AiSetup::OpenAi, Some(GOOD_ANSWER)).await;
    let before = app.rows(&friend(), "movies");
    app.fakes.tautulli.set_fault(Fault::ServerError);
    let status = app.refresh_and_wait().await;
    assert_eq!(status["state"], "failed");
    assert_eq!(
        status["message"],
        "Tautulli failed (HTTP 500): Check the logs for errors; the previous rows were kept."
    );
    assert_eq!(app.rows(&friend(), "movies"), before);
    assert_eq!(app.runs()[0].outcome.as_str(), "failed");

    app.fakes
        .tautulli
        .set_fault(Fault::Slow(Duration::from_secs(5)));
    let status = app.refresh_and_wait().await;
    assert_eq!(
        status["state"], "failed",
        "a hung upstream ends the run, never stuck running"
    );
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("did not answer within 2 s")
    );
    assert_eq!(app.rows(&friend(), "movies"), before);

    // The queue goes on: once Tautulli answers again, so does the refresh.
    app.fakes.tautulli.set_fault(Fault::None);
    app.fakes.openai.push_reply(GOOD_ANSWER);
    assert_eq!(app.refresh_and_wait().await["state"], "idle");
    app.stop().await;
}

#[actix_web::test]
async fn a_movie_and_a_show_with_the_same_tmdb_id_are_kept_apart() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    // A movie sharing the show's id 1399, added to this fake only.
    app.fakes.tmdb.add_title(Title {
        kind: Kind::Movie,
        tmdb_id: 1399,
        title: "Kingdom of Glass",
        original_title: "Kingdom of Glass",
        date: "2004-05-01",
        genres: &[(18, "Drama")],
        poster: None,
        overview: "A test film.",
        imdb_id: "tt0000000",
        tvdb_id: None,
        seasons: &[],
        plex_key: "000000000000000000000000",
        vote_count: 10,
        recommendations: &[],
    });
    app.fakes.openai.push_reply(r#"{"categories": []}"#);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(r#"{"categories": [
        {"title": "A", "reason": "r", "kind": "movie", "items": [{"title": "Kingdom of Glass", "year": 2004, "tmdb_id": 1399, "because": "x"}]},
        {"title": "B", "reason": "r", "kind": "tv", "items": [{"title": "Game of Thrones", "year": 2011, "tmdb_id": 1399, "because": "x"}]}]}"#);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    assert_eq!(
        app.ai_cards(&friend()),
        vec![(Kind::Movie, 1399)],
        "movie 1399 is new to him; tv 1399 he watched"
    );
    assert_eq!(dropped(&app), serde_json::json!({"seen": 1}));
    app.stop().await;
}

#[actix_web::test]
async fn a_second_refresh_with_unchanged_history_asks_for_no_metadata_and_no_details() {
    let app = friend_with_history(AiSetup::OpenAi, Some(GOOD_ANSWER)).await;
    let metadata = |app: &TestApp| {
        app.fakes
            .tautulli
            .calls()
            .iter()
            .filter(|c| c.starts_with("get_metadata"))
            .count()
    };
    let details = |app: &TestApp| {
        app.fakes
            .tmdb
            .calls()
            .iter()
            .filter(|p| {
                p.split('/').filter(|s| !s.is_empty()).count() == 2 && !p.starts_with("/search")
            })
            .count()
    };
    let searches = |app: &TestApp| {
        app.fakes
            .tmdb
            .calls()
            .iter()
            .filter(|p| p.starts_with("/search"))
            .count()
    };
    let (m, d, s, ai) = (
        metadata(&app),
        details(&app),
        searches(&app),
        app.fakes.openai.requests().len(),
    );
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.refresh_and_wait().await;
    assert_eq!(metadata(&app), m, "rating keys come from the cache");
    assert_eq!(details(&app), d, "TMDb details come from the cache");
    assert_eq!(searches(&app), s, "title lookups come from the cache");
    assert_eq!(
        app.fakes.openai.requests().len(),
        ai + 1,
        "one AI call per refresh"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_user_with_no_history_is_told_so_and_nothing_fails() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let status = app.wait_for_refresh().await;
    assert_eq!(status["state"], "idle");
    assert_eq!(
        status["message"],
        "No watch history yet: watch something on Plex, then refresh."
    );
    assert_eq!(app.runs()[0].outcome.as_str(), "no_history");
    app.stop().await;
}

#[actix_web::test]
async fn stored_cards_keep_tmdbs_genre_ids_beside_the_names() {
    let app = friend_with_history(AiSetup::OpenAi, Some(GOOD_ANSWER)).await;
    let cards: Vec<_> = ["movies", "tv", "documentaries"]
        .iter()
        .flat_map(|tab| app.rows(&friend(), tab))
        .flat_map(|r| r.cards)
        .collect();
    assert!(!cards.is_empty());
    for card in cards {
        let title = sagarr::fakes::catalog::TITLES
            .iter()
            .find(|t| t.kind == card.kind && t.tmdb_id == card.tmdb_id)
            .expect("a catalogue title");
        let ids: Vec<i64> = title.genres.iter().map(|(id, _)| *id).collect();
        let names: Vec<&str> = title.genres.iter().map(|(_, name)| *name).collect();
        assert_eq!(card.genre_ids, ids, "{}", card.title);
        assert_eq!(card.genres, names, "{}", card.title);
    }
    app.stop().await;
}
