//! The nightly's policy (issue 16) on 50 users, 10 of whom watched something since their last
//! refresh, against fake upstreams with 100 ms latency and a 2 s AI.
//! Run: `cargo bench --bench nightly`. Figures and how to read them: docs/performance.md.
//!
//! Targets: the night asks the AI 10 times (once per changed user), and takes at most 1.1 x
//! ceil(10 / concurrency) x one user's refresh time (measured alone, same conditions, warm
//! caches): the 40 unchanged users cost one Tautulli call each, alongside the refreshes.

mod common;

use std::time::{Duration, Instant};

use sagarr::config::Config;
use sagarr::db;
use sagarr::engine::Trigger;
use sagarr::fakes::ai::FakeAi;
use sagarr::fakes::overseerr::FakeOverseerr;
use sagarr::fakes::plex::FakePlex;
use sagarr::fakes::tautulli::{FakeTautulli, LibraryItem};
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::fakes::{Fault, Flavor};
use sagarr::jobs::night::{self, Fate, Starter};
use sagarr::startup::Application;

const USERS: i64 = 50;
const CHANGED: i64 = 10;
const LATENCY: Duration = Duration::from_millis(100);
const AI_TIME: Duration = Duration::from_secs(2);
const ANSWER: &str = r#"{"categories": [
  {"title": "Mind-bending", "reason": "r", "kind": "movie", "items": [
    {"title": "Inception", "year": 2010, "because": "The Matrix"}, {"title": "Annihilation", "year": 2018, "because": "Arrival"},
    {"title": "Ex Machina", "year": 2015, "because": "The Matrix"}, {"title": "Interstellar", "year": 2014, "because": "Arrival"}]},
  {"title": "Sagas", "reason": "r", "kind": "tv", "items": [
    {"title": "Dark", "year": 2017, "because": "Game of Thrones"}, {"title": "Breaking Bad", "year": 2008, "because": "Game of Thrones"}]}]}"#;

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    actix_web::rt::System::new().block_on(run());
}

