//! Concurrent writers: 50 users, each with his own client, do 200 mixed actions at once on the
//! same titles. Every user's records must equal a sequential replay of his acknowledged
//! actions, and no request may fail (SQLite's "database is locked" would surface as a 500).

use std::collections::BTreeMap;

use awc::http::StatusCode;
use sagarr::fakes::plex::FakeAccount;

use crate::helpers::{TestApp, owner};

const USERS: i64 = 50;
const ACTIONS: usize = 200;
const TITLES: &[i64] = &[
    603, 329865, 335984, 300668, 157336, 438631, 264660, 27205, 330457, 515042, 550, 680, 155, 278,
    238, 13,
];

/// What an acknowledged action leaves: a record (rating, action), or none (deleted).
type Effect = Option<(i32, &'static str)>;

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[actix_web::test]
async fn fifty_concurrent_writers_end_as_a_sequential_replay_says() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let mut cookies = Vec::new();
    for n in 0..USERS {
        let account = FakeAccount::new(50_000 + n, &format!("writer{n}"));
        app.fakes.plex.add_account(account.clone());
        app.fakes
            .tautulli
            .add_user(account.id, &account.username, true);
        app.forget_cookies();
        // Each writer signs in from its own address: the sign-in flood limit is per client.
        let address = format!("198.51.100.{n}");
        assert_eq!(
            app.get_with("/auth/plex", &[("X-Forwarded-For", &address)])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        app.fakes.plex.authorize_latest_pin(&account);
        assert_eq!(
            app.get("/auth/plex/callback").await.status,
            StatusCode::SEE_OTHER
        );
        cookies.push((
            account.id,
            format!("sagarr_session={}", app.session_cookie().unwrap()),
        ));
    }

    let base = app.address.clone();
    let writers = cookies.into_iter().map(|(plex_id, cookie)| {
        let base = base.clone();
        async move {
            let http = awc::Client::builder().disable_redirects().finish();
            let mut rng = Lcg(plex_id as u64);
            // What this user's records should be, replaying his acknowledged actions in order.
            let mut expected: BTreeMap<i64, (i32, &'static str)> = BTreeMap::new();
            let mut failures = Vec::new();
            for _ in 0..ACTIONS {
                let id = TITLES[rng.next(TITLES.len())];
                let (path, form, effect): (String, Vec<(&str, &str)>, Effect) = match rng.next(4) {
                    0 => (
                        format!("/media/movie/{id}/rate"),
                        vec![("rating", "1")],
                        Some((1, "seen")),
                    ),
                    1 => (
                        format!("/media/movie/{id}/rate"),
                        vec![("rating", "-1")],
                        Some((-1, "seen")),
                    ),
                    2 => (
                        format!("/media/movie/{id}/skip"),
                        vec![],
                        Some((-1, "skip")),
                    ),
                    _ => (format!("/media/movie/{id}/rate/delete"), vec![], None),
                };
                let response = http
                    .post(format!("{base}{path}"))
                    .insert_header(("Cookie", cookie.clone()))
                    .insert_header(("Origin", base.clone()))
                    .send_form(&form)
                    .await;
                match response.map(|r| r.status()) {
                    Ok(StatusCode::SEE_OTHER) => match effect {
                        Some(record) => {
                            expected.insert(id, record);
                        }
                        None => {
                            expected.remove(&id);
                        }
                    },
                    // Deleting what is not there is acknowledged as "nothing to delete".
                    Ok(StatusCode::NOT_FOUND)
                        if effect.is_none() && !expected.contains_key(&id) => {}
                    other => failures.push(format!("{path}: {other:?}")),
                }
            }
            (plex_id, expected, failures)
        }
    });
    let results = futures_util::future::join_all(writers).await;

    let mut conn = app.app.ctx.pool.get().unwrap();
    for (plex_id, expected, failures) in results {
        assert!(failures.is_empty(), "user {plex_id}: {failures:?}");
        let user = sagarr::db::users::find_by_plex_id(&mut conn, plex_id)
            .unwrap()
            .unwrap();
        let actual: BTreeMap<i64, (i32, String)> =
            sagarr::db::preferences::all_for(&mut conn, user.id)
                .unwrap()
                .into_iter()
                .map(|p| {
                    (
                        p.tmdb_id,
                        (p.verdict.rating(), p.verdict.action().to_owned()),
                    )
                })
                .collect();
        let expected: BTreeMap<i64, (i32, String)> = expected
            .into_iter()
            .map(|(k, (r, a))| (k, (r, a.to_owned())))
            .collect();
        assert_eq!(actual, expected, "user {plex_id}");
    }
    drop(conn);
    app.stop().await;
}
