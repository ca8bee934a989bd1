//! Every route in docs/http.md, tried anonymously, as a user, as an admin and cross-site, with
//! the answer the contract documents for each.

use awc::http::StatusCode;

use crate::helpers::{Page, TestApp, friend_with_rows, owner};

const S303: u16 = 303;

/// (method, path, form, json, anonymous, user, admin). `json` asks for JSON with Accept.
type Row = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
    u16,
    u16,
    u16,
);

const ROUTES: &[Row] = &[
    ("GET", "/api/health", &[], true, 200, 200, 200),
    ("GET", "/login", &[], false, 200, S303, S303),
    ("GET", "/auth/plex", &[], false, S303, S303, S303),
    ("GET", "/auth/plex/callback", &[], false, 400, 400, 400),
    ("GET", "/", &[], false, S303, 200, 200),
    ("GET", "/?tab=tv", &[], false, S303, 200, 200),
    ("GET", "/history", &[], false, S303, 200, 200),
    (
        "POST",
        "/media/movie/264660/rate",
        &[("rating", "1")],
        false,
        S303,
        S303,
        S303,
    ),
    (
        "DELETE",
        "/media/movie/264660/rate",
        &[],
        false,
        S303,
        S303,
        S303,
    ),
    (
        "POST",
        "/media/movie/157336/skip",
        &[],
        false,
        S303,
        S303,
        S303,
    ),
    (
        "POST",
        "/media/movie/300668/not-interested",
        &[("genre", "27")],
        false,
        S303,
        S303,
        S303,
    ),
    ("DELETE", "/history/genres/27", &[], false, S303, S303, S303),
    (
        "POST",
        "/history/genres/27/delete",
        &[],
        false,
        S303,
        404,
        404,
    ),
    (
        "POST",
        "/media/movie/157336/rate/delete",
        &[],
        false,
        S303,
        S303,
        S303,
    ),
    (
        "POST",
        "/media/movie/300668/request",
        &[],
        false,
        S303,
        S303,
        S303,
    ),
    (
        "POST",
        "/media/tv/70523/watchlist",
        &[],
        false,
        S303,
        S303,
        S303,
    ),
    ("GET", "/media/tv/70523/status", &[], true, 401, 200, 200),
    ("POST", "/refresh", &[], false, S303, S303, S303),
    ("GET", "/refresh/status", &[], true, 401, 200, 200),
    ("GET", "/admin", &[], false, S303, 403, 200),
    (
        "POST",
        "/admin/settings/tmdb",
        &[("api_key", "")],
        false,
        S303,
        403,
        S303,
    ),
    (
        "POST",
        "/admin/test/tmdb",
        &[("api_key", "")],
        false,
        S303,
        403,
        S303,
    ),
    ("GET", "/api/admin/test/tmdb", &[], true, 401, 403, 200),
    ("POST", "/admin/refresh", &[], false, S303, 403, S303),
    (
        "POST",
        "/admin/users/9999/role",
        &[("role", "user")],
        false,
        S303,
        403,
        404,
    ),
    (
        "POST",
        "/admin/users/9999/remove",
        &[],
        false,
        S303,
        403,
        404,
    ),
    ("POST", "/logout", &[], false, S303, S303, S303),
];

async fn call(app: &TestApp, (method, path, form, json, ..): &Row, extra: &[(&str, &str)]) -> Page {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut request = match *method {
        "GET" => client.get(app.url(path)),
        "DELETE" => client.delete(app.url(path)),
        _ => client.post(app.url(path)),
    };
    if *json {
        request = request.insert_header(("Accept", "application/json"));
    }
    for (name, value) in extra {
        request = request.insert_header((*name, *value));
    }
    let form = (*method != "GET").then_some(*form);
    app.send(request, form).await
}

#[actix_web::test]
async fn every_route_answers_as_documented_for_each_kind_of_caller() {
    let app = friend_with_rows().await;
    let friend_cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin_cookie = app.session_cookie().unwrap();

    for (who, cookie) in [
        ("anonymous", None),
        ("user", Some(&friend_cookie)),
        ("admin", Some(&admin_cookie)),
    ] {
        for route in ROUTES {
            app.forget_cookies();
            if let Some(cookie) = cookie {
                app.set_session_cookie(cookie);
            }
            let expected = match who {
                "anonymous" => route.4,
                "user" => route.5,
                _ => route.6,
            };
            // The logout route would end the session the next rows need: it is tried last.
            let page = call(&app, route, &[]).await;
            assert_eq!(
                page.status.as_u16(),
                expected,
                "{who} {} {}: {}",
                route.0,
                route.1,
                page.body
            );
            if expected == 303
                && who == "anonymous"
                && route.1 != "/auth/plex"
                && route.1 != "/logout"
            {
                assert_eq!(
                    page.location(),
                    Some("/login"),
                    "{who} {} {}",
                    route.0,
                    route.1
                );
            }
            assert_ne!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
        }
        // The logout at the end of the table ended this session: sign back in.
        if who == "user" {
            app.forget_cookies();
            app.signed_in_as(&crate::helpers::friend()).await;
        }
    }

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    for route in ROUTES.iter().filter(|r| r.0 != "GET") {
        let page = call(&app, route, &[("Origin", "http://evil.example")]).await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "cross-site {} {}",
            route.0,
            route.1
        );
    }
    assert_eq!(
        app.get("/admin").await.status,
        StatusCode::OK,
        "the cross-site logout changed nothing"
    );
    app.stop().await;
}
