//! kill -9 during a burst of writes and during a refresh, then a restart: the database is
//! intact, no acknowledged write is lost, the previous rows are served, nothing stays running.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use awc::http::StatusCode;
use diesel::RunQueryDsl;

use crate::helpers::{AiSetup, Fakes, GOOD_ANSWER, Options, env_for, friend, owner, watch_history};
use crate::process::{RunningBinary, free_port, session_cookie_of, start_binary};

async fn start(data: &Path, fakes: &Fakes, options: &Options, port: u16) -> RunningBinary {
    let mut env = env_for(data, fakes, options);
    env.push(("SAGARR_LOG", "error".into()));
    start_binary("serve", port, env).await
}

async fn sign_in(
    server: &RunningBinary,
    fakes: &Fakes,
    account: &sagarr::fakes::plex::FakeAccount,
) -> String {
    let http = awc::Client::builder().disable_redirects().finish();
    let started = http
        .get(format!("{}/auth/plex", server.base))
        .send()
        .await
        .unwrap();
    let pending = session_cookie_of(&started).unwrap();
    fakes.plex.authorize_latest_pin(account);
    let done = http
        .get(format!("{}/auth/plex/callback", server.base))
        .insert_header(("Cookie", pending))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    session_cookie_of(&done).unwrap()
}

async fn status(server: &RunningBinary, cookie: &str) -> serde_json::Value {
    let mut res = awc::Client::default()
        .get(format!("{}/refresh/status", server.base))
        .insert_header(("Cookie", cookie.to_owned()))
        .insert_header(("Accept", "application/json"))
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

fn integrity_ok(data: &Path) {
    let pool = sagarr::db::open(&data.join("sagarr.db")).expect("the database opens");
    let mut conn = pool.get().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let rows: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.integrity_check.as_str())
            .collect::<Vec<_>>(),
        vec!["ok"]
    );
}

#[actix_web::test]
async fn kill_9_during_a_burst_of_writes_loses_no_acknowledged_write() {
    let fakes = Fakes::start();
    let options = Options::default();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), &fakes, &options, port).await;
    let cookie = sign_in(&server, &fakes, &owner()).await;

    // Eight writers, two titles each, flipping ratings as fast as they can.
    let titles: Vec<i64> = vec![
        603, 329865, 335984, 300668, 157336, 438631, 264660, 27205, 330457, 515042, 550, 680, 155,
        278, 238, 13,
    ];
    let writers = titles.chunks(2).map(|mine| {
        let (base, cookie, mine) = (server.base.clone(), cookie.clone(), mine.to_vec());
        async move {
            let http = awc::Client::builder()
                .disable_redirects()
                .timeout(Duration::from_secs(5))
                .finish();
            // (title, rating): acknowledged ones, and the one in flight when the server died.
            let mut acked: HashMap<i64, i32> = HashMap::new();
            let mut in_flight = None;
            for n in 0..10_000 {
                let (id, rating) = (mine[n % 2], if n % 3 == 0 { "-1" } else { "1" });
                in_flight = Some((id, rating.parse::<i32>().unwrap()));
                let res = http
                    .post(format!("{base}/media/movie/{id}/rate"))
                    .insert_header(("Cookie", cookie.clone()))
                    .send_form(&[("rating", rating)])
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::SEE_OTHER => {
                        acked.insert(id, rating.parse().unwrap());
                        in_flight = None;
                    }
                    _ => break,
                }
            }
            (acked, in_flight)
        }
    });
    let burst = futures_util::future::join_all(writers);
    let killer = async {
        actix_web::rt::time::sleep(Duration::from_millis(700)).await;
        let mut server = server;
        let _ = server.child.kill(); // SIGKILL
        let _ = server.child.wait();
    };
    let (results, ()) = futures_util::future::join(burst, killer).await;

    integrity_ok(dir.path());
    let server = start(dir.path(), &fakes, &options, port).await;
    assert_eq!(
        awc::Client::default()
            .get(format!("{}/api/health", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).unwrap();
    let mut conn = pool.get().unwrap();
    let owner_id = sagarr::db::users::find_by_plex_id(&mut conn, owner().id)
        .unwrap()
        .unwrap()
        .id;
    let stored: HashMap<i64, i32> = sagarr::db::preferences::all_for(&mut conn, owner_id)
        .unwrap()
        .into_iter()
        .map(|p| (p.tmdb_id, p.verdict.rating()))
        .collect();
    let mut acknowledged = 0;
    for (acked, in_flight) in results {
        for (id, rating) in acked {
            acknowledged += 1;
            let got = stored.get(&id).copied();
            // The one unacknowledged request may or may not have committed.
            let allowed = [
                Some(rating),
                in_flight.filter(|(t, _)| *t == id).map(|(_, r)| r),
            ];
            assert!(
                allowed.contains(&got),
                "title {id}: acknowledged {rating}, stored {got:?}"
            );
        }
    }
    assert!(
        acknowledged >= 8,
        "the burst was under way when the server died"
    );
}

#[actix_web::test]
async fn kill_9_during_a_refresh_keeps_the_rows_and_leaves_nothing_running() {
    let fakes = Fakes::start();
    watch_history(&fakes.tautulli);
    let options = Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = start(dir.path(), &fakes, &options, port).await;
    sign_in(&server, &fakes, &owner()).await;
    fakes.openai.push_reply(GOOD_ANSWER);
    let cookie = sign_in(&server, &fakes, &friend()).await;
    for _ in 0..200 {
        if status(&server, &cookie).await["state"] == "idle" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    let rows_before = {
        let pool = sagarr::db::open(&dir.path().join("sagarr.db")).unwrap();
        let mut conn = pool.get().unwrap();
        let id = sagarr::db::users::find_by_plex_id(&mut conn, friend().id)
            .unwrap()
            .unwrap()
            .id;
        sagarr::db::recommendations::load(&mut conn, id, "movies")
            .unwrap()
            .expect("first rows")
            .0
    };

    fakes
        .openai
        .set_fault(sagarr::fakes::Fault::Slow(Duration::from_secs(30)));
    let http = awc::Client::builder().disable_redirects().finish();
    http.post(format!("{}/refresh", server.base))
        .insert_header(("Cookie", cookie.clone()))
        .send()
        .await
        .unwrap();
    for _ in 0..200 {
        if status(&server, &cookie).await["step"]
            .as_str()
            .is_some_and(|s| s.starts_with("Asking"))
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(status(&server, &cookie).await["state"], "running");
    drop(server); // SIGKILL in the middle of the refresh

    integrity_ok(dir.path());
    let server = start(dir.path(), &fakes, &options, port).await;
    let after = status(&server, &cookie).await;
    assert_eq!(after["state"], "failed", "{after}");
    assert!(
        after["message"]
            .as_str()
            .unwrap()
            .contains("interrupted by a restart")
    );
    let mut page = http
        .get(format!("{}/", server.base))
        .insert_header(("Cookie", cookie.clone()))
        .send()
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&page.body().limit(1 << 22).await.unwrap()).into_owned();
    assert!(
        body.contains("Slow-burn sci-fi"),
        "the previous rows are still served"
    );
    let pool = sagarr::db::open(&dir.path().join("sagarr.db")).unwrap();
    let mut conn = pool.get().unwrap();
    let id = sagarr::db::users::find_by_plex_id(&mut conn, friend().id)
        .unwrap()
        .unwrap()
        .id;
    assert_eq!(
        sagarr::db::recommendations::load(&mut conn, id, "movies")
            .unwrap()
            .unwrap()
            .0,
        rows_before
    );
}
