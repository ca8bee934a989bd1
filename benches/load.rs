//! Mixed load: 20 signed-in users with full dashboards; wrk at 64 connections, three runs, each
//! request a random user's dashboard tab (95 %) or a rating of a random title (5 %, HTMX, from
//! the movies tab, as the card's button sends it; BENCH_RATINGS sets the share). In the
//! same run nginx serves the same three pages as static files, asked at random, in turns with
//! the app (`common::in_turns`: 2 s each, alternating). The app's CPU time per request is
//! printed beside each run.
//! Targets (issues 7, 14 and 21): zero errors, at least 0.8 x nginx, p99 at most 1.5 x nginx's
//! p99 in the same run, resident memory under 40 MB and flat across the runs. Each is printed PASS or MISS; any MISS exits 1.
//! Run: `cargo bench --bench load` (needs wrk and nginx; BENCH_SECONDS sets each run's length,
//! BENCH_USERS the number of users, 20 by default: 3 puts 64 connections on few pages, where
//! each rating makes pages that many views wait for stale).

mod common;

use std::time::Duration;

use sagarr::fakes::plex::{FakeAccount, FakePlex};
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::media::Kind;

use common::{
    SideBySide, app_in_turns, rss_kib, sign_in, sign_in_viewers, start_nginx, start_sagarr,
    store_full_dashboard, target, wrk,
};

const RUNS: usize = 3;
const TABS: [&str; 3] = ["movies", "tv", "documentaries"];

fn main() {
    common::main_of(run);
}

