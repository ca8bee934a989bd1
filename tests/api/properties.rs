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

/// Every field name the app's forms read.
const FORM_FIELDS: &[&str] = &[
    "back", "rating", "genre", "url", "api_key", "provider", "model", "role", "limit", "language",
    "with", "share",
];

/// `path` with its first parameter `a` and every other `b`.
fn with_params(path: &str, a: &str, b: &str) -> String {
    let mut out = String::new();
    let mut first = true;
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push_str(if first { a } else { b });
        first = false;
        rest = rest[open..].split_once('}').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

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
        // Every route of the table, each path parameter hostile, every form field the app's
        // forms read hostile too (the logout is left out: it would end the session the next
        // probes need; tests/api/sign_in.rs covers it).
        let fields: Vec<(&'static str, &str)> =
            FORM_FIELDS.iter().map(|f| (*f, c.as_str())).collect();
        let mut requests: Vec<Probe<'_>> = sagarr::routes::ROUTES
            .iter()
            .filter(|r| r.path != "/logout")
            .map(|r| {
                let form = if r.method == "POST" {
                    fields.clone()
                } else {
                    Vec::new()
                };
                (r.method.as_str(), with_params(r.path, &ea, &eb), form)
            })
            .collect();
        // What the table does not say: queries, and the fields of real admin sections.
        requests.extend([
            ("GET", format!("/?tab={ea}"), vec![]),
            ("GET", format!("/history?page={ea}"), vec![]),
            ("GET", format!("/login?signed_out={ea}"), vec![]),
            ("GET", format!("/{ea}/{eb}"), vec![]),
            ("GET", format!("/together?with={ea}"), vec![]),
            ("GET", format!("/together?pick={ea}&pick={eb}"), vec![]),
            (
                "POST",
                "/admin/settings/tmdb".to_owned(),
                vec![("language", c.as_str())],
            ),
            (
                "POST",
                "/admin/settings/ai".to_owned(),
                vec![("price_input_per_mtok", c.as_str())],
            ),
            (
                "POST",
                "/admin/settings/tautulli".to_owned(),
                vec![("url", b.as_str()), ("api_key", c.as_str())],
            ),
        ]);
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
