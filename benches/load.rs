//! Issue 7's load: 20 signed-in users with full dashboards; wrk at 64 connections for 60 s,
//! three runs, each request a random user's dashboard tab (95 %) or a rating of a random title
//! (5 %). Targets: zero errors, p99 under 20 ms, resident memory flat across the runs.
//! Run: `cargo bench --bench load` (needs wrk; BENCH_SECONDS sets each run's length).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use sagarr::fakes::catalog::sample_rows;
use sagarr::fakes::plex::{FakeAccount, FakePlex};
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::media::Kind;

use common::{free_port, rss_kib, sign_in, start_sagarr, wrk};

const USERS: i64 = 20;
const RUNS: usize = 3;

fn main() {
    let ok = actix_web::rt::System::new().block_on(run());
    if !ok {
        std::process::exit(1);
    }
}

async fn run() -> bool {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let plex = FakePlex::start().expect("fake plex");
    let tmdb = FakeTmdb::start("tmdb").expect("fake tmdb");
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut env = vec![
        ("SAGARR_DATA_DIR", dir.path().display().to_string()),
        ("PLEX_TV_URL", plex.url.clone()),
        ("TMDB_API_URL", tmdb.url.clone()),
        ("TMDB_API_KEY", "tmdb".into()),
        ("TAUTULLI_URL", "http://127.0.0.1:9".into()),
        ("TAUTULLI_API_KEY", "unused".into()),
        ("SAGARR_LOG", "error".into()),
    ];
    // Passed through to compare allocator settings (glibc arenas) across runs.
    env.extend(
        std::env::var("MALLOC_ARENA_MAX")
            .ok()
            .map(|v| ("MALLOC_ARENA_MAX", v)),
    );
    let (app, base) = start_sagarr(port, env).await;
    let http = awc::Client::builder()
        .disable_redirects()
        .timeout(Duration::from_secs(10))
        .finish();

    // Sign everyone in as a browser would (the first is the admin; Tautulli is down, so the
    // others are let in as admins made by the first). Each from his own address.
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).expect("database");
    let mut cookies = Vec::new();
    for n in 0..USERS {
        let account = FakeAccount::new(9_000 + n, &format!("viewer{n}"));
        plex.add_account(account.clone());
        if n > 0 {
            // Only admins get in without Tautulli: make each account an admin before it signs in.
            let mut conn = pool.get().expect("connection");
            let signed = sagarr::db::users::SignedInAccount {
                plex_id: account.id,
                username: account.username.clone(),
                email: None,
                avatar_url: None,
                plex_token: account.token.clone(),
            };
            let user = sagarr::db::users::record_sign_in(&mut conn, &signed, sagarr::db::now())
                .expect("user");
            sagarr::db::users::set_role(&mut conn, user.id, sagarr::db::users::ADMIN)
                .expect("role");
        }
        let from = Some(format!("198.51.100.{n}"));
        cookies.push(sign_in(&http, &base, &plex, &account, from).await);
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await; // first-sign-in refreshes end (no Tautulli)
    let mut conn = pool.get().expect("connection");
    for user_id in 1..=USERS as i32 {
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
        sagarr::db::recommendations::replace(&mut conn, user_id, &tabs, sagarr::db::now())
            .expect("rows");
    }
    drop(conn);

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
  if math.random(100) <= 5 then
    local rating = "1"
    if math.random(2) == 1 then rating = "-1" end
    return wrk.format("POST", "/media/movie/" .. ids[math.random(#ids)] .. "/rate",
      {{ ["Cookie"] = cookie, ["Origin"] = "{base}", ["Content-Type"] = "application/x-www-form-urlencoded" }}, "rating=" .. rating)
  end
  return wrk.format("GET", "/?tab=" .. tabs[math.random(#tabs)], {{ ["Cookie"] = cookie }})
end
"#,
            cookies = cookies.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", "),
            ids = ids.join(", "),
        ),
    )
    .expect("lua script");

    let idle = rss_kib(app.0.id());
    let mut ok = true;
    let mut peaks = Vec::new();
    println!("{USERS} users, full dashboards, wrk -t2 -c64 -d{seconds}s: 95 % views, 5 % ratings");
    println!("resident memory idle: {:.1} MB", idle as f64 / 1024.0);
    for run in 1..=RUNS {
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
        let result = wrk(
            &format!("{base}/"),
            &["-s".to_owned(), script.display().to_string()],
            seconds,
        );
        sampling.store(false, Ordering::Relaxed);
        let _ = sampler.join();
        let peak = peak.load(Ordering::Relaxed);
        peaks.push(peak);
        println!(
            "run {run}: {:>7.0} req/s  p99 {:>6.2} ms  errors {}  peak memory {:.1} MB",
            result.rps,
            result.p99_ms,
            result.errors,
            peak as f64 / 1024.0
        );
        ok &= result.errors == 0 && result.p99_ms < 20.0;
    }
    // Flat: the last run's peak within 10 % (or 4 MB) of the first's.
    let (first, last) = (peaks[0], peaks[RUNS - 1]);
    let flat = last <= first + (first / 10).max(4 * 1024);
    println!(
        "memory flat across runs: {flat} ({:.1} MB then {:.1} MB)",
        first as f64 / 1024.0,
        last as f64 / 1024.0
    );
    ok &= flat;
    println!("{}", if ok { "PASS" } else { "FAIL" });
    ok
}
