//! `sagarr demo`: the whole app on built-in fake upstreams (a catalogue of real titles, three
//! users with watch histories, an AI stand-in), a throwaway database, and one-click sign-in.
//! No account and no network are needed. The demo sign-in route exists only here.

use std::path::PathBuf;

use crate::config::Config;
use crate::db::{self, users::SignedInAccount};
use crate::engine::Trigger;
use crate::fakes::ai::FakeAi;
use crate::fakes::overseerr::FakeOverseerr;
use crate::fakes::plex::{FakeAccount, FakePlex};
use crate::fakes::tautulli::{FakeTautulli, LibraryItem};
use crate::fakes::tmdb::FakeTmdb;
use crate::fakes::{Flavor, catalog};
use crate::media::Kind;
use crate::settings::EnvIntegrations;
use crate::startup::Application;

/// A demo user: Plex account id, name, and the catalogue titles he watched (kind, TMDb id).
pub struct DemoUser {
    pub plex_id: i64,
    pub name: &'static str,
    pub watched: &'static [(Kind, i64)],
    /// A kid's account: the highest certification shown.
    pub rating_limit: Option<&'static str>,
    /// Said yes to Watch together.
    pub shares_together: bool,
}

pub const USERS: &[DemoUser] = &[
    DemoUser {
        plex_id: 7001,
        name: "Alice",
        watched: &[
            (Kind::Movie, 603),
            (Kind::Movie, 329865),
            (Kind::Movie, 335984),
            (Kind::Tv, 1399),
            (Kind::Tv, 68595),
        ],
        rating_limit: None,
        shares_together: true,
    },
    DemoUser {
        plex_id: 7002,
        name: "Bob",
        watched: &[
            (Kind::Movie, 550),
            (Kind::Movie, 680),
            (Kind::Movie, 238),
            (Kind::Tv, 1396),
            (Kind::Tv, 60574),
        ],
        rating_limit: None,
        shares_together: true,
    },
    DemoUser {
        plex_id: 7003,
        name: "Carol",
        watched: &[
            (Kind::Movie, 129),
            (Kind::Movie, 330457),
            (Kind::Tv, 1668),
            (Kind::Tv, 2316),
            (Kind::Tv, 94605),
        ],
        rating_limit: Some("PG"),
        shares_together: false,
    },
];

const TAUTULLI_KEY: &str = "demo-tautulli";
const OVERSEERR_KEY: &str = "demo-overseerr";
const TMDB_KEY: &str = "demo-tmdb";
const AI_KEY: &str = "demo-ai";

/// The running fakes; they stop with the process.
struct Upstreams {
    plex: FakePlex,
    tautulli: FakeTautulli,
    tmdb: FakeTmdb,
    overseerr: FakeOverseerr,
    ai: FakeAi,
}