async fn run() -> bool {
    let seconds = common::seconds_or(60);
    let users: i64 = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(20);
    // The share of requests that are ratings, in percent (5 by default): 0 and 100 show what a
    // view and what a rating cost alone.
    let ratings: u32 = std::env::var("BENCH_RATINGS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n <= 100)
        .unwrap_or(5);
    let plex = FakePlex::start().expect("fake plex");
    let tmdb = FakeTmdb::start("tmdb").expect("fake tmdb");
    let dir = tempfile::tempdir().expect("temp dir");
    let env = vec![
        ("SAGARR_DATA_DIR", dir.path().display().to_string()),
        ("PLEX_TV_URL", plex.url.clone()),
        ("TMDB_API_URL", tmdb.url.clone()),
        ("TMDB_API_KEY", "tmdb".into()),
        ("TAUTULLI_URL", "http://127.0.0.1:9".into()),
        ("TAUTULLI_API_KEY", "unused".into()),
        ("SAGARR_LOG", "error".into()),
    ];
    let (app, base) = start_sagarr(common::free_port(), env).await;
    let http = common::http_client();

    // The first account is the admin (Tautulli is down, so the others are let in as admins).
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).expect("database");
    let admin = FakeAccount::new(9_000, "viewer0");
    plex.add_account(admin.clone());
    let mut cookies = vec![sign_in(&http, &base, &plex, &admin, None).await];
    let viewers = sign_in_viewers(&http, &base, &plex, &pool, 9_001, users - 1).await;
    cookies.extend(viewers.into_iter().map(|(cookie, _)| cookie));
    actix_web::rt::time::sleep(Duration::from_millis(500)).await; // first-sign-in refreshes end (no Tautulli)
    for user_id in 1..=users as i32 {
        store_full_dashboard(&pool, user_id);
    }

    // nginx's yardstick: the admin's three tabs, byte for byte.
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    for tab in TABS {
        let mut page = http
            .get(format!("{base}/?tab={tab}"))
            .insert_header(("Cookie", cookies[0].clone()))
            .send()
            .await
            .expect("tab");
        let html = page.body().limit(4 << 20).await.expect("body");
        std::fs::write(www.join(format!("{tab}.html")), &html).expect("page");
    }
    let (_nginx, ng_port) = start_nginx(dir.path(), &www).await;
    let static_script = common::tabs_at_random(dir.path());

    let ids: Vec<String> = sagarr::fakes::catalog::TITLES
        .iter()
        .filter(|t| t.kind == Kind::Movie)
        .map(|t| t.tmdb_id.to_string())
        .collect();
    let script = dir.path().join("mixed.lua");
    std::fs::write(
        &script,
        format!(
            r#"local cookies = {{ {cookies} }}
local ids = {{ {ids} }}
local tabs = {{ "movies", "tv", "documentaries" }}
request = function()
  local cookie = cookies[math.random(#cookies)]
  if math.random(100) <= {ratings} then
    local rating = "1"
    if math.random(2) == 1 then rating = "-1" end
    return wrk.format("POST", "/media/movie/" .. ids[math.random(#ids)] .. "/rate",
      {{ ["Cookie"] = cookie, ["Origin"] = "{base}", ["HX-Request"] = "true",
        ["Content-Type"] = "application/x-www-form-urlencoded" }},
      "rating=" .. rating .. "&back=%2F%3Ftab%3Dmovies")
  end
  return wrk.format("GET", "/?tab=" .. tabs[math.random(#tabs)], {{ ["Cookie"] = cookie }})
end
"#,
            cookies = cookies
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", "),
            ids = ids.join(", "),
        ),
    )
    .expect("lua script");

    let idle = rss_kib(app.0.id());
    let mut ok = true;
    let mut peaks = Vec::new();
    println!(
        "{users} users, full dashboards, wrk -t2 -c64 -d{seconds}s: {} % views, {ratings} % ratings \
         (HTMX, from the movies tab)",
        100 - ratings
    );
    println!("resident memory idle: {:.1} MB", idle as f64 / 1024.0);
    for run in 1..=RUNS {
        let pid = app.0.id();
        let SideBySide {
            yardstick: nginx,
            app: result,
            cpu_us: cpu,
            peak_kib: peak,
        } = app_in_turns(
            pid,
            seconds,
            |s| {
                wrk(
                    &format!("http://127.0.0.1:{ng_port}/"),
                    &["-s".to_owned(), static_script.display().to_string()],
                    s,
                )
            },
            |s| {
                wrk(
                    &format!("{base}/"),
                    &["-s".to_owned(), script.display().to_string()],
                    s,
                )
            },
        );
        peaks.push(peak);
        let ratio = result.rps / nginx.rps;
        println!(
            "run {run}: nginx {:>7.0} req/s p99 {:>5.2} ms | sagarr {:>7.0} req/s p99 {:>5.2} ms \
             ({ratio:.2} x nginx)  errors {}  peak memory {:.1} MB  app CPU {cpu:.1} µs a request",
            nginx.rps,
            nginx.p99_ms,
            result.rps,
            result.p99_ms,
            result.errors,
            peak as f64 / 1024.0
        );
        ok &= target(
            "no errors",
            result.errors.to_string(),
            "0",
            result.errors == 0,
        );
        ok &= target(
            "mixed load",
            format!("{ratio:.2} x nginx"),
            ">= 0.8 x",
            ratio >= 0.8,
        );
        ok &= target(
            "mixed load p99",
            format!(
                "{:.2} ms, {:.2} x nginx's",
                result.p99_ms,
                result.p99_ms / nginx.p99_ms
            ),
            "<= 1.5 x nginx's p99",
            result.p99_ms <= 1.5 * nginx.p99_ms,
        );
        ok &= target(
            "resident memory under load",
            format!("{:.1} MB", peak as f64 / 1024.0),
            "< 40 MB",
            peak < 40 * 1024,
        );
    }
    // Flat: the last run's peak within 10 % (or 4 MB) of the first's.
    let (first, last) = (peaks[0], peaks[RUNS - 1]);
    ok &= target(
        "memory flat across runs",
        format!(
            "{:.1} MB then {:.1} MB",
            first as f64 / 1024.0,
            last as f64 / 1024.0
        ),
        "within 10 % or 4 MB",
        last <= first + (first / 10).max(4 * 1024),
    );
    println!("{}", if ok { "PASS" } else { "FAIL" });
    ok
}
