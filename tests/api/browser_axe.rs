//! Issue 15: every page the browser tests visit passes axe-core's WCAG 2.2 AA rules, in the
//! light and dark schemes, at desktop and phone widths, with JavaScript on and off: sign-in,
//! the three tabs, a card after Skip, the details (a dialog with JavaScript, a page without),
//! history, and the admin page with the users' rating limits and the last nights.

use sagarr::media::Kind;

use crate::axe::assert_accessible;
use crate::helpers::{TestApp, friend, friend_with_picks, owner};
use crate::webdriver::Browser;

const FIRST_SKIP: &str = "#tab-body .card form[action$='/skip'] button";
const FIRST_TITLE: &str = "#tab-body .card .card-title a";

/// Both accounts' session cookies (friend, owner), signed in over HTTP.
async fn cookies(app: &TestApp) -> (String, String) {
    let mut out = Vec::new();
    for account in [friend(), owner()] {
        app.forget_cookies();
        app.signed_in_as(&account).await;
        out.push(app.session_cookie().expect("signed in"));
    }
    (out[0].clone(), out[1].clone())
}

/// A finished night that left the friend, so the admin page shows its table and its note.
fn last_night_left_the_friend(app: &TestApp) {
    let friend_id = app.user(&friend()).expect("the friend").id;
    let mut conn = app.app.ctx.pool.get().expect("db");
    let started = sagarr::db::now() - 6 * 3600;
    let night = sagarr::db::nights::start(&mut conn, "clock", started, 6 * 3600).expect("night");
    let tally = sagarr::db::nights::Tally {
        refreshed: 1,
        left: vec![friend_id],
        ai_calls: 1,
        ..Default::default()
    };
    sagarr::db::nights::finish(&mut conn, night, &tally, started + 6 * 3600).expect("night");
}

async fn every_page_passes(javascript: bool, test: &str) {
    if crate::webdriver::unavailable(test) {
        return;
    }
    let Some(axe) = crate::axe::source(test) else {
        return;
    };
    let app = friend_with_picks(Vec::new(), &[(Kind::Movie, 157336)]).await;
    let (friend_cookie, owner_cookie) = cookies(&app).await;
    last_night_left_the_friend(&app);
    for (width, height, dark) in [
        (1280, 900, false),
        (1280, 900, true),
        (390, 844, false),
        (390, 844, true),
    ] {
        let mode = format!(
            "{width}x{height}, {}, JavaScript {}",
            if dark { "dark" } else { "light" },
            if javascript { "on" } else { "off" }
        );
        let browser = Browser::start_with(javascript, width, height, dark).await;
        let check = |what: &str| format!("{what} ({mode})");

        browser.goto(&app.url("/login")).await;
        assert_accessible(&browser, &axe, javascript, &check("/login")).await;

        browser
            .set_cookie(sagarr::auth::session::COOKIE_NAME, &friend_cookie)
            .await;
        for tab in ["movies", "tv", "documentaries"] {
            browser.goto(&app.url(&format!("/?tab={tab}"))).await;
            browser.find("#tab-body").await;
            assert_accessible(&browser, &axe, javascript, &check(&format!("/?tab={tab}"))).await;
        }

        browser.goto(&app.url("/?tab=movies")).await;
        // Every mode sees the details and a skip: find() fails when no card is left.
        browser.find(FIRST_TITLE).await;
        browser.click(FIRST_TITLE).await;
        if javascript {
            browser.wait_for_text("#details-body", "Actor 1 of").await;
            assert_accessible(&browser, &axe, javascript, &check("the details dialog")).await;
            browser.click("#details .dialog-close button").await;
        } else {
            browser.wait_for_text("main", "Actor 1 of").await;
            assert_accessible(&browser, &axe, javascript, &check("the details page")).await;
            browser.goto(&app.url("/?tab=movies")).await;
        }
        browser.find(FIRST_SKIP).await;
        browser.click(FIRST_SKIP).await;
        browser.wait_for_text("#tab-body", "Skipped").await;
        assert_accessible(&browser, &axe, javascript, &check("a card after Skip")).await;

        browser.goto(&app.url("/history")).await;
        assert_accessible(&browser, &axe, javascript, &check("/history")).await;

        browser
            .set_cookie(sagarr::auth::session::COOKIE_NAME, &owner_cookie)
            .await;
        browser.goto(&app.url("/admin")).await;
        browser.find("#users select").await;
        browser.find("table.nights").await;
        browser
            .wait_for_text("#runs", "They go first next night.")
            .await;
        assert_accessible(
            &browser,
            &axe,
            javascript,
            &check("/admin with the rating limits and the last nights"),
        )
        .await;
        browser
            .screenshot(&format!(
                "axe-admin-{}-{}-js-{}",
                if width > 800 { "desktop" } else { "phone" },
                if dark { "dark" } else { "light" },
                if javascript { "on" } else { "off" }
            ))
            .await;
        browser
            .script("document.getElementById('title-nights').scrollIntoView()")
            .await;
        browser
            .screenshot(&format!(
                "axe-admin-nights-{}-{}-js-{}",
                if width > 800 { "desktop" } else { "phone" },
                if dark { "dark" } else { "light" },
                if javascript { "on" } else { "off" }
            ))
            .await;
        browser.quit().await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn with_javascript_every_page_passes_axe_core_in_both_schemes_and_widths() {
    every_page_passes(true, "with_javascript_every_page_passes_axe_core").await;
}

#[actix_web::test]
async fn without_javascript_every_page_passes_axe_core_in_both_schemes_and_widths() {
    every_page_passes(false, "without_javascript_every_page_passes_axe_core").await;
}
