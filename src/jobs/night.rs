//! One night's refresh (docs/recommendations.md "The nightly"), the same whether the clock or
//! `sagarr refresh --nightly` starts it:
//!
//! 1. Everyone seen in the last 30 days, those the last night left first, then by last visit,
//!    most recent first.
//! 2. Each is checked (`engine::unchanged`, one `get_history` call), a few at a time: an
//!    unchanged taste keeps its rows and only has their availability asked again.
//! 3. The changed go through the refresh queue, `SAGARR_REFRESH_CONCURRENCY` at a time, in
//!    that order, from the page the check read.
//! 4. Nobody is started once `SAGARR_NIGHTLY_HOURS` have passed: they are left for the next
//!    night, which the night's record (`db::nights`) says.
//!
//! Checks run ahead of the refreshes, so the skipped cost the night almost nothing.

use std::cell::RefCell;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};
use tokio::sync::mpsc;

use crate::db;
use crate::engine::unchanged::{self, Verdict};
use crate::engine::{self, Outcome, Trigger};
use crate::error::AppError;
use crate::integrations::tautulli::HistoryPage;

use super::queue::RefreshQueue;

/// Checks at once: each is one Tautulli call and a few cache reads.
const CHECK_CONCURRENCY: usize = 4;
/// A first page read longer ago than this is read again by the refresh.
const PAGE_FRESH: Duration = Duration::from_secs(300);

/// Unix seconds now; injected so tests can move the night's clock.
pub type Clock<'a> = &'a dyn Fn() -> i64;

/// Who started the night (stored with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Starter {
    Clock,
    Cli,
}

impl Starter {
    fn as_str(self) -> &'static str {
        match self {
            Self::Clock => "clock",
            Self::Cli => "cli",
        }
    }
}

/// What happened to one user.
#[derive(Debug, Clone)]
pub enum Fate {
    /// Refreshed in full because `why`; `outcome` says how it ended.
    Refreshed { why: String, outcome: Outcome },
    /// Kept his rows: `why`.
    Skipped { why: String },
    /// Not started within the budget; he goes first next night.
    Left,
}

/// One user's line of the night.
#[derive(Debug, Clone)]
pub struct UserNight {
    pub user_id: i32,
    pub username: String,
    pub fate: Fate,
}

impl UserNight {
    /// `alice: refreshed (watch history changed): Found 24 titles for you.`
    pub fn line(&self) -> String {
        match &self.fate {
            Fate::Refreshed { why, outcome } if outcome.success => {
                format!("{}: refreshed ({why}): {}", self.username, outcome.message)
            }
            Fate::Refreshed { why, outcome } => {
                format!(
                    "{}: refresh failed ({why}): {}",
                    self.username, outcome.message
                )
            }
            Fate::Skipped { why } => format!("{}: skipped, {why}", self.username),
            Fate::Left => format!(
                "{}: left for the next night (the night's budget ran out)",
                self.username
            ),
        }
    }
}

/// The whole night.
#[derive(Debug, Clone)]
pub struct Report {
    pub users: Vec<UserNight>,
    pub tally: db::nights::Tally,
    pub elapsed: Duration,
}

impl Report {
    /// `refreshed 10, skipped 40 as unchanged, left 0, failed 0; 10 AI calls, 520 + 310 tokens, 31 s`.
    pub fn summary(&self) -> String {
        let t = &self.tally;
        format!(
            "refreshed {}, skipped {}, left for the next night {}, failed {}; {} AI calls, {} + {} tokens, {} s",
            t.refreshed,
            t.skipped,
            t.left.len(),
            t.failed,
            t.ai_calls,
            t.prompt_tokens,
            t.completion_tokens,
            self.elapsed.as_secs()
        )
    }
}

/// The night's rules, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `SAGARR_REFRESH_UNCHANGED_DAYS`.
    pub unchanged_for: Duration,
    /// `SAGARR_NIGHTLY_HOURS`.
    pub budget: Duration,
}

impl Policy {
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            unchanged_for: config.refresh_unchanged_for,
            budget: config.nightly_budget,
        }
    }
}

/// A user the check sent to the refresh stage.
struct Changed {
    place: usize,
    user_id: i32,
    username: String,
    why: String,
    first_page: Option<(HistoryPage, Instant)>,
}

