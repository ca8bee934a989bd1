//! The nightly's policy (issue 16): the AI is asked only for users whose taste changed or whose
//! rows are older than SAGARR_REFRESH_UNCHANGED_DAYS, the most recent visitors first, within
//! SAGARR_NIGHTLY_HOURS, the leftovers first the next night; manual paths always run in full.
//! The command-line night runs the real binary; the clock's night runs in the app with an
//! injected clock.

use awc::http::StatusCode;
use sagarr::db;
use sagarr::jobs::night::{self, Fate, Report, Starter};

use crate::helpers::{AiSetup, GOOD_ANSWER, Options, TestApp, friend, owner, watch_history};

/// A newer play than any in `watch_history`.
const LATER: i64 = 1_795_000_000;

/// Owner (the admin) and Friend, both with a history, both refreshed in full by their first
/// sign-in. Every AI call answers well.
async fn two_refreshed_users(extra_env: Vec<(&'static str, String)>) -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        extra_env,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.fakes
        .tautulli
        .add_play(owner().id, "101", 100, 1_790_000_000);
    app.fakes.openai.set_default_reply(GOOD_ANSWER);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    let runs = app.runs();
    assert!(
        runs.len() == 2
            && runs
                .iter()
                .all(|r| r.outcome.succeeded() && r.provider == "openai"),
        "both refreshed with the AI: {runs:?}"
    );
    app
}

fn ai_calls(app: &TestApp) -> usize {
    app.fakes.openai.requests().len()
}

fn history_calls(app: &TestApp) -> usize {
    app.fakes
        .tautulli
        .calls()
        .iter()
        .filter(|c| c.starts_with("get_history"))
        .count()
}

/// One night through the app's own queue, at `clock`.
async fn night_at(app: &TestApp, clock: night::Clock<'_>) -> Report {
    let quiet = |_: &night::UserNight| {};
    night::run(
        &app.app.ctx.clone(),
        &app.app.queue,
        Starter::Clock,
        clock,
        &quiet,
    )
    .await
    .expect("the night runs")
}

fn fate_of<'a>(report: &'a Report, name: &str) -> &'a Fate {
    &report
        .users
        .iter()
        .find(|u| u.username == name)
        .unwrap_or_else(|| panic!("{name} is not in the night: {report:?}"))
        .fate
}

fn set_last_visit(app: &TestApp, plex_id: i64, at: i64) {
    use diesel::prelude::*;
    use sagarr::db::schema::users;
    let mut conn = app.app.ctx.pool.get().unwrap();
    diesel::update(users::table.filter(users::plex_id.eq(plex_id)))
        .set(users::last_seen_at.eq(at))
        .execute(&mut conn)
        .unwrap();
}

