//! The header fits a phone (docs/accessibility.md "The header on a phone"): at 320 and 390 px, with
//! JavaScript on and off, every link and button of the top bar lies within the width asked
//! for. Measured against that width, not `window.innerWidth`: Chromium lays a page that is too
//! wide out wider than the device, so `innerWidth` grows with it and hides the cut.

use crate::helpers::{TestApp, owner};
use crate::webdriver::Browser;

/// Each header control's label and its left and right edges, in CSS pixels.
const MEASURE: &str = r#"const done = arguments[arguments.length - 1];
done([...document.querySelectorAll('.topbar a, .topbar button')].map(e => {
  const r = e.getBoundingClientRect();
  return [e.textContent.trim() || e.getAttribute('aria-label') || '?', r.left, r.right];
}));"#;

async fn header_fits(javascript: bool, test: &str) {
    if crate::webdriver::unavailable(test) {
        return;
    }
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let cookie = app.session_cookie().expect("signed in");
    for width in [320_u32, 390] {
        let browser = Browser::phone(javascript, width, 800).await;
        browser.goto(&app.url("/login")).await;
        browser
            .set_cookie(sagarr::auth::session::COOKIE_NAME, &cookie)
            .await;
        for page in ["/", "/history", "/admin", "/me", "/together"] {
            browser.goto(&app.url(page)).await;
            browser.find(".topbar").await;
            let measured = browser.script_async(MEASURE).await;
            let controls = measured.as_array().cloned().unwrap_or_default();
            let labels: Vec<String> = controls
                .iter()
                .map(|c| c[0].as_str().unwrap_or_default().to_owned())
                .collect();
            for needed in ["Watch together", "My history", "Admin", "Sign out"] {
                assert!(
                    labels.iter().any(|l| l == needed),
                    "{page} at {width} px: {needed} missing from {labels:?}"
                );
            }
            for control in &controls {
                let (label, left, right) = (
                    control[0].as_str().unwrap_or_default(),
                    control[1].as_f64().unwrap_or(-1.0),
                    control[2].as_f64().unwrap_or(f64::MAX),
                );
                assert!(
                    left >= 0.0 && right <= f64::from(width) + 0.5,
                    "{page} at {width} px, JavaScript {}: \"{label}\" lies at {left}..{right}",
                    if javascript { "on" } else { "off" }
                );
            }
            browser
                .screenshot(&format!(
                    "header-{}-{width}-js-{}",
                    page.trim_matches('/').replace('/', "-"),
                    if javascript { "on" } else { "off" }
                ))
                .await;
        }
        browser.quit().await;
    }
    app.stop().await;
}

#[actix_web::test]
async fn with_javascript_the_header_fits_a_phone_from_320_px() {
    header_fits(true, "browser_header::with_javascript").await;
}

#[actix_web::test]
async fn without_javascript_the_header_fits_a_phone_from_320_px() {
    header_fits(false, "browser_header::without_javascript").await;
}
