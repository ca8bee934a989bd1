//! `sagarr refresh --user NAME` / `--all`: refreshes now, from the command line, printing
//! progress. Works beside a running server (SQLite in WAL mode takes both).

use std::cell::RefCell;

use std::sync::Arc;

use crate::config::Config;
use crate::db;
use crate::engine::{self, Trigger};

/// Who to refresh.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    User(String),
    All,
}

/// Runs the refreshes and returns the process exit code: 0 when every refresh succeeded.
pub async fn run(config: Config, target: Target) -> u8 {
    let pool = match db::open(&config.database_path()) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("sagarr: SAGARR_DATA_DIR: {e}");
            return 1;
        }
    };
    let users = db::run(&pool, move |conn| {
        Ok(match &target {
            Target::User(name) => db::users::find_by_username(conn, name)?
                .into_iter()
                .map(|u| (u.id, u.username))
                .collect(),
            Target::All => {
                let ids = db::users::active_since(conn, db::now() - 30 * 86_400)?;
                db::users::all(conn)?
                    .into_iter()
                    .filter(|u| ids.contains(&u.id))
                    .map(|u| (u.id, u.username))
                    .collect::<Vec<_>>()
            }
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
    let plex_client_id = db::run(&pool, |c| Ok(db::settings::get(c, "plex.client_id")?))
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let ctx = engine::Context {
        pool,
        config: Arc::new(config),
        plex_client_id,
    };
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
