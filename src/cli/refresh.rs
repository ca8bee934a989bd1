//! `sagarr refresh --user NAME` / `--all`: refreshes now, from the command line, printing
//! progress. `--nightly` runs the night the clock runs (`jobs::night`), with its policy. Works
//! beside a running server (SQLite in WAL mode takes both).

use std::cell::RefCell;

use std::sync::Arc;

use crate::config::Config;
use crate::db;
use crate::engine::{self, Trigger};
use crate::jobs::RefreshQueue;
use crate::jobs::night::{self, Starter};

/// Who to refresh.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    User(String),
    All,
    /// The night, as the clock runs it.
    Nightly,
}

/// Runs the refreshes and returns the process exit code: 0 when every refresh succeeded (for
/// `--nightly`, when the night ran: it prints each user's fate).
pub async fn run(config: Config, target: Target) -> u8 {
    let pool = match db::open(&config.database_path()) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("sagarr: SAGARR_DATA_DIR: {e}");
            return 1;
        }
    };
    // `None`: everyone active.
    let named = match target {
        Target::Nightly => return nightly(context(pool, config).await).await,
        Target::User(name) => Some(name),
        Target::All => None,
    };
    let users = db::run(&pool, move |conn| {
        Ok(match &named {
            Some(name) => db::users::find_by_username(conn, name)?
                .into_iter()
                .map(|u| (u.id, u.username))
                .collect(),
            None => db::users::active_by_last_visit(conn, db::now() - db::users::ACTIVE_SECONDS)?,
        })
    })
    .await;
    let users: Vec<(i32, String)> = match users {
        Ok(users) if !users.is_empty() => users,
        Ok(_) => {
            eprintln!(
                "sagarr: no such user (use the Plex username), or nobody was active in the last 30 days"
            );
            return 2;
        }
        Err(e) => {
            eprintln!("sagarr: {e}");
            return 1;
        }
    };
    let ctx = context(pool, config).await;
    let http = crate::integrations::http_client();
    let mut failed = 0;
    for (id, name) in users {
        println!("{name}: refreshing");
        let last = RefCell::new(String::new());
        let progress = |step: &str, done: i32, total: i32| {
            if *last.borrow() != step {
                println!("{name}:   {step}");
                *last.borrow_mut() = step.to_owned();
            } else if total > 0 && done == total {
                println!("{name}:   {step}: {done}/{total}");
            }
        };
        let outcome = engine::refresh_user(&ctx, &http, id, Trigger::Cli, &progress).await;
        println!("{name}: {}", outcome.message);
        if !outcome.success {
            failed += 1;
        }
    }
    u8::from(failed > 0)
}

async fn context(pool: db::DbPool, config: Config) -> engine::Context {
    let plex_client_id = db::run(&pool, |c| Ok(db::settings::get(c, "plex.client_id")?))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    engine::Context::new(pool, Arc::new(config), plex_client_id)
}

/// The night, through a queue of this process's own, printing each user as he is done.
async fn nightly(ctx: engine::Context) -> u8 {
    let (queue, worker) = RefreshQueue::new();
    actix_web::rt::spawn(worker.run(ctx.clone()));
    let told = |user: &night::UserNight| println!("{}", user.line());
    match night::run(&ctx, &queue, Starter::Cli, &db::now, &told).await {
        Ok(report) => {
            println!("nightly: {}", report.summary());
            0
        }
        Err(e) => {
            eprintln!("sagarr: {e}");
            1
        }
    }
}
