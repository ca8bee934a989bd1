//! A monthly AI budget the owner controls (docs/recommendations.md "The AI budget"): once this
//! month's use plus the next call's estimate would pass `AI_MONTHLY_TOKEN_BUDGET`, the AI is not
//! asked, the rows come from TMDb, and the run says why; the nightly obeys it too.

use crate::engine::watch_history;
use crate::helpers::{AiSetup, Options, TestApp, friend, owner};

async fn app_with_budget(budget: &str) -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        extra_env: vec![("AI_MONTHLY_TOKEN_BUDGET", budget.to_owned())],
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app
}

#[actix_web::test]
async fn a_spent_budget_asks_no_ai_and_says_why_and_the_nightly_obeys_it() {
    // One token: less than any run's estimate.
    let app = app_with_budget("1").await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    let status = app.wait_for_refresh().await;
    assert!(
        status["message"].as_str().is_some_and(
            |m| m.contains("This month's AI budget is spent; these rows come from TMDb")
        ),
        "{status}"
    );
    assert!(app.fakes.openai.requests().is_empty(), "no AI call");
    assert!(!app.rows(&friend(), "movies").is_empty(), "rows from TMDb");

    let (code, said) = app.command(&["refresh", "--nightly"]).await;
    assert_eq!(code, Some(0), "{said}");
    assert!(
        app.fakes.openai.requests().is_empty(),
        "the nightly asks no AI past the budget: {said}"
    );

    // The admin page shows the budget where it comes from.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains("Monthly token budget"),
        "{}",
        admin.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn within_the_budget_the_ai_is_asked() {
    let app = app_with_budget("5000000").await;
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    assert!(!app.fakes.openai.requests().is_empty());
    app.stop().await;
}
