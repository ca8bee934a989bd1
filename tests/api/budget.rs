//! A monthly AI budget the owner controls (docs/recommendations.md "The AI budget"): once this
//! month's use plus the next call's estimate would pass `AI_MONTHLY_TOKEN_BUDGET`, the AI is not
//! asked, the rows come from TMDb, and the run says why; the nightly obeys it too.

use awc::http::StatusCode;

use crate::helpers::{AiSetup, Options, TestApp, friend, owner, watch_history};

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

/// The cell after the row header `name` in the admin's "Each user's share" table.
fn share_of(body: &str, name: &str) -> Option<String> {
    let table = body.split("Each user's share").nth(1)?;
    let row = table
        .split(&format!("<th scope=\"row\">{name}</th>"))
        .nth(1)?;
    Some(row.split("<td>").nth(1)?.split("</td>").next()?.to_owned())
}

#[actix_web::test]
async fn the_months_chart_and_tables_say_the_recorded_tokens() {
    let app = app_with_budget("5000000").await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let runs = app.runs();
    let recorded = |name: &str| -> i64 {
        runs.iter()
            .filter(|r| r.username == name)
            .map(|r| i64::from(r.prompt_tokens + r.completion_tokens))
            .sum()
    };
    let friends = recorded("Friend");
    assert!(friends > 0, "the fake reports usage");
    let total = recorded("Friend") + recorded("Owner");
    let digits = sagarr::views::ai_usage::digits;
    let admin = app.get("/admin").await.body;
    assert!(admin.contains("AI use this month"), "{admin}");
    assert_eq!(share_of(&admin, "Friend"), Some(digits(friends)), "{admin}");
    assert!(
        admin.contains(&format!("{} of 5,000,000 tokens used in", digits(total))),
        "{admin}"
    );
    // The chart draws today's bar with the same number.
    assert!(admin.contains("<svg viewBox"), "an inline chart");
    assert!(
        admin.contains(&format!(": {} tokens</title>", digits(total))),
        "{admin}"
    );
    // Refresh everyone says what it will use before it starts.
    assert!(
        admin.contains("Refreshing everyone now (2 users) will use about"),
        "{admin}"
    );
    assert!(
        admin.contains("of this month&#39;s budget, which has"),
        "{admin}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn prices_show_the_month_in_money_and_bad_prices_are_refused() {
    let app = app_with_budget("5000000").await;
    app.signed_in_as(&owner()).await;
    let page = app
        .post(
            "/admin/settings/ai",
            &[("price_input_per_mtok", "cheap"), ("back", "/admin")],
        )
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "{}", page.body);
    assert!(
        page.body.contains("must be a number like 0.15"),
        "{}",
        page.body
    );
    assert!(!app.get("/admin").await.body.contains("At your prices"));
    let page = app
        .post(
            "/admin/settings/ai",
            &[
                ("price_input_per_mtok", "0.15"),
                ("price_output_per_mtok", "0.60"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let admin = app.get("/admin").await.body;
    assert!(admin.contains("At your prices: 0.00 so far"), "{admin}");
    assert!(admin.contains("<th scope=\"col\">Cost</th>"), "{admin}");
    app.stop().await;
}