/// Picks up a change the owner made on plex.tv to a friend's content restriction (Tautulli's
/// `filter_movies` / `filter_tv`), for everyone Tautulli lists, unless the admin set the limit.
async fn follow_plex_limits(ctx: &engine::Context, http: &awc::Client) {
    let Ok(upstreams) = ctx.upstreams().await else {
        return;
    };
    let Some(tautulli) = upstreams.tautulli(http) else {
        return;
    };
    let listed = match tautulli.users().await {
        Ok(users) => users,
        Err(error) => {
            tracing::warn!(%error, "could not read Plex's restrictions from Tautulli");
            return;
        }
    };
    let limits: Vec<(i64, Option<&'static str>)> = listed
        .iter()
        .filter(|u| u.is_active_account())
        .filter_map(|u| Some((u.user_id?, u.plex_rating_limit())))
        .collect();
    let written = db::write(&ctx.pool, db::Scope::Everyone, move |c| {
        for (plex_id, limit) in &limits {
            db::users::follow_plex_limit(c, *plex_id, *limit)?;
        }
        Ok(())
    })
    .await;
    if let Err(error) = written {
        tracing::warn!(%error, "could not record Plex's restrictions");
    }
}

/// Runs one night through `queue` and records it; `told` hears each user as he is done.
pub async fn run(
    ctx: &engine::Context,
    queue: &RefreshQueue,
    starter: Starter,
    clock: Clock<'_>,
    told: &dyn Fn(&UserNight),
) -> Result<Report, AppError> {
    let policy = Policy::of(&ctx.config);
    let began = Instant::now();
    let started_at = clock();
    let budget = i64::try_from(policy.budget.as_secs()).unwrap_or(i64::MAX);
    let deadline = started_at.saturating_add(budget);
    let (night_id, users) = begin(ctx, starter, started_at, budget).await?;

    let done: RefCell<Vec<(usize, UserNight)>> = RefCell::default();
    // Each user's end is told and recorded as it comes, so a night cut short by a restart
    // still shows what it did.
    let finish = |place: usize, user: UserNight| {
        told(&user);
        let so_far = {
            let mut done = done.borrow_mut();
            done.push((place, user));
            tally(done.iter().map(|(_, user)| user))
        };
        let (pool, now) = (ctx.pool.clone(), clock());
        async move {
            let _ = db::write(&pool, db::Scope::Unshown, move |c| {
                Ok(db::nights::record_progress(c, night_id, &so_far, now)?)
            })
            .await;
        }
    };
    let (tx, rx) = mpsc::unbounded_channel::<Changed>();
    let http = crate::integrations::http_client();
    follow_plex_limits(ctx, &http).await;

    let checks = async {
        let mut verdicts = stream::iter(users.into_iter().enumerate())
            .map(|(place, (user_id, username))| {
                let http = &http;
                async move {
                    let verdict = if clock() >= deadline {
                        None
                    } else {
                        Some(
                            unchanged::check(ctx, http, user_id, clock(), policy.unchanged_for)
                                .await,
                        )
                    };
                    (place, user_id, username, verdict)
                }
            })
            .buffered(CHECK_CONCURRENCY);
        while let Some((place, user_id, username, verdict)) = verdicts.next().await {
            let fate = match verdict {
                None => Fate::Left,
                Some(Verdict::Unchanged { why, rechecked }) => {
                    tracing::info!(user_id, rechecked, %why, "nightly: taste unchanged, rows kept");
                    Fate::Skipped { why }
                }
                Some(Verdict::Refresh { why, first_page }) => {
                    let changed = Changed {
                        place,
                        user_id,
                        username,
                        why,
                        first_page: first_page.map(|page| (page, Instant::now())),
                    };
                    // The refresh stage outlives this loop, so the send cannot fail.
                    let _ = tx.send(changed);
                    continue;
                }
            };
            finish(
                place,
                UserNight {
                    user_id,
                    username,
                    fate,
                },
            )
            .await;
        }
        drop(tx);
    };

    let refreshes = stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
        .map(|changed| refresh_changed(ctx, queue, changed, deadline, clock))
        .buffer_unordered(ctx.config.refresh_concurrency)
        .for_each(|(place, user)| finish(place, user));

    futures_util::future::join(checks, refreshes).await;

    close(ctx, night_id, done.into_inner(), clock(), began).await
}

/// A changed user's refresh, unless the night's time ran out: his place and how it went.
async fn refresh_changed(
    ctx: &engine::Context,
    queue: &RefreshQueue,
    changed: Changed,
    deadline: i64,
    clock: Clock<'_>,
) -> (usize, UserNight) {
    let Changed {
        place,
        user_id,
        username,
        why,
        first_page,
    } = changed;
    let fate = if clock() >= deadline {
        Fate::Left
    } else {
        let first_page = first_page
            .filter(|(_, read)| read.elapsed() < PAGE_FRESH)
            .map(|(page, _)| page);
        refresh(ctx, queue, user_id, why, first_page).await
    };
    (
        place,
        UserNight {
            user_id,
            username,
            fate,
        },
    )
}

/// Records the night's start, and whom it is for: the active users, those the last night
/// left first, each group in last-visit order.
async fn begin(
    ctx: &engine::Context,
    starter: Starter,
    started_at: i64,
    budget: i64,
) -> Result<(i32, Vec<(i32, String)>), AppError> {
    let night_id = db::write(&ctx.pool, db::Scope::Unshown, move |c| {
        Ok(db::nights::start(c, starter.as_str(), started_at, budget)?)
    })
    .await?;
    let users = db::run(&ctx.pool, move |c| {
        let leftovers = db::nights::leftovers(c)?;
        let mut users = db::users::active_by_last_visit(c, started_at - db::users::ACTIVE_SECONDS)?;
        // A stable sort keeps the last-visit order inside each group.
        users.sort_by_key(|(id, _)| !leftovers.contains(id));
        Ok(users)
    })
    .await?;
    Ok((night_id, users))
}

/// Records the night's end and reports it, each user in his place in the night's order.
async fn close(
    ctx: &engine::Context,
    night_id: i32,
    mut done: Vec<(usize, UserNight)>,
    finished_at: i64,
    began: Instant,
) -> Result<Report, AppError> {
    done.sort_by_key(|(place, _)| *place);
    let users: Vec<UserNight> = done.into_iter().map(|(_, user)| user).collect();
    let tally = tally(users.iter());
    let recorded = tally.clone();
    db::write(&ctx.pool, db::Scope::Unshown, move |c| {
        Ok(db::nights::finish(c, night_id, &recorded, finished_at)?)
    })
    .await?;
    let report = Report {
        users,
        tally,
        elapsed: began.elapsed(),
    };
    tracing::info!(summary = %report.summary(), "nightly refresh finished");
    Ok(report)
}

/// Refreshes one changed user through the queue and waits for the end.
async fn refresh(
    ctx: &engine::Context,
    queue: &RefreshQueue,
    user_id: i32,
    why: String,
    first_page: Option<HistoryPage>,
) -> Fate {
    let failed = |why: String, message: String| Fate::Refreshed {
        why,
        outcome: Outcome::failure(message),
    };
    match queue
        .enqueue_watched(&ctx.pool, user_id, Trigger::Nightly, first_page)
        .await
    {
        Ok(Some(done)) => match done.await {
            Ok(outcome) => Fate::Refreshed { why, outcome },
            Err(_) => failed(why, "The refresh stopped unexpectedly.".to_owned()),
        },
        // Queued or running already, here or in another process: that run covers him.
        Ok(None) => Fate::Skipped {
            why: "a refresh was already queued or running".to_owned(),
        },
        Err(error) => failed(why, error.to_string()),
    }
}

fn tally<'a>(users: impl Iterator<Item = &'a UserNight>) -> db::nights::Tally {
    let mut tally = db::nights::Tally::default();
    for user in users {
        match &user.fate {
            Fate::Refreshed { outcome, .. } => {
                if outcome.success {
                    tally.refreshed += 1;
                } else {
                    tally.failed += 1;
                }
                tally.ai_calls += outcome.ai_calls;
                tally.prompt_tokens += outcome.prompt_tokens;
                tally.completion_tokens += outcome.completion_tokens;
            }
            Fate::Skipped { .. } => tally.skipped += 1,
            Fate::Left => tally.left.push(user.user_id),
        }
    }
    tally
}