#[actix_web::test]
async fn the_command_line_night_asks_the_ai_only_for_whoever_changed() {
    let app = two_refreshed_users(Vec::new()).await;
    let (before, histories) = (ai_calls(&app), history_calls(&app));

    let (code, printed) = app.command(&["refresh", "--nightly"]).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_eq!(
        ai_calls(&app),
        before,
        "right after everyone's refresh: {printed}"
    );
    for name in ["Owner", "Friend"] {
        assert!(
            printed.contains(&format!(
                "{name}: skipped, unchanged since the rows were made"
            )),
            "{printed}"
        );
    }
    assert!(
        printed.contains("nightly: refreshed 0, skipped 2"),
        "{printed}"
    );
    assert_eq!(
        history_calls(&app),
        histories + 2,
        "one get_history call per user decides: {printed}"
    );

    // The friend (signed in last) likes a title: his records changed, the owner's did not.
    let rated = app
        .htmx_post("/media/movie/300668/rate", &[("rating", "1")])
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    let histories = history_calls(&app);
    let (code, printed) = app.command(&["refresh", "--nightly"]).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_eq!(ai_calls(&app), before + 1, "once: {printed}");
    assert!(
        printed.contains("Friend: refreshed (ratings and skips changed): Found"),
        "{printed}"
    );
    assert!(printed.contains("Owner: skipped, unchanged"), "{printed}");
    let run = &app.runs()[0];
    assert_eq!(
        (run.username.as_str(), run.trigger.as_str()),
        ("Friend", "nightly")
    );
    assert_eq!(
        history_calls(&app),
        histories + 2,
        "the friend's refresh starts from the page his check read: {printed}"
    );

    // The owner watches something: Tautulli's history changed.
    app.fakes.tautulli.add_play(owner().id, "100", 100, LATER);
    let (code, printed) = app.command(&["refresh", "--nightly"]).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_eq!(ai_calls(&app), before + 2, "{printed}");
    assert!(
        printed.contains("Owner: refreshed (watch history changed)"),
        "{printed}"
    );
    assert!(printed.contains("Friend: skipped, unchanged"), "{printed}");

    // The admin sees the three nights, newest first.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(admin.body.contains("Last nights"), "{}", admin.body);
    let nights = admin
        .body
        .split("<table class=\"users nights\">")
        .nth(1)
        .and_then(|t| t.split("</table>").next())
        .unwrap_or_else(|| panic!("no nights table: {}", admin.body));
    let cells: Vec<Vec<&str>> = nights
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap_or(""))
                .collect()
        })
        .collect();
    assert_eq!(cells.len(), 3, "{nights}");
    for (row, (refreshed, skipped, ai)) in
        cells
            .iter()
            .zip([("1", "1", "1"), ("1", "1", "1"), ("0", "2", "0")])
    {
        assert_eq!(row[1], "sagarr refresh --nightly", "{row:?}");
        assert_eq!(
            (row[2], row[3], row[4], row[5], row[6]),
            (refreshed, skipped, "0", "0", ai),
            "{row:?}"
        );
        assert!(row[7].contains(" + "), "tokens: {row:?}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_taste_unchanged_for_longer_than_the_limit_is_refreshed() {
    let app = two_refreshed_users(vec![("SAGARR_REFRESH_UNCHANGED_DAYS", "3".into())]).await;
    let before = ai_calls(&app);

    let two_days_on = || db::now() + 2 * 86_400;
    let report = night_at(&app, &two_days_on).await;
    assert_eq!(
        (report.tally.skipped, report.tally.refreshed),
        (2, 0),
        "{report:?}"
    );
    assert_eq!(ai_calls(&app), before);

    let four_days_on = || db::now() + 4 * 86_400;
    let report = night_at(&app, &four_days_on).await;
    assert_eq!(
        (report.tally.refreshed, report.tally.ai_calls),
        (2, 2),
        "{report:?}"
    );
    assert_eq!(ai_calls(&app), before + 2);
    match fate_of(&report, "Friend") {
        Fate::Refreshed { why, outcome } => {
            assert!(outcome.success, "{outcome:?}");
            assert!(
                why.contains(
                    "unchanged, but the rows are 4 days old (SAGARR_REFRESH_UNCHANGED_DAYS is 3)"
                ),
                "{why}"
            );
        }
        other => panic!("{other:?}"),
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_budget_stops_new_starts_and_the_next_night_begins_with_the_leftovers() {
    let app = two_refreshed_users(vec![
        ("SAGARR_NIGHTLY_HOURS", "3".into()),
        ("SAGARR_REFRESH_CONCURRENCY", "1".into()),
    ])
    .await;
    // A third friend with a history and no rows yet, the most recent visitor.
    const THIRD: i64 = 31_000_001;
    {
        let mut conn = app.app.ctx.pool.get().unwrap();
        let account = db::users::SignedInAccount {
            plex_id: THIRD,
            username: "Third".into(),
            email: None,
            avatar_url: None,
            plex_token: "third-token".into(),
        };
        db::users::record_sign_in(&mut conn, &account, db::now()).unwrap();
    }
    app.fakes.tautulli.add_play(THIRD, "100", 100, LATER);
    app.fakes.tautulli.add_play(friend().id, "100", 100, LATER);
    app.fakes.tautulli.add_play(owner().id, "102", 100, LATER);
    let now = db::now();
    set_last_visit(&app, THIRD, now);
    set_last_visit(&app, friend().id, now - 60);
    set_last_visit(&app, owner().id, now - 120);

    // Each refresh takes two hours of the night's clock: the AI's calls move it.
    let start = ai_calls(&app);
    let clock = || now + 7200 * (ai_calls(&app) - start) as i64;
    let first = night_at(&app, &clock).await;
    let order: Vec<(&str, bool)> = first
        .users
        .iter()
        .map(|u| (u.username.as_str(), matches!(u.fate, Fate::Left)))
        .collect();
    assert_eq!(
        order,
        [("Third", false), ("Friend", false), ("Owner", true)],
        "most recent visitor first; nobody starts after 3 hours: {first:?}"
    );
    assert_eq!(first.tally.refreshed, 2);
    assert_eq!(ai_calls(&app) - start, 2);

    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains("left 1 user when its 3 h 00 min budget (SAGARR_NIGHTLY_HOURS) ran out: Owner. They go first next night."),
        "{}",
        admin.body
    );

    let start = ai_calls(&app);
    let clock = || db::now() + 7200 * (ai_calls(&app) - start) as i64;
    let next = night_at(&app, &clock).await;
    assert_eq!(next.users[0].username, "Owner", "{next:?}");
    assert!(matches!(fate_of(&next, "Owner"), Fate::Refreshed { outcome, .. } if outcome.success));
    assert!(matches!(fate_of(&next, "Third"), Fate::Skipped { .. }));
    assert!(matches!(fate_of(&next, "Friend"), Fate::Skipped { .. }));
    assert!(next.tally.left.is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn only_users_seen_in_the_last_30_days_are_in_the_night() {
    let app = two_refreshed_users(Vec::new()).await;
    set_last_visit(&app, owner().id, db::now() - 40 * 86_400);
    app.fakes.tautulli.add_play(owner().id, "100", 100, LATER);
    app.fakes.tautulli.add_play(friend().id, "100", 100, LATER);
    let report = night_at(&app, &db::now).await;
    let names: Vec<&str> = report.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["Friend"], "{report:?}");
    let run = &app.runs()[0];
    assert_eq!(
        (run.username.as_str(), run.trigger.as_str()),
        ("Friend", "nightly")
    );
    app.stop().await;
}

#[actix_web::test]
async fn manual_refreshes_always_ask_the_ai() {
    let app = two_refreshed_users(Vec::new()).await;
    let before = ai_calls(&app);
    // The friend's own Refresh button.
    app.refresh_and_wait().await;
    assert_eq!(ai_calls(&app), before + 1, "the Refresh button");
    assert_eq!(app.runs()[0].trigger, "manual");

    // The command line, for one user and for everyone.
    let (code, printed) = app.command(&["refresh", "--user", "Friend"]).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_eq!(ai_calls(&app), before + 2, "{printed}");
    let (code, printed) = app.command(&["refresh", "--all"]).await;
    assert_eq!(code, Some(0), "{printed}");
    assert_eq!(ai_calls(&app), before + 4, "{printed}");

    // The admin's Refresh everyone now.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let queued = app.htmx_post("/admin/refresh", &[]).await;
    assert!(
        queued.body.contains("Queued 2 users for a refresh."),
        "{}",
        queued.body
    );
    app.eventually("both admin refreshes", |app| {
        app.runs().iter().filter(|r| r.trigger == "admin").count() == 2
    })
    .await;
    assert_eq!(ai_calls(&app), before + 6);
    app.stop().await;
}

#[actix_web::test]
async fn a_night_cut_short_by_a_restart_shows_what_it_did() {
    let app = two_refreshed_users(Vec::new()).await;
    let started = db::now() - 3600;
    {
        let mut conn = app.app.ctx.pool.get().unwrap();
        let id = db::nights::start(&mut conn, "clock", started, 6 * 3600).unwrap();
        let so_far = db::nights::Tally {
            refreshed: 3,
            skipped: 4,
            ..Default::default()
        };
        db::nights::record_progress(&mut conn, id, &so_far, started + 600).unwrap();
    }
    let app = app.restart().await;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin
            .body
            .contains("<td>3</td><td>4</td><td>0</td><td>0</td><td>0</td><td>0 + 0</td><td>10 min, cut short by a restart</td>"),
        "{}",
        admin.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn rows_made_without_the_ai_answer_are_asked_again_the_next_night() {
    let app = two_refreshed_users(Vec::new()).await;
    // The friend's manual refresh finds the AI down: his rows now come from TMDb alone.
    app.fakes
        .openai
        .set_fault(sagarr::fakes::Fault::ServerError);
    app.refresh_and_wait().await;
    let run = &app.runs()[0];
    assert_eq!(run.outcome.as_str(), "ok_without_ai", "{run:?}");
    app.fakes.openai.set_fault(sagarr::fakes::Fault::None);

    let before = ai_calls(&app);
    let report = night_at(&app, &db::now).await;
    match fate_of(&report, "Friend") {
        Fate::Refreshed { why, outcome } => {
            assert!(why.contains("kept no fingerprint"), "{why}");
            assert!(outcome.success && outcome.ai_calls == 1, "{outcome:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(fate_of(&report, "Owner"), Fate::Skipped { .. }));
    assert_eq!(ai_calls(&app), before + 1);
    app.stop().await;
}

#[actix_web::test]
async fn a_skipped_user_still_has_his_stale_availability_asked_again() {
    let app = two_refreshed_users(Vec::new()).await;
    let (kind, id) = app.all_cards(&friend())[0];
    let status_of = |app: &TestApp| {
        let mut conn = app.app.ctx.pool.get().unwrap();
        db::cache::availability(&mut conn, kind, id)
            .unwrap()
            .map(|(status, _)| status)
    };
    assert_ne!(status_of(&app).as_deref(), Some("available"));
    // Overseerr now has it, and what Sagarr knows is older than the 6 hours it trusts.
    app.fakes.overseerr.set_status(kind, id, 5, &[]);
    {
        use diesel::prelude::*;
        use sagarr::db::schema::availability;
        let mut conn = app.app.ctx.pool.get().unwrap();
        diesel::update(availability::table)
            .set(availability::fetched_at.eq(db::now() - 7 * 3600))
            .execute(&mut conn)
            .unwrap();
    }
    let before = ai_calls(&app);
    let report = night_at(&app, &db::now).await;
    assert!(
        matches!(fate_of(&report, "Friend"), Fate::Skipped { .. }),
        "{report:?}"
    );
    assert_eq!(ai_calls(&app), before);
    assert_eq!(status_of(&app).as_deref(), Some("available"), "asked again");
    app.stop().await;
}

#[actix_web::test]
async fn a_user_another_process_is_refreshing_is_left_to_it() {
    let app = two_refreshed_users(Vec::new()).await;
    app.fakes.tautulli.add_play(friend().id, "100", 100, LATER);
    // `sagarr refresh --user Friend` in another process has him running: the status is shared.
    let friend_id = app.user(&friend()).unwrap().id;
    {
        let mut conn = app.app.ctx.pool.get().unwrap();
        db::recommendations::set_running(&mut conn, friend_id, db::now()).unwrap();
    }
    let before = ai_calls(&app);
    let report = night_at(&app, &db::now).await;
    match fate_of(&report, "Friend") {
        Fate::Skipped { why } => assert_eq!(why, "a refresh was already queued or running"),
        other => panic!("{other:?}"),
    }
    assert_eq!(ai_calls(&app), before);
    app.stop().await;
}
