//! Watch together (docs/recommendations.md "Watch together"): consent first, a group's rows from
//! what is stored (nothing anyone in the group watched, rated down or skipped; the strictest
//! rating limit), no AI call unless asked, and one streamed call when asked.

use std::collections::HashMap;

use awc::http::StatusCode;

use crate::helpers::{TestApp, friend, owner, share, two_with_rows};

async fn as_owner_say(app: &TestApp, on: bool) {
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    share(app, on).await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
}

/// The (kind, id) of every card on a page, in order.
pub fn card_ids(body: &str) -> Vec<(String, i64)> {
    body.split("id=\"card-")
        .skip(1)
        .filter_map(|rest| {
            let id = rest.split('"').next()?;
            let (kind, n) = id.split_once('-')?;
            Some((kind.to_owned(), n.parse().ok()?))
        })
        .collect()
}

fn watched_by_either() -> Vec<(String, i64)> {
    [
        ("movie", 550),
        ("movie", 680),
        ("movie", 329865),
        ("movie", 603),
        ("movie", 335984),
        ("tv", 1399),
    ]
    .into_iter()
    .map(|(k, id)| (k.to_owned(), id))
    .collect()
}

#[actix_web::test]
async fn nobody_is_picked_or_used_before_saying_yes() {
    let app = two_with_rows(Vec::new()).await;
    // The friend has not said yes: the page asks him to, and names nobody.
    let page = app.get("/together").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Say yes on"), "{}", page.body);
    assert!(!page.body.contains("value=\"Owner\""));
    let page = app.get("/me").await;
    assert!(
        page.body
            .contains("Let others on this server plan a watch with me")
    );

    share(&app, true).await;
    assert!(
        app.get("/me")
            .await
            .body
            .contains("now plan a watch with you")
    );
    // The owner has not said yes: not in the picker, and his data is never used.
    let page = app.get("/together").await;
    assert!(!page.body.contains("value=\"Owner\""), "{}", page.body);
    let calls = app.fakes.openai.requests().len();
    for page in [
        app.get("/together?with=Owner").await,
        app.post("/together/ask", &[("with", "Owner")]).await,
        app.get("/together?with=Nobody").await,
    ] {
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
        assert!(page.body.contains("said yes"), "{}", page.body);
        assert!(!page.body.contains("Fight Club"), "nothing of his is shown");
    }
    assert_eq!(app.fakes.openai.requests().len(), calls, "no AI call");

    as_owner_say(&app, true).await;
    let page = app.get("/together").await;
    assert!(page.body.contains("value=\"Owner\""), "{}", page.body);
    assert_eq!(app.get("/together?with=Owner").await.status, StatusCode::OK);
    // The picker's checkboxes (JavaScript off) ask for the same group.
    assert_eq!(app.get("/together?pick=Owner").await.status, StatusCode::OK);

    // Taken back: refused again at once (the cached group page goes too).
    as_owner_say(&app, false).await;
    assert_eq!(
        app.get("/together?with=Owner").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!app.get("/together").await.body.contains("value=\"Owner\""));

    // Bad input: a clear 400, nothing changed.
    let page = app.post("/me/together", &[("share", "maybe")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("share=on or share=off"), "{}", page.body);
    let page = app.htmx_post("/me/together", &[("share", "off")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"share-form\""), "{}", page.body);
    app.stop().await;
}

#[actix_web::test]
async fn a_groups_page_leaves_out_what_anyone_watched_rated_down_or_skipped_without_an_ai_call() {
    let app = two_with_rows(Vec::new()).await;
    as_owner_say(&app, true).await;
    share(&app, true).await;
    let calls = app.fakes.openai.requests().len();
    let page = app.get("/together?with=Owner").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Watch together with Owner"));
    let shown = card_ids(&page.body);
    assert!(shown.len() >= 4, "{shown:?}");
    for watched in watched_by_either() {
        assert!(!shown.contains(&watched), "{watched:?} was watched");
    }
    // Every card says why, for each person it suits.
    assert!(page.body.contains("Friend liked"), "{}", page.body);
    assert!(page.body.contains("Owner liked"), "{}", page.body);
    assert!(
        page.body.contains(" · "),
        "a title close to both says so for both"
    );
    assert_eq!(app.fakes.openai.requests().len(), calls, "no AI call");

    // The friend skips one; the owner rates another down: both leave the group's page.
    let (kind, id) = shown[0].clone();
    let skipped = app
        .htmx_post(
            &format!("/media/{kind}/{id}/skip"),
            &[("back", "/together?with=Owner")],
        )
        .await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    let (kind2, id2) = shown[1].clone();
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let rated = app
        .htmx_post(
            &format!("/media/{kind2}/{id2}/rate"),
            &[("rating", "-1"), ("back", "/together?with=Friend")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    // The owner sees the same group from his side.
    let his = card_ids(&app.get("/together?with=Friend").await.body);
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    let now = card_ids(&app.get("/together?with=Owner").await.body);
    for gone in [(kind, id), (kind2, id2)] {
        assert!(!now.contains(&gone), "{gone:?} is still shown: {now:?}");
        assert!(!his.contains(&gone), "{gone:?} is still shown to the owner");
    }
    assert_eq!(app.fakes.openai.requests().len(), calls, "still no AI call");

    // A form without JavaScript comes back to the group's page.
    let (kind, id) = now[0].clone();
    let page = app
        .post(
            &format!("/media/{kind}/{id}/skip"),
            &[("back", "/together?with=Owner")],
        )
        .await;
    assert_eq!(page.location(), Some("/together?with=Owner"));
    app.stop().await;
}

#[actix_web::test]
async fn the_strictest_rating_limit_in_the_group_holds() {
    let app = two_with_rows(Vec::new()).await;
    as_owner_say(&app, true).await;
    share(&app, true).await;
    let everything = card_ids(&app.get("/together?with=Owner").await.body);
    crate::helpers::limit_friend(&app, "PG").await;
    let limited = card_ids(&app.get("/together?with=Owner").await.body);
    // What both users' stored rows say of each title's certification.
    let mut certification: HashMap<(String, i64), Option<String>> = HashMap::new();
    for account in [owner(), friend()] {
        for tab in ["movies", "tv", "documentaries"] {
            for card in app.rows(&account, tab).into_iter().flat_map(|r| r.cards) {
                certification.insert(
                    (card.kind.as_str().to_owned(), card.tmdb_id),
                    card.certification,
                );
            }
        }
    }
    assert!(
        limited.len() < everything.len(),
        "{limited:?} / {everything:?}"
    );
    for title in &limited {
        let cert = certification.get(title).cloned().flatten();
        assert!(
            sagarr::ratings::allows(Some("PG"), cert.as_deref()),
            "{title:?} is {cert:?}"
        );
    }
    // The owner's view of the same group is limited too: a kid in the group limits the group.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let his = card_ids(&app.get("/together?with=Friend").await.body);
    assert!(his.iter().all(|t| limited.contains(t)), "{his:?}");
    app.stop().await;
}

#[actix_web::test]
async fn asking_the_ai_for_us_makes_one_streamed_call_with_both_histories() {
    let app = two_with_rows(Vec::new()).await;
    as_owner_say(&app, true).await;
    share(&app, true).await;
    app.fakes.openai.answer_from_prompt();
    let calls = app.fakes.openai.requests().len();
    let page = app.post("/together/ask", &[("with", "Owner")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some("/together?with=Owner"));
    let status = app.wait_for_refresh().await;
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.contains("for the group")),
        "{status}"
    );
    let requests = app.fakes.openai.requests();
    assert_eq!(requests.len(), calls + 1, "one call");
    let asked = &requests[calls];
    assert_eq!(asked["stream"], true, "streamed");
    let prompt = asked["messages"].to_string();
    assert!(prompt.contains("What Owner watched"), "{prompt}");
    assert!(prompt.contains("What Friend watched"), "{prompt}");
    // Recorded as the friend's run, so the month's budget counts it.
    let run = &app.runs()[0];
    assert_eq!(run.trigger, "together");
    assert!(run.prompt_tokens > 0);

    let page = app.get("/together?with=Owner").await;
    assert!(
        page.body
            .contains("The AI's picks for the group come first"),
        "{}",
        page.body
    );
    let shown = card_ids(&page.body);
    for watched in watched_by_either() {
        assert!(!shown.contains(&watched), "{watched:?} was watched");
    }
    // The AI said why for each of us ("Owner: Fight Club; Friend: Arrival").
    assert!(page.body.contains("Owner liked"), "{}", page.body);
    // His own rows are untouched by the group's call.
    assert!(!app.rows(&friend(), "movies").is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn a_groups_ai_call_past_the_budget_is_not_made() {
    let app = two_with_rows(vec![("AI_MONTHLY_TOKEN_BUDGET", "1".to_owned())]).await;
    as_owner_say(&app, true).await;
    share(&app, true).await;
    let calls = app.fakes.openai.requests().len();
    let page = app.htmx_post("/together/ask", &[("with", "Owner")]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("refresh-status"), "{}", page.body);
    let status = app.wait_for_refresh().await;
    assert!(
        status["message"]
            .as_str()
            .is_some_and(|m| m.contains("This month's AI budget is spent")),
        "{status}"
    );
    assert_eq!(app.fakes.openai.requests().len(), calls, "no AI call");
    // The group's page still answers from what is stored.
    assert!(!card_ids(&app.get("/together?with=Owner").await.body).is_empty());
    app.stop().await;
}