fn start_upstreams() -> std::io::Result<Upstreams> {
    let plex = FakePlex::start()?;
    let tautulli = FakeTautulli::start(TAUTULLI_KEY)?;
    let overseerr = FakeOverseerr::start(OVERSEERR_KEY, USERS[0].plex_id)?;
    let ai = FakeAi::start(Flavor::OpenAi, Some(AI_KEY), &["demo-model"])?;
    ai.answer_from_prompt();

    for title in catalog::TITLES {
        let key = rating_key(title.kind, title.tmdb_id);
        let year = title.year().unwrap_or(0);
        let item = match title.kind {
            Kind::Movie => LibraryItem::Movie {
                title: title.title.into(),
                year,
                tmdb_id: title.tmdb_id,
            },
            Kind::Tv => LibraryItem::Show {
                title: title.title.into(),
                year,
                tmdb_id: title.tmdb_id,
            },
        };
        tautulli.add_item(&key, item);
        if title.kind == Kind::Tv {
            for episode in 1..=3 {
                tautulli.add_item(
                    &episode_key(title.tmdb_id, episode),
                    LibraryItem::Episode {
                        show: title.title.into(),
                        show_rating_key: key.clone(),
                        show_tmdb_id: title.tmdb_id,
                        season: 1,
                        episode,
                    },
                );
            }
        }
    }
    let now = db::now();
    for user in USERS {
        plex.add_account(FakeAccount::new(user.plex_id, user.name));
        tautulli.add_user(user.plex_id, user.name, true);
        if user.plex_id != USERS[0].plex_id {
            overseerr.add_user(user.plex_id, &user.name.to_lowercase());
        }
        for (n, (kind, id)) in user.watched.iter().enumerate() {
            let key = rating_key(*kind, *id);
            let days_ago = (n as i64 + 1) * 9;
            match kind {
                Kind::Movie => tautulli.add_play(user.plex_id, &key, 100, now - days_ago * 86_400),
                Kind::Tv => {
                    for episode in 1..=3 {
                        tautulli.add_play(
                            user.plex_id,
                            &episode_key(*id, episode),
                            100,
                            now - days_ago * 86_400 + episode,
                        );
                    }
                }
            }
        }
    }
    // Some titles are already on the server, one is half there, one is on its way.
    overseerr.set_status(Kind::Movie, 27205, 5, &[]);
    overseerr.set_status(Kind::Tv, 70523, 5, &[(1, 5), (2, 5), (3, 5)]);
    overseerr.set_status(Kind::Tv, 1398, 4, &[(1, 5), (2, 1), (3, 1)]);
    overseerr.set_status(Kind::Movie, 278, 2, &[]);
    Ok(Upstreams {
        plex,
        tautulli,
        tmdb: FakeTmdb::start(TMDB_KEY)?,
        overseerr,
        ai,
    })
}

/// Plex rating keys are numbers: movies and shows get one from their TMDb id.
fn rating_key(kind: Kind, tmdb_id: i64) -> String {
    let base = if kind == Kind::Movie {
        10_000_000
    } else {
        20_000_000
    };
    (base + tmdb_id).to_string()
}

fn episode_key(show_tmdb_id: i64, episode: i64) -> String {
    (300_000_000 + show_tmdb_id * 10 + episode).to_string()
}

