//! Dashboard throughput and memory: the release binary serves a signed-in user's full
//! dashboard (6 rows of 8 cards) to wrk at 64 connections, and nginx serves the same bytes as
//! a static file in the same run. Needs `wrk` and `nginx` (Debian packages wrk, nginx-light).
//! Run: `cargo bench --bench dashboard` (BENCH_SECONDS sets each run's length, default 10).
//! The dashboard opens with "On your Plex now" (eight picks on Plex, issue 13).
//!
//! Targets (issue 5): at least half of nginx's requests per second, p99 under 20 ms, resident
//! memory under 30 MB idle and under 80 MB during the load.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sagarr::fakes::catalog::sample_rows;
use sagarr::fakes::plex::{FakeAccount, FakePlex};
use sagarr::media::Kind;

use common::{Killed, free_port, rss_kib, sign_in, start_sagarr, wrk};

fn main() {
    // Exit only after run() has stopped the app and nginx (their guards drop inside it).
    let ok = actix_web::rt::System::new().block_on(run());
    if !ok {
        std::process::exit(1);
    }
}

async fn run() -> bool {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let plex = FakePlex::start().expect("fake plex");
    let owner = FakeAccount::new(1, "Owner");
    plex.add_account(owner.clone());
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let (app, base) = start_sagarr(
        port,
        vec![
            ("SAGARR_DATA_DIR", dir.path().display().to_string()),
            ("PLEX_TV_URL", plex.url.clone()),
            ("TMDB_API_KEY", "unused".into()),
            ("TAUTULLI_URL", "http://127.0.0.1:9".into()),
            ("TAUTULLI_API_KEY", "unused".into()),
            ("SAGARR_LOG", "error".into()),
        ],
    )
    .await;
    let http = awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(10))
        .finish();
    let cookie = sign_in(&http, &base, &plex, &owner, None).await;

    // Let the first-sign-in refresh end (it fails: no Tautulli here), then store a full dashboard.
    for _ in 0..200 {
        let mut res = http
            .get(format!("{base}/refresh/status"))
            .insert_header(("Cookie", cookie.clone()))
            .send()
            .await
            .expect("status");
        let body = res.body().await.unwrap_or_default();
        if !String::from_utf8_lossy(&body).contains("\"running\"")
            && !String::from_utf8_lossy(&body).contains("\"queued\"")
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).expect("database");
    let tabs: Vec<(&str, String)> = [
        ("movies", Kind::Movie),
        ("tv", Kind::Tv),
        ("documentaries", Kind::Movie),
    ]
    .into_iter()
    .map(|(tab, kind)| {
        (
            tab,
            serde_json::to_string(&sample_rows(kind, 6, 8)).expect("json"),
        )
    })
    .collect();
    let mut conn = pool.get().expect("connection");
    sagarr::db::recommendations::replace(&mut conn, 1, &tabs, sagarr::db::now()).expect("rows");
    // Eight picks are on Plex: the page opens with "On your Plex now", each with its link.
    sagarr::fakes::catalog::sample_on_plex(&mut conn, 8).expect("availability");
    drop(conn);

    let mut page = http
        .get(format!("{base}/"))
        .insert_header(("Cookie", cookie.clone()))
        .send()
        .await
        .expect("dashboard");
    let html = page.body().limit(4 << 20).await.expect("body");
    let shown = String::from_utf8_lossy(&html);
    assert!(
        shown.matches("class=\"card\"").count() == 48 && shown.contains("On your Plex now"),
        "a full dashboard, On your Plex now on top"
    );
    let idle_rss = rss_kib(app.0.id());

    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    std::fs::write(www.join("index.html"), &html).expect("index");
    let ng_port = free_port();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "daemon off; worker_processes auto; pid {0}/nginx.pid; error_log {0}/nginx.err;\n\
             events {{ worker_connections 1024; }}\n\
             http {{ access_log off; server {{ listen 127.0.0.1:{ng_port}; root {1}; }} }}\n",
            dir.path().display(),
            www.display()
        ),
    )
    .expect("nginx.conf");
    let _nginx = Killed(
        Command::new("nginx")
            .arg("-c")
            .arg(&conf)
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx (apt-get install nginx-light)"),
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let nginx = wrk(
        &format!("http://127.0.0.1:{ng_port}/index.html"),
        &[],
        seconds,
    );
    let peak = Arc::new(AtomicU64::new(0));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (peak.clone(), sampling.clone(), app.0.id());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let sagarr = wrk(
        &format!("{base}/"),
        &["-H".to_owned(), format!("Cookie: {cookie}")],
        seconds,
    );
    sampling.store(false, Ordering::Relaxed);
    let _ = sampler.join();
    let load_rss = peak.load(Ordering::Relaxed);

    let ratio = sagarr.rps / nginx.rps;
    println!(
        "dashboard: {} bytes of HTML, 48 cards, wrk -t2 -c64 -d{seconds}s --latency",
        html.len()
    );
    println!(
        "nginx (same bytes, static): {:>9.0} req/s  p99 {:>6.2} ms",
        nginx.rps, nginx.p99_ms
    );
    println!(
        "sagarr (signed in):         {:>9.0} req/s  p99 {:>6.2} ms  ({ratio:.2} x nginx, target >= 0.5)",
        sagarr.rps, sagarr.p99_ms
    );
    println!("errors: {} (non-2xx or socket)", sagarr.errors);
    println!(
        "resident memory: {:.1} MB idle (target < 30), {:.1} MB peak under load (target < 80)",
        idle_rss as f64 / 1024.0,
        load_rss as f64 / 1024.0
    );
    let ok = ratio >= 0.5
        && sagarr.p99_ms < 20.0
        && idle_rss < 30 * 1024
        && load_rss < 80 * 1024
        && sagarr.errors == 0;
    println!("{}", if ok { "PASS" } else { "FAIL" });
    ok
}
