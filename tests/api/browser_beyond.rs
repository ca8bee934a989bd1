//! Issue 13 in headless Chromium: the details dialog (JavaScript on) and page (off), a skipped
//! card replaced in place, and the admin's rating limits, with screenshots.

use sagarr::media::Kind;

use crate::browser::{sign_in, signed_in_without_javascript};
use crate::helpers::{friend, friend_with_picks};
use crate::webdriver::Browser;

const INTERSTELLAR: &str = "#card-movie-157336";
const ANNIHILATION: &str = "#card-movie-300668";
const EX_MACHINA: &str = "#card-movie-264660";
const INCEPTION: &str = "#card-movie-27205";
const DUNE: &str = "#card-movie-438631";

/// A browser with JavaScript on, holding `account`'s session (signed in over HTTP, so any
/// width works).
async fn signed_in(
    app: &crate::helpers::TestApp,
    account: &sagarr::fakes::plex::FakeAccount,
    (width, height, dark): (u32, u32, bool),
) -> Browser {
    app.forget_cookies();
    app.signed_in_as(account).await;
    let cookie = app.session_cookie().expect("signed in");
    let browser = Browser::start_with(true, width, height, dark).await;
    browser.goto(&app.url("/login")).await;
    browser
        .set_cookie(sagarr::auth::session::COOKIE_NAME, &cookie)
        .await;
    browser.goto(&app.url("/")).await;
    browser
}

async fn dialog_open(browser: &Browser) -> bool {
    browser
        .script("return document.getElementById('details').open")
        .await
        == serde_json::Value::Bool(true)
}

#[actix_web::test]
async fn with_javascript_details_open_in_a_dialog_and_skips_are_replaced_in_place() {
    if crate::webdriver::unavailable("with_javascript_details_open_in_a_dialog") {
        return;
    }
    let app = friend_with_picks(Vec::new(), &[(Kind::Movie, 157336)]).await;
    for (width, height, dark, name) in [
        (1280, 900, false, "details-dialog-desktop"),
        (1280, 900, true, "details-dialog-desktop-dark"),
        (390, 844, false, "details-dialog-phone"),
        (390, 844, true, "details-dialog-phone-dark"),
    ] {
        let browser = signed_in(&app, &friend(), (width, height, dark)).await;
        browser.script("window.sagarrMarker = 'no reload'").await;
        browser
            .click(&format!("{INTERSTELLAR} .card-title a"))
            .await;
        browser
            .wait_for_text("#details-body", "Actor 1 of Interstellar")
            .await;
        assert!(dialog_open(&browser).await, "the dialog opened");
        assert!(browser.text("#details-body").await.contains("Play on Plex"));
        browser.screenshot(name).await;
        browser.click("#details .dialog-close button").await;
        assert!(!dialog_open(&browser).await, "closed");
        // The page empties the dialog on its close event: give a loaded machine a moment.
        for _ in 0..40 {
            let left = browser
                .script("return document.getElementById('details-body').childElementCount")
                .await;
            if left == serde_json::json!(0) {
                break;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            browser
                .script("return document.getElementById('details-body').childElementCount")
                .await,
            serde_json::json!(0),
            "emptied, so it never reopens stale"
        );
        assert_eq!(
            browser.script("return window.sagarrMarker").await,
            "no reload"
        );
        browser.quit().await;
    }

    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Friend").await;
    browser.script("window.sagarrMarker = 'no reload'").await;
    // Skip from inside the dialog: it closes, and the card behind gives way to the next pick.
    browser
        .click(&format!("{ANNIHILATION} .card-title a"))
        .await;
    browser
        .wait_for_text("#details-body", "Actor 1 of Annihilation")
        .await;
    browser
        .click("#details-body form[action$='/skip'] button")
        .await;
    browser
        .wait_for_text(ANNIHILATION, "Skipped Annihilation.")
        .await;
    browser.wait_for_text(INCEPTION, "Inception").await;
    assert!(
        !dialog_open(&browser).await,
        "the dialog closed after the action"
    );
    // And from the card itself.
    browser
        .click(&format!("{EX_MACHINA} form[action$='/skip'] button"))
        .await;
    browser
        .wait_for_text(EX_MACHINA, "Skipped Ex Machina.")
        .await;
    browser.wait_for_text(DUNE, "Dune").await;
    browser.screenshot("card-replaced-desktop").await;
    assert_eq!(
        browser.script("return window.sagarrMarker").await,
        "no reload",
        "nothing reloaded"
    );
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn without_javascript_details_are_a_page_with_the_cards_actions() {
    if crate::webdriver::unavailable("without_javascript_details_are_a_page") {
        return;
    }
    let app = friend_with_picks(Vec::new(), &[(Kind::Movie, 157336)]).await;
    let browser = signed_in_without_javascript(&app, &friend(), 390, 844).await;
    browser.goto(&app.url("/?tab=movies")).await;
    browser
        .click(&format!("{INTERSTELLAR} .card-title a"))
        .await;
    browser.wait_for_url("/media/movie/157336").await;
    browser
        .wait_for_text("main", "Actor 1 of Interstellar")
        .await;
    assert_eq!(browser.text("h1").await, "Interstellar 2014");
    browser.screenshot("details-page-phone-no-js").await;
    browser.click("main form[action$='/skip'] button").await;
    browser.wait_for_url("/?tab=movies").await;
    browser
        .wait_for_text("main .notice", "Skipped Interstellar.")
        .await;
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn the_admin_sets_a_rating_limit_from_the_users_table() {
    if crate::webdriver::unavailable("the_admin_sets_a_rating_limit_from_the_users_table") {
        return;
    }
    let app = friend_with_picks(Vec::new(), &[]).await;
    let friend_id = app.user(&friend()).unwrap().id;
    for (width, height, dark, name) in [
        (1280, 900, false, "admin-users-limits-desktop"),
        (1280, 900, true, "admin-users-limits-desktop-dark"),
        (390, 844, false, "admin-users-limits-phone"),
        (390, 844, true, "admin-users-limits-phone-dark"),
    ] {
        let browser = signed_in(&app, &crate::helpers::owner(), (width, height, dark)).await;
        browser.goto(&app.url("/admin#users")).await;
        let select = format!("form[action='/admin/users/{friend_id}/rating-limit'] select");
        browser
            .script(&format!(
                "const s = document.querySelector(\"{select}\"); s.value = 'PG'; \
                 s.dispatchEvent(new Event('change', {{bubbles: true}}));"
            ))
            .await;
        browser
            .wait_for_text("#users", "Rating limit set to PG.")
            .await;
        assert_eq!(
            app.user(&friend()).unwrap().rating_limit.as_deref(),
            Some("PG")
        );
        browser.screenshot(name).await;
        browser.quit().await;
    }
    app.stop().await;
}
