//! Watch together's speed (issue 20): the release binary serves a two-person group's page
//! (both members with a full dashboard stored, no AI call) to wrk at 64 connections, and, in
//! the same run, the caller's own cached dashboard and nginx serving the group page's bytes as
//! a static file. Needs `wrk` and `nginx` (Debian packages wrk, nginx-light).
//! Run: `cargo bench --bench together` (BENCH_SECONDS sets each run's length, default 10).
//!
//! Targets: within the cached dashboard's figures, measured in the same run (on two shared
//! cores the absolute numbers move between runs): at least 0.9 x its requests per second, a
//! p99 at most 1.25 x its p99, no errors, resident memory under 40 MB under load. Each is
//! printed PASS or MISS; any MISS exits 1.

mod common;

use std::time::Duration;

use common::{
    peak_rss_during, sign_in, sign_in_viewers, start_nginx, store_full_dashboard, target, wrk,
};

fn main() {
    common::main_of(run);
}

async fn run() -> bool {
    let seconds = common::seconds_or(10);
    let dir = tempfile::tempdir().expect("temp dir");
    let (plex, owner, app, base) = common::page_bench_app(dir.path()).await;
    let http = common::http_client();
    let cookie = sign_in(&http, &base, &plex, &owner, None).await;
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).expect("database");
    let friend = sign_in_viewers(&http, &base, &plex, &pool, 2, 1).await;
    // Their first-sign-in refreshes fail at once (no Tautulli); let the queue drain.
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    {
        let mut conn = pool.get().expect("connection");
        for user_id in [1, friend[0].1] {
            store_full_dashboard(&pool, user_id);
            sagarr::db::together::set_share(&mut conn, user_id, true).expect("consent");
        }
        sagarr::fakes::catalog::sample_on_plex(&mut conn, 8).expect("availability");
    }
    let url = format!("{base}/together?with=viewer2");
    let mut page = http
        .get(&url)
        .insert_header(("Cookie", cookie.clone()))
        .send()
        .await
        .expect("group page");
    let html = page.body().limit(4 << 20).await.expect("body");
    let shown = String::from_utf8_lossy(&html);
    assert!(
        page.status().is_success() && shown.contains("Watch together with viewer2"),
        "the group's page: {shown}"
    );
    let cards = shown.matches("class=\"card\"").count();

    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    std::fs::write(www.join("index.html"), &html).expect("index");
    let (_nginx, ng_port) = start_nginx(dir.path(), &www).await;
    let nginx = wrk(
        &format!("http://127.0.0.1:{ng_port}/index.html"),
        &[],
        seconds,
    );
    let with_cookie = ["-H".to_owned(), format!("Cookie: {cookie}")];
    let dashboard = wrk(&format!("{base}/"), &with_cookie, seconds);
    let (group, rss) = peak_rss_during(app.0.id(), || wrk(&url, &with_cookie, seconds));
    println!(
        "group page: {} bytes of HTML, {cards} cards, two members, wrk -t2 -c64 -d{seconds}s --latency",
        html.len()
    );
    println!(
        "nginx (same bytes, static):  {:>9.0} req/s  p99 {:>6.2} ms",
        nginx.rps, nginx.p99_ms
    );
    println!(
        "sagarr, cached dashboard:    {:>9.0} req/s  p99 {:>6.2} ms",
        dashboard.rps, dashboard.p99_ms
    );
    println!(
        "sagarr, cached group page:   {:>9.0} req/s  p99 {:>6.2} ms  {:.2} x nginx",
        group.rps,
        group.p99_ms,
        group.rps / nginx.rps
    );
    let mut ok = group.errors == 0 && dashboard.errors == 0;
    ok &= target(
        "cached group page",
        format!("{:.2} x the cached dashboard", group.rps / dashboard.rps),
        ">= 0.9 x",
        group.rps >= 0.9 * dashboard.rps,
    );
    ok &= target(
        "cached group page p99",
        format!(
            "{:.2} ms (dashboard {:.2} ms)",
            group.p99_ms, dashboard.p99_ms
        ),
        "<= 1.25 x the dashboard's",
        group.p99_ms <= 1.25 * dashboard.p99_ms,
    );
    ok &= target(
        "resident memory under load",
        format!("{:.1} MB", rss as f64 / 1024.0),
        "< 40 MB",
        rss < 40 * 1024,
    );
    ok
}
