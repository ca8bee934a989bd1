//! Issue 15: every card action by keyboard alone, in headless Chromium with JavaScript on.
//! Tab reaches each control with a visible focus; Enter and Space work them; after Skip or
//! Seen it the focus moves to the next card, never to the top of the page; the details dialog
//! keeps the focus inside, closes on Esc and gives the focus back to the card it came from.

use sagarr::media::Kind;
use serde_json::Value;

use crate::browser::sign_in;
use crate::helpers::friend_with_picks;
use crate::webdriver::Browser;

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";
const SPACE: &str = " ";

/// What has the focus: "card id|tag|label", the label being aria-label or the text.
async fn focused(browser: &Browser) -> String {
    let value = browser
        .script(
            "const a = document.activeElement; const card = a.closest('article.card'); \
             return (card ? card.id : '') + '|' + a.tagName + '|' + \
             (a.getAttribute('aria-label') || a.textContent.trim());",
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// The focused element matches :focus-visible and draws a ring (the stylesheet's box-shadow).
async fn focus_is_visible(browser: &Browser) -> bool {
    browser
        .script(
            "const a = document.activeElement; return a !== document.body && \
             a.matches(':focus-visible') && getComputedStyle(a).boxShadow !== 'none';",
        )
        .await
        == Value::Bool(true)
}

/// Presses Tab until the focus is on a control whose "card|tag|label" satisfies `wanted`.
async fn tab_to(browser: &Browser, what: &str, wanted: impl Fn(&str) -> bool) -> String {
    for _ in 0..150 {
        browser.press(TAB).await;
        let now = focused(browser).await;
        if wanted(&now) {
            assert!(
                focus_is_visible(browser).await,
                "{what}: the focus ring shows on {now}"
            );
            return now;
        }
    }
    panic!("Tab never reached {what}");
}

fn card_of(focus: &str) -> String {
    focus.split('|').next().unwrap_or_default().to_owned()
}

/// Waits until the focus is on a live card other than `left` (the page may still be swapping).
async fn wait_focus_moves_from(browser: &Browser, left: &str) -> String {
    for _ in 0..100 {
        let now = focused(browser).await;
        let card = card_of(&now);
        if !card.is_empty() && card != left && !now.contains("|BODY|") {
            return now;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "after the action on {left} the focus did not move to another card; it is on {}",
        focused(browser).await
    );
}

async fn dialog_holds_focus(browser: &Browser) -> bool {
    browser
        .script(
            "const d = document.getElementById('details'); \
             return d.open && d.contains(document.activeElement);",
        )
        .await
        == Value::Bool(true)
}

#[actix_web::test]
async fn every_card_action_works_by_keyboard_and_the_focus_follows() {
    if crate::webdriver::unavailable("every_card_action_works_by_keyboard") {
        return;
    }
    let app = friend_with_picks(Vec::new(), &[(Kind::Movie, 157336)]).await;
    let browser = Browser::start(true, 1280, 900).await;
    sign_in(&browser, &app, "Friend").await;
    browser.goto(&app.url("/?tab=movies")).await;
    browser.find("#tab-body article.card").await;

    // Skip with Enter: the focus goes to the next card, not to the top.
    let skip = tab_to(&browser, "a Skip button", |f| f.contains("|BUTTON|Skip ")).await;
    let skipped = card_of(&skip);
    browser.press(ENTER).await;
    browser
        .wait_for_text(&format!("#{skipped}"), "Skipped")
        .await;
    let after_skip = wait_focus_moves_from(&browser, &skipped).await;
    assert!(
        focus_is_visible(&browser).await,
        "the focus shows after Skip: {after_skip}"
    );

    // Seen it with Space, then a thumb with Enter: the focus moves on again.
    let seen = tab_to(&browser, "a Seen it summary", |f| {
        f.ends_with("|SUMMARY|Seen it")
    })
    .await;
    let rated = card_of(&seen);
    browser.press(SPACE).await;
    assert_eq!(
        browser
            .script("return document.activeElement.parentElement.open")
            .await,
        Value::Bool(true),
        "Space opens Seen it"
    );
    let thumb = tab_to(&browser, "the liked button", |f| {
        f.contains("Seen it: liked")
    })
    .await;
    assert_eq!(card_of(&thumb), rated, "the thumbs belong to that card");
    browser.press(ENTER).await;
    let after_rating = wait_focus_moves_from(&browser, &rated).await;
    assert!(!after_rating.is_empty());

    // The details dialog: Enter opens it, Tab stays inside, Esc closes it and the focus
    // returns to the title it was opened from.
    let title = tab_to(&browser, "a card's title link", |f| {
        f.contains("|A|") && !f.starts_with('|') && !f.contains("Play ")
    })
    .await;
    let opened_from = card_of(&title);
    browser.press(ENTER).await;
    browser.wait_for_text("#details-body", "Actor 1 of").await;
    for _ in 0..100 {
        if dialog_holds_focus(&browser).await {
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for press in 0..12 {
        assert!(
            dialog_holds_focus(&browser).await,
            "Tab {press}: the focus left the dialog for {}",
            focused(&browser).await
        );
        browser.press(TAB).await;
    }
    browser.press(ESCAPE).await;
    assert_eq!(
        browser
            .script("return document.getElementById('details').open")
            .await,
        Value::Bool(false),
        "Esc closes the dialog"
    );
    let back = focused(&browser).await;
    assert_eq!(
        card_of(&back),
        opened_from,
        "the focus is back on the card: {back}"
    );
    assert!(back.contains("|A|"), "on its title link: {back}");
    browser.screenshot("keyboard-focus-desktop").await;
    browser.quit().await;
    app.stop().await;
}
