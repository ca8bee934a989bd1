//! The nightly refresh of 50 users against fake upstreams with 100 ms latency and a 2 s AI.
//! Run: `cargo bench --bench nightly`. Figures and how to read them: docs/performance.md.
//!
//! The bound the concurrency limit sets is ceil(users / concurrency) × one user's refresh time
//! (measured alone, same conditions, warm caches): the run should finish within 1.25 × that.
//! A second nightly run with unchanged history must make no get_metadata or TMDb details call.

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
use sagarr::startup::Application;

const USERS: i64 = 50;
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
    for fake in [&tautulli as &dyn Delay, &tmdb, &overseerr, &plex] {
        fake.delay(LATENCY);
    }
    ai.set_fault(Fault::Slow(AI_TIME));

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
    let mut conn = state.pool.get().expect("db");
    for user in 1..=USERS {
        let account = db::users::SignedInAccount {
            plex_id: 1000 + user,
            username: format!("user{user}"),
            email: None,
            avatar_url: None,
            plex_token: format!("t{user}"),
        };
        db::users::record_sign_in(&mut conn, &account, now).expect("user");
    }
    drop(conn);

    // Warm the shared caches with one user, then time one user alone: the unit of the bound.
    let first = sagarr::db::run(&state.pool, |c| Ok(db::users::find_by_plex_id(c, 1001)?))
        .await
        .expect("db")
        .expect("user");
    one_refresh(&state, first.id).await;
    let single = one_refresh(&state, first.id).await;

    let (metadata_before, details_before, ai_before) = counts(&tautulli, &tmdb, &ai);
    let started = Instant::now();
    let queued = state
        .queue
        .enqueue_active(&state.pool, Trigger::Nightly)
        .await
        .expect("queue");
    wait_all_idle(&state).await;
    let nightly = started.elapsed();
    let (metadata_after, details_after, ai_after) = counts(&tautulli, &tmdb, &ai);

    let bound = single * (USERS as u32).div_ceil(concurrency as u32);
    let ratio = nightly.as_secs_f64() / bound.as_secs_f64();
    println!(
        "users: {queued}, concurrency: {concurrency}, upstream latency: {LATENCY:?}, AI: {AI_TIME:?}"
    );
    println!("one user alone:            {:.2} s", single.as_secs_f64());
    println!("bound (ceil(n/c) x one):   {:.2} s", bound.as_secs_f64());
    println!(
        "nightly run:               {:.2} s  ({ratio:.3} x bound, target <= 1.25)",
        nightly.as_secs_f64()
    );
    println!(
        "AI calls in the nightly:   {} (one per user)",
        ai_after - ai_before
    );
    println!(
        "get_metadata calls:        {} (cached)",
        metadata_after - metadata_before
    );
    println!(
        "TMDb details calls:        {} (cached)",
        details_after - details_before
    );
    let ok = ratio <= 1.25
        && ai_after - ai_before == queued
        && metadata_after == metadata_before
        && details_after == details_before;
    println!("{}", if ok { "PASS" } else { "FAIL" });
    if !ok {
        std::process::exit(1);
    }
}

async fn one_refresh(state: &sagarr::state::AppState, user_id: i32) -> Duration {
    let http = sagarr::integrations::http_client();
    let started = Instant::now();
    let outcome =
        sagarr::engine::refresh_user(&state.engine(), &http, user_id, Trigger::Cli, &|_, _, _| {})
            .await;
    assert!(outcome.success, "{}", outcome.message);
    started.elapsed()
}

async fn wait_all_idle(state: &sagarr::state::AppState) {
    loop {
        let busy = sagarr::db::run(&state.pool, |c| {
            use diesel::prelude::*;
            use sagarr::db::schema::refresh_status::dsl::*;
            Ok(refresh_status
                .filter(state.eq_any(["queued", "running"]))
                .count()
                .get_result::<i64>(&mut **c)?)
        })
        .await
        .expect("db");
        if busy == 0 {
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

fn counts(tautulli: &FakeTautulli, tmdb: &FakeTmdb, ai: &FakeAi) -> (usize, usize, usize) {
    let metadata = tautulli
        .calls()
        .iter()
        .filter(|c| c.starts_with("get_metadata"))
        .count();
    let details = tmdb
        .calls()
        .iter()
        .filter(|p| {
            p.split('/').filter(|s| !s.is_empty()).count() == 2 && !p.starts_with("/search")
        })
        .count();
    (metadata, details, ai.requests().len())
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