async fn run() {
    let plex = FakePlex::start().expect("fake plex");
    let tautulli = FakeTautulli::start("key").expect("fake tautulli");
    let tmdb = FakeTmdb::start("tmdbkey").expect("fake tmdb");
    let overseerr = FakeOverseerr::start("okey", 1).expect("fake overseerr");
    let ai = FakeAi::start(Flavor::OpenAi, Some("sk"), &["gpt-4o-mini"]).expect("fake ai");
    ai.set_default_reply(ANSWER);

    tautulli.add_item(
        "100",
        LibraryItem::Movie {
            title: "Arrival".into(),
            year: 2016,
            tmdb_id: 329865,
        },
    );
    tautulli.add_item(
        "101",
        LibraryItem::Movie {
            title: "The Matrix".into(),
            year: 1999,
            tmdb_id: 603,
        },
    );
    tautulli.add_item(
        "1219",
        LibraryItem::Show {
            title: "Game of Thrones".into(),
            year: 2011,
            tmdb_id: 1399,
        },
    );
    tautulli.add_item(
        "2001",
        LibraryItem::Episode {
            show: "Game of Thrones".into(),
            show_rating_key: "1219".into(),
            show_tmdb_id: 1399,
            season: 1,
            episode: 1,
        },
    );
    for user in 1..=USERS {
        for key in ["100", "101", "2001"] {
            tautulli.add_play(1000 + user, key, 100, 1_790_000_000);
        }
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let env = [
        ("SAGARR_BIND", "127.0.0.1:0".to_owned()),
        ("SAGARR_DATA_DIR", dir.path().display().to_string()),
        ("PLEX_TV_URL", plex.url.clone()),
        ("TAUTULLI_URL", tautulli.url.clone()),
        ("TAUTULLI_API_KEY", "key".into()),
        ("TMDB_API_URL", tmdb.url.clone()),
        ("TMDB_API_KEY", "tmdbkey".into()),
        ("OVERSEERR_URL", overseerr.url.clone()),
        ("OVERSEERR_API_KEY", "okey".into()),
        ("AI_PROVIDER", "openai".into()),
        ("AI_BASE_URL", ai.openai_base()),
        ("AI_API_KEY", "sk".into()),
        ("SAGARR_LOG", "warn".into()),
    ];
    let mut config =
        Config::from_lookup(|n| env.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone()))
            .expect("config");
    config.nightly_clock = false;
    let concurrency = config.refresh_concurrency;
    let app = Application::build(config).expect("app");
    let state = app.state();
    actix_web::rt::spawn(app.run_until_stopped());

    let now = db::now();
    let mut conn = state.ctx.pool.get().expect("db");
    for user in 1..=USERS {
        let account = db::users::SignedInAccount {
            plex_id: 1000 + user,
            username: format!("user{user}"),
            email: None,
            avatar_url: None,
            plex_token: format!("t{user}").into(),
        };
        db::users::record_sign_in(&mut conn, &account, now - user).expect("user");
    }
    drop(conn);

    // Everyone refreshed once (fast upstreams), as after a first night.
    let ctx = state.ctx.clone();
    let quiet = |_: &night::UserNight| {};
    let first = night::run(&ctx, &state.queue, Starter::Cli, &db::now, &quiet)
        .await
        .expect("first night");
    assert_eq!(first.tally.refreshed, USERS as i32, "{}", first.summary());

    for fake in [&tautulli as &dyn Delay, &tmdb, &overseerr, &plex] {
        fake.delay(LATENCY);
    }
    ai.set_fault(Fault::Slow(AI_TIME));

    // One user alone, warm caches, same latencies: the unit of the bound.
    let first_user = sagarr::db::run(&state.ctx.pool, |c| {
        Ok(db::users::find_by_plex_id(c, 1001)?)
    })
    .await
    .expect("db")
    .expect("user");
    let single = one_refresh(&state, first_user.id).await;

    // Ten of them, spread through the order, watch something new.
    let changed: Vec<i64> = (0..CHANGED)
        .map(|i| 1000 + 2 + i * (USERS / CHANGED))
        .collect();
    for plex_id in &changed {
        tautulli.add_play(*plex_id, "100", 100, 1_795_000_000);
    }

    let ai_before = ai.requests().len();
    let histories_before = history_calls(&tautulli);
    let report = night::run(&ctx, &state.queue, Starter::Cli, &db::now, &quiet)
        .await
        .expect("night");
    let nightly = report.elapsed;
    let ai_calls = ai.requests().len() - ai_before;
    let histories = history_calls(&tautulli) - histories_before;
    let refreshed: Vec<&str> = report
        .users
        .iter()
        .filter(|u| matches!(u.fate, Fate::Refreshed { .. }))
        .map(|u| u.username.as_str())
        .collect();

    let waves = (CHANGED as u32).div_ceil(concurrency as u32);
    let bound = single * waves;
    let ratio = nightly.as_secs_f64() / bound.as_secs_f64();
    let everyone = single * (USERS as u32).div_ceil(concurrency as u32);
    println!(
        "users: {USERS}, changed: {CHANGED}, concurrency: {concurrency}, upstream latency: {LATENCY:?}, AI: {AI_TIME:?}"
    );
    println!("one user alone:              {:.2} s", single.as_secs_f64());
    println!(
        "bound (ceil({CHANGED}/{concurrency}) x one):     {:.2} s",
        bound.as_secs_f64()
    );
    println!("night:                       {}", report.summary());
    println!("refreshed:                   {}", refreshed.join(", "));
    println!("get_history calls:           {histories} (one per user)");
    println!(
        "without the fingerprint:     {USERS} AI calls, about {:.1} s (ceil({USERS}/{concurrency}) x one)",
        everyone.as_secs_f64()
    );
    let mut ok = common::target(
        "AI calls",
        ai_calls.to_string(),
        &CHANGED.to_string(),
        ai_calls == CHANGED as usize && report.tally.skipped == (USERS - CHANGED) as i32,
    );
    ok &= common::target(
        "night time",
        format!("{:.2} s = {ratio:.3} x bound", nightly.as_secs_f64()),
        "<= 1.1 x bound",
        ratio <= 1.1,
    );
    ok &= common::target(
        "get_history calls",
        histories.to_string(),
        &USERS.to_string(),
        histories == USERS as usize,
    );
    println!("{}", if ok { "PASS" } else { "MISS" });
    if !ok {
        std::process::exit(1);
    }
}

async fn one_refresh(state: &sagarr::state::AppState, user_id: i32) -> Duration {
    let http = sagarr::integrations::http_client();
    let started = Instant::now();
    let outcome = sagarr::engine::refresh_user(
        &state.ctx.clone(),
        &http,
        user_id,
        Trigger::Cli,
        &|_, _, _| {},
    )
    .await;
    assert!(outcome.success, "{}", outcome.message);
    started.elapsed()
}

fn history_calls(tautulli: &FakeTautulli) -> usize {
    tautulli
        .calls()
        .iter()
        .filter(|c| c.starts_with("get_history"))
        .count()
}

/// Every fake can answer after a delay.
trait Delay {
    fn delay(&self, latency: Duration);
}

macro_rules! delay {
    ($($fake:ty),*) => {$(impl Delay for $fake {
        fn delay(&self, latency: Duration) { self.set_fault(Fault::Slow(latency)); }
    })*};
}
delay!(FakeTautulli, FakeTmdb, FakeOverseerr, FakePlex);
