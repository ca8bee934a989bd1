//! What no peer offers (issue 13): "On your Plex now" with Play on Plex, details before
//! deciding, a skipped card replaced from the row's reserve, per-user rating limits, and TMDb
//! in the user's language.

use actix_web::http::StatusCode;
use sagarr::media::Kind;

use crate::helpers::{LIMITS_ANSWER, TestApp, friend, friend_with_picks, limit_friend, owner};

const FORBIDDEN_UNDER_PG: &[(&str, i64)] = &[
    ("movie", 300668), // Annihilation, R
    ("movie", 264660), // Ex Machina, R
    ("movie", 157336), // Interstellar, PG-13
    ("movie", 27205),  // Inception, PG-13
    ("movie", 438631), // Dune (2021), PG-13
    ("tv", 70523),     // Dark, TV-MA
    ("tv", 87108),     // Chernobyl, TV-MA
    ("movie", 682110), // My Octopus Teacher, no certification
    ("movie", 515042), // Free Solo, PG-13
];

fn card_id(kind: &str, id: i64) -> String {
    format!(r#"id="card-{kind}-{id}""#)
}

/// The HTML of the row titled `title` on a page, up to the next row.
fn row<'a>(page: &'a str, title: &str) -> Option<&'a str> {
    let start = page.find(&format!(">{title}</h2>"))?;
    let rest = &page[start..];
    let end = rest[1..]
        .find(r#"<section class="row""#)
        .map_or(rest.len(), |i| i + 1);
    Some(&rest[..end])
}

