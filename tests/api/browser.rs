//! Real headless Chromium, real clicks, JavaScript on and off. Screenshots are kept in
//! target/screenshots/ as test artefacts.

use sagarr::auth::session::COOKIE_NAME;

use crate::helpers::{TAUTULLI_KEY, TestApp, owner};
use crate::webdriver::Browser;

/// Signs in through the login page and the (fake) Plex page, as a person would.
pub async fn sign_in(browser: &Browser, app: &TestApp, account: &str) {
    browser.goto(&app.url("/login")).await;
    browser.click("a.button.primary[href='/auth/plex']").await;
    browser
        .click(&format!("button[data-account='{}']", account_id(account)))
        .await;
    browser.wait_for_text(".account .name", account).await;
    assert_eq!(browser.url().await, app.url("/"));
}

fn account_id(name: &str) -> i64 {
    match name {
        "Owner" => owner().id,
        _ => crate::helpers::friend().id,
    }
}

/// A browser with JavaScript off, holding the session of `account` (signed in over HTTP,
/// since Plex's own sign-in page needs JavaScript).
pub async fn signed_in_without_javascript(
    app: &TestApp,
    account: &sagarr::fakes::plex::FakeAccount,
    width: u32,
    height: u32,
) -> Browser {
    app.signed_in_as(account).await;
    let cookie = app.session_cookie().expect("signed in");
    let browser = Browser::start(false, width, height).await;
    browser.goto(&app.url("/login")).await;
    browser.set_cookie(COOKIE_NAME, &cookie).await;
    browser
}

#[actix_web::test]
async fn with_javascript_the_admin_tests_and_saves_a_section_in_place() {
    if crate::webdriver::unavailable("with_javascript_the_admin_tests_and_saves_a_section_in_place")
    {
        return;
    }
    let app = TestApp::spawn().await;
    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Owner").await;

    assert!(
        browser.cookie(COOKIE_NAME).await.is_some(),
        "signed in with a session cookie"
    );
    let visible = browser.script("return document.cookie").await;
    assert!(
        !visible.as_str().unwrap_or_default().contains(COOKIE_NAME),
        "HttpOnly: page scripts cannot read it"
    );

    browser.goto(&app.url("/admin")).await;
    browser.script("window.sagarrMarker = 'no reload'").await;
    browser.fill("#tautulli-api_key", "wrong-key").await;
    browser
        .click("#section-tautulli button[formaction='/admin/test/tautulli']")
        .await;
    browser
        .wait_for_text("#section-tautulli .result", "Tautulli refused the API key")
        .await;
    assert_eq!(
        browser.script("return window.sagarrMarker").await,
        "no reload",
        "HTMX swapped the section in place"
    );

    let url = app.fakes.tautulli.url.clone();
    browser.fill("#tautulli-url", &format!("{url}/")).await;
    browser.fill("#tautulli-api_key", TAUTULLI_KEY).await;
    browser.click("#section-tautulli button.primary").await;
    browser
        .wait_for_text("#section-tautulli .result", "Tautulli settings saved.")
        .await;
    assert_eq!(
        browser.script("return window.sagarrMarker").await,
        "no reload"
    );
    assert!(
        browser
            .text("#section-tautulli")
            .await
            .contains("saved here")
    );
    assert!(
        !browser.source().await.contains(TAUTULLI_KEY),
        "the key is not sent back"
    );
    browser.screenshot("admin-desktop").await;

    let saved = {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::db::settings::get(&mut conn, "tautulli.url").unwrap()
    };
    assert_eq!(saved, Some(url), "saved, without the trailing slash");
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn without_javascript_the_admin_forms_post_and_come_back_with_a_message() {
    if crate::webdriver::unavailable(
        "without_javascript_the_admin_forms_post_and_come_back_with_a_message",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    let browser = signed_in_without_javascript(&app, &owner(), 390, 844).await;
    browser.goto(&app.url("/admin")).await;

    browser.fill("#tmdb-api_key", "not-a-key").await;
    browser
        .click("#section-tmdb button[formaction='/admin/test/tmdb']")
        .await;
    browser
        .wait_for_text("#section-tmdb .result", "TMDb refused the API key")
        .await;
    assert!(browser.url().await.ends_with("/admin#section-tmdb"));

    browser
        .fill("#overseerr-url", "http://overseerr.lan:5055")
        .await;
    // A new address takes its key typed again (docs/reliability.md).
    browser.fill("#overseerr-api_key", "typed-again").await;
    browser.click("#section-overseerr button.primary").await;
    browser
        .wait_for_text("#section-overseerr .result", "Overseerr settings saved.")
        .await;
    assert!(
        browser
            .source()
            .await
            .contains(r#"value="http://overseerr.lan:5055""#)
    );
    browser.screenshot("admin-phone-no-js").await;
    browser.quit().await;
    app.stop().await;
}

#[actix_web::test]
async fn a_saved_key_is_cleared_and_the_plex_section_tested_with_and_without_javascript() {
    if crate::webdriver::unavailable(
        "a_saved_key_is_cleared_and_the_plex_section_tested_with_and_without_javascript",
    ) {
        return;
    }
    let app = TestApp::spawn().await;
    let stored = |app: &TestApp| {
        let mut conn = app.app.ctx.pool.get().unwrap();
        sagarr::db::settings::get(&mut conn, "tautulli.api_key").unwrap()
    };
    for javascript in [true, false] {
        let browser = if javascript {
            let browser = Browser::start(true, 1280, 900).await;
            sign_in(&browser, &app, "Owner").await;
            browser
        } else {
            app.forget_cookies();
            signed_in_without_javascript(&app, &owner(), 390, 844).await
        };
        browser.goto(&app.url("/admin")).await;
        browser.fill("#tautulli-api_key", TAUTULLI_KEY).await;
        browser.click("#section-tautulli button.primary").await;
        browser
            .wait_for_text("#section-tautulli .result", "Tautulli settings saved.")
            .await;
        assert!(stored(&app).is_some());
        browser
            .click("#section-tautulli button[name='clear'][value='api_key']")
            .await;
        browser
            .wait_for_text("#section-tautulli", "API key cleared here")
            .await;
        assert_eq!(stored(&app), None, "javascript {javascript}");
        browser
            .click("#section-plex button[formaction='/admin/test/plex']")
            .await;
        browser
            .wait_for_text("#section-plex .result", "your watchlist has 0 titles")
            .await;
        browser.quit().await;
    }
    app.stop().await;
}
