//! A property test over every route's path, query and form parameters: whatever comes in, the
//! app answers with a status it chose (never 500) and keeps serving.

use awc::http::StatusCode;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use crate::helpers::{TestApp, owner};

/// Hostile values: plausible ids, extremes, traversal, markup, control characters, long text.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..2_000_000).prop_map(|n| n.to_string()),
        Just("-1".to_owned()),
        Just("0".to_owned()),
        Just("99999999999999999999999".to_owned()),
        Just("1e9".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("<script>alert(1)</script>".to_owned()),
        Just("%00".to_owned()),
        Just("movie".to_owned()),
        Just("tv".to_owned()),
        "\\PC{0,40}",
        "[\\x00-\\x1f]{1,8}",
        ".{0,300}",
    ]
}

/// One request to try: method, path with the hostile values in it, form fields.
type Probe<'a> = (&'static str, String, Vec<(&'static str, &'a str)>);

fn enc(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[actix_web::test]
async fn no_parameter_makes_any_route_answer_500() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    // He said yes to Watch together, so its pages go past the consent check.
    assert_eq!(
        app.post("/me/together", &[("share", "on")]).await.status,
        StatusCode::SEE_OTHER
    );
    let cookie = format!("sagarr_session={}", app.session_cookie().unwrap());
    let http = awc::Client::builder().disable_redirects().finish();
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    let strategy = (hostile(), hostile(), hostile());
    for case in 0..48 {
        let (a, b, c) = strategy.new_tree(&mut runner).expect("a case").current();
        let (ea, eb) = (enc(&a), enc(&b));
        let requests: Vec<Probe<'_>> = vec![
            ("GET", format!("/?tab={ea}"), vec![]),
            ("GET", format!("/history?page={ea}"), vec![]),
            ("GET", format!("/login?signed_out={ea}"), vec![]),
            ("GET", format!("/media/{ea}/{eb}/status"), vec![]),
            ("GET", format!("/media/{ea}/{eb}"), vec![]),
            (
                "POST",
                format!("/media/{ea}/{eb}/rate"),
                vec![("rating", &c), ("back", &c)],
            ),
            ("DELETE", format!("/media/{ea}/{eb}/rate"), vec![]),
            (
                "POST",
                format!("/media/{ea}/{eb}/rate/delete"),
                vec![("back", &c)],
            ),
            ("POST", format!("/media/{ea}/{eb}/skip"), vec![("back", &c)]),
            (
                "POST",
                format!("/media/{ea}/{eb}/not-interested"),
                vec![("genre", &c), ("back", &c)],
            ),
            ("DELETE", format!("/history/genres/{ea}"), vec![]),
            (
                "POST",
                format!("/history/genres/{ea}/delete"),
                vec![("back", &c)],
            ),
            (
                "POST",
                format!("/media/{ea}/{eb}/request"),
                vec![("back", &c)],
            ),
            (
                "POST",
                format!("/media/{ea}/{eb}/watchlist"),
                vec![("back", &c)],
            ),
            (
                "POST",
                format!("/admin/settings/{ea}"),
                vec![("url", &b), ("api_key", &c), ("provider", &c)],
            ),
            (
                "POST",
                format!("/admin/test/{ea}"),
                vec![("url", &b), ("model", &c)],
            ),
            ("GET", format!("/api/admin/test/{ea}"), vec![]),
            (
                "POST",
                format!("/admin/users/{ea}/role"),
                vec![("role", &c)],
            ),
            (
                "POST",
                format!("/admin/users/{ea}/rating-limit"),
                vec![("limit", &c)],
            ),
            (
                "POST",
                "/admin/settings/tmdb".to_owned(),
                vec![("language", &c)],
            ),
            ("GET", format!("/static/{ea}"), vec![]),
            ("GET", format!("/{ea}/{eb}"), vec![]),
            ("GET", format!("/together?with={ea}"), vec![]),
            ("GET", format!("/together?pick={ea}&pick={eb}"), vec![]),
            ("POST", "/together/ask".to_owned(), vec![("with", &c)]),
            ("POST", "/me/together".to_owned(), vec![("share", &c)]),
            (
                "POST",
                "/admin/settings/ai".to_owned(),
                vec![("price_input_per_mtok", &c)],
            ),
        ];
        for (method, path, form) in requests {
            let request = match method {
                "GET" => http.get(app.url(&path)),
                "DELETE" => http.delete(app.url(&path)),
                _ => http.post(app.url(&path)),
            }
            .insert_header(("Cookie", cookie.clone()));
            let response = if method == "POST" {
                request.send_form(&form).await
            } else {
                request.send().await
            };
            let status = response
                .map(|r| r.status())
                .unwrap_or_else(|e| panic!("case {case}: {method} {path}: {e}"));
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "case {case}: {method} {path} {form:?}"
            );
        }
        // Whatever a case did (it may have saved odd but valid settings), the app still serves.
        let health = http
            .get(app.url("/api/health"))
            .send()
            .await
            .map(|r| r.status());
        assert_eq!(health.ok(), Some(StatusCode::OK), "case {case}");
    }
    app.stop().await;
}