/// Points the configuration at the fakes and a throwaway data dir.
fn demo_config(mut config: Config, up: &Upstreams, data_dir: PathBuf) -> Config {
    config.data_dir = data_dir;
    // One-click admin sign-in and a Test button that fetches any URL: only this machine may
    // reach the demo, unless SAGARR_BIND says otherwise.
    if !config.bind_given {
        config
            .bind
            .set_ip(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    }
    config.demo_accounts = USERS
        .iter()
        .map(|u| crate::config::DemoAccount {
            plex_id: u.plex_id,
            name: u.name,
        })
        .collect();
    config.upstreams.plex_tv = up.plex.url.clone();
    config.upstreams.plex_auth = format!("{}/auth", up.plex.url);
    config.upstreams.plex_discover = up.plex.url.clone();
    config.upstreams.tmdb_api = up.tmdb.url.clone();
    // No network: cards show their title placeholder instead of a poster.
    config.upstreams.tmdb_image = String::new();
    config.secret_key = None;
    config.admin = None;
    config.env_integrations = EnvIntegrations {
        values: vec![
            ("TAUTULLI_URL", up.tautulli.url.clone()),
            ("TAUTULLI_API_KEY", TAUTULLI_KEY.into()),
            ("OVERSEERR_URL", up.overseerr.url.clone()),
            ("OVERSEERR_API_KEY", OVERSEERR_KEY.into()),
            ("TMDB_API_KEY", TMDB_KEY.into()),
            ("AI_PROVIDER", "openai-compatible".into()),
            ("AI_BASE_URL", up.ai.openai_base()),
            ("AI_API_KEY", AI_KEY.into()),
            ("AI_MODEL", "demo-model".into()),
            ("AI_MONTHLY_TOKEN_BUDGET", DEMO_BUDGET.to_string()),
            ("AI_PRICE_INPUT_PER_MTOK", "0.15".into()),
            ("AI_PRICE_OUTPUT_PER_MTOK", "0.60".into()),
        ],
    };
    config
}

/// The demo's monthly AI budget, in tokens: this month's made-up nights use part of it.
const DEMO_BUDGET: u64 = 600_000;

/// This month's nights before today, as the admin's chart draws them: one AI run per user per
/// night, of a few thousand tokens each (a real model's size, not the stand-in's).
fn past_nights(
    conn: &mut impl db::Writable,
    ids: &[i32],
    now: chrono::DateTime<chrono::Local>,
) -> diesel::QueryResult<()> {
    use chrono::{Datelike, TimeZone};
    for day in 1..now.day() {
        let Some(night) = chrono::Local
            .with_ymd_and_hms(now.year(), now.month(), day, 3, 0, 0)
            .earliest()
        else {
            continue;
        };
        for (n, &user_id) in ids.iter().enumerate() {
            let spread = i32::try_from((day as usize * 7 + n * 13) % 10).unwrap_or(0);
            let started = night.timestamp() + n as i64 * 90;
            db::runs::insert(
                conn,
                &db::runs::NewRun {
                    user_id,
                    trigger: Trigger::Nightly.as_str().to_owned(),
                    provider: "openai-compatible".to_owned(),
                    model: "demo-model".to_owned(),
                    prompt_tokens: 3_200 + spread * 110,
                    completion_tokens: 1_700 + spread * 60,
                    proposed: 32,
                    kept: 26,
                    dropped_json: "{}".to_owned(),
                    outcome: db::states::RunOutcome::Ok,
                    message: "Found 26 titles for you.".to_owned(),
                    started_at: started,
                    finished_at: started + 40,
                    ai_ms: 38_000,
                    ai_calls: 1,
                    ..Default::default()
                },
            )?;
        }
    }
    Ok(())
}

/// Runs the demo until stopped; returns the exit code.
pub async fn run(config: Config) -> u8 {
    let upstreams = match start_upstreams() {
        Ok(up) => up,
        Err(e) => {
            eprintln!("sagarr demo: cannot start the demo upstreams: {e}");
            return 1;
        }
    };
    let data_dir =
        std::env::temp_dir().join(format!("sagarr-demo-{}-{}", std::process::id(), db::now()));
    let config = demo_config(config, &upstreams, data_dir.clone());
    let bind = config.bind;
    let app = match Application::build(config) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("sagarr demo: {e}");
            return 1;
        }
    };
    let state = app.state();
    let seeded = db::write(&state.ctx.pool, db::Scope::Everyone, |conn| {
        let mut ids = Vec::new();
        for (n, user) in USERS.iter().enumerate() {
            let account = SignedInAccount {
                plex_id: user.plex_id,
                username: user.name.to_owned(),
                email: Some(format!("{}@example.com", user.name.to_lowercase())),
                avatar_url: None,
                plex_token: FakeAccount::new(user.plex_id, user.name).token.into(),
            };
            let saved = if n == 0 {
                db::users::claim_admin(conn, &account, db::now())?
                    .ok_or(diesel::result::Error::NotFound)?
            } else {
                db::users::record_sign_in(conn, &account, db::now())?
            };
            db::users::set_rating_limit(conn, saved.id, user.rating_limit)?;
            db::together::set_share(conn, saved.id, user.shares_together)?;
            ids.push(saved.id);
        }
        past_nights(conn, &ids, chrono::Local::now())?;
        Ok(ids)
    })
    .await;
    match seeded {
        Ok(ids) => {
            for id in ids {
                crate::mapping::spawn(state.clone(), id);
                let _ = state
                    .queue
                    .enqueue(&state.ctx.pool, id, Trigger::FirstSignIn)
                    .await;
            }
        }
        Err(e) => {
            eprintln!("sagarr demo: {e}");
            return 1;
        }
    }
    let host = if bind.ip().is_unspecified() {
        "localhost".to_owned()
    } else {
        bind.ip().to_string()
    };
    println!(
        "Sagarr demo: open http://{host}:{} and sign in as Alice (admin), Bob, or Carol (a kid's account, limited to PG).",
        app.port()
    );
    println!(
        "Everything is made up and thrown away on exit (data in {}).",
        data_dir.display()
    );
    let outcome = app.run_until_stopped().await;
    drop(upstreams);
    let _ = std::fs::remove_dir_all(&data_dir);
    u8::from(outcome.is_err())
}
