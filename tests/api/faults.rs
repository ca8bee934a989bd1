//! Each upstream in turn answering 500, garbage, 429, or too slowly: pages keep being served
//! from what is stored, the refresh queue drains, and whoever can act is told which service
//! failed and why.

use std::time::Duration;

use awc::http::StatusCode;
use sagarr::fakes::Fault;

use crate::helpers::{TestApp, friend_with_rows, owner};

const FAULTS: [(Fault, &str); 4] = [
    (Fault::ServerError, "HTTP 500"),
    (Fault::Malformed, "could not read"),
    (Fault::RateLimited, "limiting requests"),
    (
        Fault::Slow(Duration::from_secs(5)),
        "did not answer within 2 s",
    ),
];

fn set(app: &TestApp, upstream: &str, fault: Fault) {
    match upstream {
        "Tautulli" => app.fakes.tautulli.set_fault(fault),
        "TMDb" => app.fakes.tmdb.set_fault(fault),
        "Overseerr" => app.fakes.overseerr.set_fault(fault),
        "OpenAI" => app.fakes.openai.set_fault(fault),
        _ => app.fakes.plex.set_fault(fault),
    }
}

#[actix_web::test]
async fn every_upstream_failing_every_way_leaves_pages_served_and_names_the_service() {
    let app = friend_with_rows().await;
    let friend_cookie = app.session_cookie().unwrap();
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let owner_cookie = app.session_cookie().unwrap();

    for (upstream, section) in [
        ("Tautulli", "tautulli"),
        ("TMDb", "tmdb"),
        ("Overseerr", "overseerr"),
        ("OpenAI", "ai"),
        ("plex.tv", ""),
    ] {
        for (n, (fault, reason)) in FAULTS.iter().enumerate() {
            set(&app, upstream, *fault);
            let what = format!("{upstream} {fault:?}");

            // The friend's dashboard comes from the database, whatever the upstream does.
            app.set_session_cookie(&friend_cookie);
            let page = app.get("/").await;
            assert_eq!(page.status, StatusCode::OK, "{what}");
            assert!(
                page.body.contains("class=\"card\""),
                "{what}: the stored rows are served"
            );
            let status = app.refresh_and_wait().await;
            assert!(
                status["state"] == "idle" || status["state"] == "failed",
                "{what}: the queue drained: {status}"
            );
            assert!(
                app.get("/").await.body.contains("class=\"card\""),
                "{what}: rows are still served"
            );

            // Whoever can act is told which service failed, and why.
            app.set_session_cookie(&owner_cookie);
            let message = if section.is_empty() {
                let address = format!("192.0.2.{}", 10 + n);
                app.get_with("/auth/plex", &[("X-Forwarded-For", &address)])
                    .await
                    .body
            } else {
                let page = app
                    .get_with(
                        &format!("/api/admin/test/{section}"),
                        &[("Accept", "application/json")],
                    )
                    .await;
                let json: serde_json::Value = serde_json::from_str(&page.body).unwrap();
                assert_eq!(json["ok"], false, "{what}");
                json["message"].as_str().unwrap().to_owned()
            };
            assert!(
                message.contains(upstream) && message.contains(reason),
                "{what}: {message}"
            );
            set(&app, upstream, Fault::None);
        }
    }
    app.stop().await;
}
