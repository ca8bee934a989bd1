//! The dashboard and history in headless Chromium, with JavaScript on and off.

use sagarr::fakes::overseerr::RecordedRequest;
use sagarr::media::Kind;

use crate::browser::{sign_in, signed_in_without_javascript};
use crate::helpers::{friend, friend_with_rows};
use crate::webdriver::Browser;

const DARK: &str = "#card-tv-70523";
const CHERNOBYL: &str = "#card-tv-87108";
const ANNIHILATION: &str = "#card-movie-300668";
const EX_MACHINA: &str = "#card-movie-264660";

fn requests(app: &crate::helpers::TestApp) -> Vec<(Kind, i64)> {
    app.fakes
        .overseerr
        .requests()
        .into_iter()
        .map(|RecordedRequest { kind, tmdb_id, .. }| (kind, tmdb_id))
        .collect()
}

#[actix_web::test]
async fn with_javascript_every_card_action_works_in_place() {
    if crate::webdriver::unavailable("with_javascript_every_card_action_works_in_place") {
        return;
    }
    let app = friend_with_rows().await;
    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Friend").await;
    browser.screenshot("dashboard-desktop").await;
    browser.script("window.sagarrMarker = 'no reload'").await;

    browser.click("a[href='/?tab=tv']").await;
    browser.wait_for_url("/?tab=tv").await;
    browser
        .wait_for_text("#tab-body", "Dark family sagas")
        .await;
    assert_eq!(browser.text("a[aria-current='page']").await, "TV");

    browser
        .click(&format!("{DARK} form[action$='/watchlist'] button"))
        .await;
    browser
        .wait_for_text(&format!("{DARK} .card-note"), "On your Plex watchlist.")
        .await;
    assert_eq!(
        app.fakes.plex.watchlist_adds().len(),
        1,
        "the fake Discover saw this user's token"
    );
    assert_eq!(app.fakes.plex.watchlist_adds()[0].0, friend().token);

    browser
        .click(&format!("{CHERNOBYL} form[action$='/request'] button"))
        .await;
    browser
        .wait_for_text(&format!("{CHERNOBYL} .card-note"), "Requested.")
        .await;
    let friend_id = app.user(&friend()).unwrap().overseerr_user_id.unwrap();
    assert_eq!(
        app.fakes.overseerr.requests()[0].user_id,
        friend_id,
        "made as this user"
    );
    assert_eq!(requests(&app), vec![(Kind::Tv, 87108)]);

    browser.click("a[href='/?tab=movies']").await;
    browser.wait_for_text("#tab-body", "Slow-burn sci-fi").await;
    browser
        .click(&format!("{ANNIHILATION} details.seen summary"))
        .await;
    browser
        .click(&format!("{ANNIHILATION} button[value='-1']"))
        .await;
    browser
        .wait_for_text(ANNIHILATION, "Noted: you didn't like Annihilation.")
        .await;
    browser
        .click(&format!("{EX_MACHINA} form[action$='/skip'] button"))
        .await;
    browser
        .wait_for_text(EX_MACHINA, "Skipped Ex Machina.")
        .await;
    assert_eq!(
        browser.script("return window.sagarrMarker").await,
        "no reload",
        "nothing reloaded"
    );

    browser.goto(&app.url("/history")).await;
    browser
        .wait_for_text("#pref-movie-300668", "Disliked")
        .await;
    browser
        .click("#pref-movie-300668 form[action$='/rate'] button")
        .await;
    browser.wait_for_text("#pref-movie-300668", "Liked").await;
    browser.click("#pref-movie-264660 button.danger").await;
    browser.wait_gone("#pref-movie-264660").await;
    browser.screenshot("history-desktop").await;
    browser.goto(&app.url("/")).await;
    browser.wait_for_text("#tab-body", "Ex Machina").await; // undone: it may come back
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn without_javascript_every_card_action_works_as_a_plain_form() {
    if crate::webdriver::unavailable("without_javascript_every_card_action_works_as_a_plain_form") {
        return;
    }
    let app = friend_with_rows().await;
    let browser = signed_in_without_javascript(&app, &friend(), 390, 844).await;
    browser.goto(&app.url("/")).await;
    browser.wait_for_text("main", "Slow-burn sci-fi").await;
    browser.screenshot("dashboard-phone-no-js").await;

    browser.click("a[href='/?tab=tv']").await;
    browser.wait_for_url("/?tab=tv").await;
    browser
        .click(&format!("{CHERNOBYL} form[action$='/request'] button"))
        .await;
    browser.wait_for_url("/?tab=tv").await;
    browser
        .wait_for_text("main .notice", "Chernobyl: Requested.")
        .await;
    assert_eq!(requests(&app), vec![(Kind::Tv, 87108)]);
    browser
        .click(&format!("{DARK} form[action$='/watchlist'] button"))
        .await;
    browser
        .wait_for_text("main .notice", "Added Dark to your Plex watchlist.")
        .await;
    assert_eq!(app.fakes.plex.watchlist_adds().len(), 1);

    browser.click("a[href='/?tab=movies']").await;
    browser
        .click(&format!("{ANNIHILATION} details.seen summary"))
        .await;
    browser
        .click(&format!("{ANNIHILATION} button[value='-1']"))
        .await;
    browser.wait_for_url("/?tab=movies").await;
    browser
        .wait_for_text("main .notice", "Noted: you didn't like Annihilation.")
        .await;
    browser.wait_gone(ANNIHILATION).await;
    browser
        .click(&format!("{EX_MACHINA} form[action$='/skip'] button"))
        .await;
    browser.wait_gone(EX_MACHINA).await;

    browser.goto(&app.url("/history")).await;
    browser
        .click("#pref-movie-300668 form[action$='/rate'] button")
        .await;
    browser.wait_for_url("/history?page=1").await;
    browser.wait_for_text("#pref-movie-300668", "Liked").await;
    browser.click("#pref-movie-264660 button.danger").await;
    browser
        .wait_for_text("main .notice", "Deleted the record of Ex Machina")
        .await;
    browser.wait_gone("#pref-movie-264660").await;
    browser.screenshot("history-phone-no-js").await;
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn refresh_now_shows_progress_and_brings_the_new_rows_without_a_reload() {
    if crate::webdriver::unavailable(
        "refresh_now_shows_progress_and_brings_the_new_rows_without_a_reload",
    ) {
        return;
    }
    let app = friend_with_rows().await;
    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Friend").await;
    browser.script("window.sagarrMarker = 'no reload'").await;
    app.fakes.openai.push_reply(
        r#"{"categories": [{"title": "Fresh picks", "reason": "New", "kind": "movie",
        "items": [{"title": "Dune", "year": 2021, "because": "Blade Runner 2049"}]}]}"#,
    );
    app.fakes.openai.set_fault(sagarr::fakes::Fault::Slow(
        std::time::Duration::from_millis(1500),
    ));
    browser.click(".refresh-bar button").await;
    browser
        .wait_for_text("#refresh-status", "Asking OpenAI")
        .await;
    browser.wait_for_text("#tab-body", "Fresh picks").await;
    browser
        .wait_for_text("#refresh-status", "Found 11 titles for you.")
        .await;
    assert_eq!(
        browser.script("return window.sagarrMarker").await,
        "no reload"
    );
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn a_genre_hidden_from_the_details_leaves_the_tab_with_javascript_on_and_off() {
    if crate::webdriver::unavailable("a_genre_hidden_from_the_details_leaves_the_tab") {
        return;
    }
    let app = friend_with_rows().await;
    // With JavaScript: from the details dialog, back to the tab without Annihilation (Horror).
    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Friend").await;
    browser
        .click(&format!("{ANNIHILATION} .card-title a"))
        .await;
    browser
        .wait_for_text("#details-body", "Not interested in this genre")
        .await;
    browser
        .click("#details-body select[name='genre'] option[value='27']")
        .await;
    browser
        .click("#details-body form[action$='/not-interested'] button")
        .await;
    browser
        .wait_for_text("main .notice", "Hidden: Horror.")
        .await;
    assert!(!browser.exists(ANNIHILATION).await, "Annihilation left");
    assert!(
        browser.exists(EX_MACHINA).await,
        "Ex Machina (no horror) stays"
    );
    // My history shows it again.
    browser.goto(&app.url("/history")).await;
    browser
        .click("form[action='/history/genres/27/delete'] button")
        .await;
    browser
        .wait_for_text("main .notice", "Horror is shown again")
        .await;
    browser.quit().await;

    // Without JavaScript: the details are a page, the form a plain post.
    app.forget_cookies();
    let browser = signed_in_without_javascript(&app, &friend(), 390, 844).await;
    browser.goto(&app.url("/media/movie/300668")).await;
    browser
        .click("select[name='genre'] option[value='27']")
        .await;
    browser
        .click("form[action$='/not-interested'] button")
        .await;
    browser
        .wait_for_text("main .notice", "Hidden: Horror.")
        .await;
    assert!(
        browser.url().await.ends_with("/?tab=movies"),
        "{}",
        browser.url().await
    );
    assert!(!browser.exists(ANNIHILATION).await, "Annihilation left");
    browser.quit().await;
    app.stop().await;
}