#[actix_web::test]
async fn on_your_plex_now_holds_only_available_picks_each_with_its_plex_link() {
    // Available: Dark and Interstellar; Chernobyl is only requested.
    let app = friend_with_picks(Vec::new(), &[(Kind::Tv, 70523), (Kind::Movie, 157336)]).await;

    let tv = app.get("/?tab=tv").await;
    let on_plex = row(&tv.body, "On your Plex now").expect("the row is there");
    assert!(
        tv.body.find("On your Plex now") < tv.body.find("Dark family sagas"),
        "first"
    );
    assert!(on_plex.contains(&card_id("tv", 70523)), "{on_plex}");
    assert!(
        !on_plex.contains(&card_id("tv", 87108)),
        "requested is not on Plex"
    );
    let link = sagarr::fakes::overseerr::plex_url(70523);
    assert!(
        on_plex.contains(&format!(r#"href="{link}""#)),
        "Play on Plex goes to Overseerr's plexUrl: {on_plex}"
    );
    assert!(on_plex.contains("Play on Plex"));
    assert_eq!(
        tv.body.matches(&card_id("tv", 70523)).count(),
        1,
        "shown once"
    );

    let movies = app.get("/?tab=movies").await;
    let on_plex = row(&movies.body, "On your Plex now").expect("movies have one too");
    assert!(on_plex.contains(&card_id("movie", 157336)));
    assert!(
        !on_plex.contains(&card_id("movie", 300668)),
        "missing stays below"
    );
    assert!(
        !movies.body.contains("Play on Plex\n")
            && movies.body.matches("Play on Plex</a>").count() == 1,
        "only the available title has a Play link"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_skip_brings_the_next_pick_from_the_reserve_until_it_runs_dry() {
    let app = friend_with_picks(Vec::new(), &[]).await;
    let asked = app.fakes.openai.requests().len();
    let page = app.get("/?tab=movies").await;
    let sci_fi = row(&page.body, "Slow-burn sci-fi").expect("the row");
    assert!(
        sci_fi.contains(&card_id("movie", 300668)) && sci_fi.contains(&card_id("movie", 264660))
    );
    assert!(
        !sci_fi.contains(&card_id("movie", 157336)),
        "two shown, the rest in reserve"
    );

    // Each skip answers with the line saying so and the next pick in the card's place.
    let order = [300668, 264660, 157336, 27205, 438631];
    for (i, id) in order.iter().enumerate() {
        let answer = app
            .htmx_post(
                &format!("/media/movie/{id}/skip"),
                &[("back", "/?tab=movies")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert!(answer.body.contains("Skipped"), "{}", answer.body);
        match order.get(i + 2) {
            Some(next) => assert!(
                answer.body.contains(&card_id("movie", *next)),
                "skip {i}: the replacement is {next}: {}",
                answer.body
            ),
            None => assert!(
                !answer.body.contains(r#"<article class="card" "#),
                "the reserve is spent: {}",
                answer.body
            ),
        }
    }
    assert_eq!(
        app.fakes.openai.requests().len(),
        asked,
        "no AI call at action time"
    );
    let page = app.get("/?tab=movies").await;
    assert!(
        row(&page.body, "Slow-burn sci-fi").is_none(),
        "the row is empty only now"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_user_limited_to_pg_never_sees_an_r_or_an_unrated_title() {
    let available = [(Kind::Movie, 300668), (Kind::Movie, 330457)];
    let app = friend_with_picks(Vec::new(), &available).await;
    // Unlimited, he sees them.
    let movies = app.get("/?tab=movies").await;
    assert!(
        movies.body.contains(&card_id("movie", 300668)),
        "R shown without a limit"
    );
    let docs = app.get("/?tab=documentaries").await;
    assert!(
        docs.body.contains(&card_id("movie", 682110)),
        "unrated shown without a limit"
    );
    assert_eq!(app.get("/media/movie/300668").await.status, StatusCode::OK);

    let on_plex = row(&movies.body, "On your Plex now").expect("two are on Plex");
    assert!(
        on_plex.contains(&card_id("movie", 300668)),
        "R and on Plex, shown unlimited"
    );
    limit_friend(&app, "PG").await;
    app.fakes.openai.push_reply(LIMITS_ANSWER);
    app.refresh_and_wait().await;
    let prompt = app.fakes.openai.requests().last().unwrap().to_string();
    assert!(
        prompt.contains("Suggest only titles rated PG or lower"),
        "the AI is told"
    );

    let mut pages = Vec::new();
    for tab in ["movies", "tv", "documentaries"] {
        pages.push(app.get(&format!("/?tab={tab}")).await.body);
    }
    let all = pages.join("\n");
    for (kind, id) in FORBIDDEN_UNDER_PG {
        assert!(
            !all.contains(&card_id(kind, *id)),
            "{kind} {id} is above PG or unrated"
        );
        assert_eq!(
            app.get(&format!("/media/{kind}/{id}")).await.status,
            StatusCode::NOT_FOUND,
            "{kind} {id}: its details are refused too"
        );
    }
    let on_plex = row(&pages[0], "On your Plex now").expect("Frozen II is on Plex");
    assert!(
        on_plex.contains(&card_id("movie", 330457)),
        "PG and available"
    );
    assert!(
        pages[0].contains(&card_id("movie", 841)),
        "Dune (1984) is PG"
    );
    assert!(pages[2].contains(&card_id("movie", 80767)), "Jiro is PG");

    // A replacement obeys the limit too.
    let answer = app
        .htmx_post("/media/movie/841/skip", &[("back", "/?tab=movies")])
        .await;
    for (kind, id) in FORBIDDEN_UNDER_PG {
        assert!(
            !answer.body.contains(&card_id(kind, *id)),
            "{}",
            answer.body
        );
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_admin_sets_a_limit_with_a_clear_answer_for_a_wrong_one() {
    let app = friend_with_picks(Vec::new(), &[]).await;
    let friend_id = app.user(&friend()).unwrap().id;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains(&format!(
            r#"action="/admin/users/{friend_id}/rating-limit""#
        )),
        "a select on the Users table"
    );
    let wrong = app
        .post(
            &format!("/admin/users/{friend_id}/rating-limit"),
            &[("limit", "X")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong.body.contains("is not a rating limit"),
        "{}",
        wrong.body
    );
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit,
        None,
        "nothing changed"
    );
    let set = app
        .htmx_post(
            &format!("/admin/users/{friend_id}/rating-limit"),
            &[("limit", "PG-13")],
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert!(
        set.body.contains(r#"<option value="PG-13" selected>"#),
        "{}",
        set.body
    );
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit.as_deref(),
        Some("PG-13")
    );
    let cleared = app
        .htmx_post(
            &format!("/admin/users/{friend_id}/rating-limit"),
            &[("limit", "")],
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(app.user(&friend()).unwrap().rating_limit, None);
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    assert_eq!(
        app.post(
            &format!("/admin/users/{friend_id}/rating-limit"),
            &[("limit", "G")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN,
        "admins only"
    );
    assert_eq!(app.user(&friend()).unwrap().rating_limit, None);
    app.stop().await;
}

#[actix_web::test]
async fn a_plex_home_managed_user_starts_with_the_pg_limit() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    app.forget_cookies();
    app.signed_in_as(&friend().managed()).await;
    assert_eq!(
        app.user(&friend()).unwrap().rating_limit.as_deref(),
        Some("PG")
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_details_show_everything_and_come_from_the_cache() {
    let app = friend_with_picks(Vec::new(), &[(Kind::Movie, 157336)]).await;
    let tmdb_calls = app.fakes.tmdb.calls().len();
    let page = app.get("/media/movie/157336").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in [
        "<h1 id=\"details-title\">Interstellar",
        "Explorers travel through a wormhole to save humanity.",
        "2 h",             // runtime
        "Science Fiction", // genres
        "7.9 / 10 on TMDb",
        ">PG-13<",
        "Actor 1 of Interstellar",
        "Actor 3 of Interstellar",
        "https://www.youtube.com/watch?v=tr000157336",
        "Picked for “Slow-burn sci-fi”, because you watched Arrival.",
        "Play on Plex",
        "/media/movie/157336/skip",
    ] {
        assert!(
            page.body.contains(shown),
            "{shown} missing from:\n{}",
            page.body
        );
    }
    assert!(!page.body.contains("Actor 4 of"), "the top three cast");
    let fragment = app
        .get_with("/media/movie/157336", &[("HX-Request", "true")])
        .await;
    assert!(
        fragment
            .body
            .contains("<h2 id=\"details-title\">Interstellar")
    );
    assert!(
        !fragment.body.contains("<html"),
        "a fragment for the dialog"
    );
    assert_eq!(
        app.fakes.tmdb.calls().len(),
        tmdb_calls,
        "no TMDb call: cached"
    );
    assert_eq!(
        app.get("/media/movie/0").await.status,
        StatusCode::BAD_REQUEST
    );
    app.stop().await;
}

#[actix_web::test]
async fn tmdb_language_fr_shows_french_titles_and_an_english_answer_still_verifies() {
    let app = friend_with_picks(vec![("TMDB_LANGUAGE", "fr-FR".to_owned())], &[]).await;
    app.fakes.openai.push_reply(
        r#"{"categories": [{"title": "Classiques", "reason": "Pour vous", "kind": "movie", "items": [
        {"title": "The Shawshank Redemption", "year": 1994, "because": "Arrival"},
        {"title": "The Godfather", "year": 1972, "because": "Arrival"}]}]}"#,
    );
    app.refresh_and_wait().await;
    let page = app.get("/?tab=movies").await;
    assert!(page.body.contains("Les Évadés"), "{}", page.body);
    assert!(page.body.contains("Le Parrain"));
    assert!(
        page.body.contains(&card_id("movie", 278)),
        "verified by its original title"
    );
    app.stop().await;
}
