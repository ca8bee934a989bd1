//! The recommendation engine (docs/recommendations.md): one user's history in, verified and explained rows
//! out, stored only when the run produced some. Page views never wait on any of this.

mod asking;
pub mod availability;
pub mod budget;
mod context;
pub mod error;
pub mod estimate;
mod fill;
pub mod fingerprint;
pub mod group;
mod history;

pub use availability::FRESH_SECONDS as AVAILABILITY_FRESH_SECONDS;
pub use context::Context;
pub use error::EngineError;
pub mod normalize;
pub mod profile;
pub mod prompt;
pub mod reply;
pub mod rows;
mod run;
pub mod taste;
pub mod together;
pub mod unchanged;
pub mod verify;

use std::collections::HashMap;
use std::time::Duration;

use futures_util::{StreamExt, stream};

use crate::catalog;
use crate::db::{self, DbPool, states::RunOutcome};
use crate::domain::TitleId;
use crate::error::AppError;
use crate::integrations::tautulli::{HistoryPage, Tautulli};
use crate::integrations::tmdb::Tmdb;
use crate::integrations::upstreams::Upstreams;
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};

use self::prompt::Candidate;
use self::rows::{Assembly, Card};
use self::taste::Taste;
use self::verify::{Checked, DropReason};

/// Why a refresh was started (stored with its run record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Nightly,
    Manual,
    Admin,
    FirstSignIn,
    Cli,
    /// A group's "Ask the AI for us" (Watch together): its rows are the group's, not his.
    Together,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nightly => "nightly",
            Self::Manual => "manual",
            Self::Admin => "admin",
            Self::FirstSignIn => "first_sign_in",
            Self::Cli => "cli",
            Self::Together => "together",
        }
    }
}

/// Receives progress as the refresh moves: step name, done, total.
pub type Progress<'a> = &'a dyn Fn(&str, i32, i32);

/// How a refresh ended, as its status message and run record tell it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub success: bool,
    pub message: String,
    pub kept: u32,
    /// What the AI cost: requests made and tokens, every attempt included.
    pub ai_calls: i32,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// Verified picks kept beyond those shown, per row.
pub const RESERVE_PER_ROW: usize = 4;
const HISTORY_PAGE: usize = 100;
const HISTORY_PAGES: usize = 20;
const FAVOURITES: usize = 6;
const LOOKUP_CONCURRENCY: usize = 6;

/// Everything one run needs, resolved from the settings at its start.
struct Run<'a> {
    ctx: &'a Context,
    http: &'a awc::Client,
    user: db::users::User,
    upstreams: &'a Upstreams,
    tautulli: Option<Tautulli<'a>>,
    tmdb: Tmdb<'a>,
    record: db::runs::NewRun,
    progress: Progress<'a>,
    /// Said in the outcome when the AI's answer was cut short (a clock, its length limit, a
    /// broken stream): the complete rows were kept.
    ai_note: Option<String>,
    /// Said in the outcome when the model's context could not hold the configured answer.
    context_note: Option<String>,
    /// The history's first page when the nightly already read it (`unchanged::check`).
    first_page: Option<HistoryPage>,
    /// A group's run keeps the AI's `because` as said ("Alice: Arrival; Bob: Heat"), to be read
    /// per member (`group::rank`).
    because_as_said: bool,
}

/// Refreshes one user's rows, records the run, and updates his refresh status. Never panics
/// on upstream trouble: a failure keeps the previous rows and says why.
pub async fn refresh_user(
    ctx: &Context,
    http: &awc::Client,
    user_id: i32,
    trigger: Trigger,
    progress: Progress<'_>,
) -> Outcome {
    refresh_user_from(ctx, http, user_id, trigger, progress, None).await
}

/// [`refresh_user`], starting from the history's first page when the caller just read it, so
/// the nightly's check and the refresh it decides on make one `get_history` call between them.
pub async fn refresh_user_from(
    ctx: &Context,
    http: &awc::Client,
    user_id: i32,
    trigger: Trigger,
    progress: Progress<'_>,
    first_page: Option<HistoryPage>,
) -> Outcome {
    let started = db::now();
    let record = db::runs::NewRun {
        user_id,
        trigger: trigger.as_str().to_owned(),
        started_at: started,
        ..Default::default()
    };
    let started_run = db::write(&ctx.pool, db::Scope::User(user_id), move |c| {
        Ok(db::recommendations::set_running(c, user_id, started)?)
    })
    .await;
    if let Err(error) = started_run {
        tracing::warn!(%error, user_id, "could not mark a refresh running");
    }
    progress("Starting", 0, 0);

    // A guard against a hang, past every clock the AI calls have: two attempts at each of two
    // providers, each at most AI_MAX_SECONDS, and the rest of the run.
    let deadline = ctx.config.ai_max * 4 + Duration::from_secs(600);
    let result = match prepare(ctx, user_id).await {
        Ok((user, upstreams)) => {
            match Run::new(
                ctx,
                http,
                user,
                &upstreams,
                record.clone(),
                progress,
                first_page,
            ) {
                Ok(run) => match actix_web::rt::time::timeout(deadline, run.execute()).await {
                    Ok(result) => result,
                    Err(_) => Err((
                        format!(
                            "The refresh took longer than {} minutes and was stopped; the previous rows were kept.",
                            deadline.as_secs() / 60
                        ),
                        None,
                    )),
                },
                Err(missing) => Err(failure(missing, &record)),
            }
        }
        Err(message) => Err((message, None)),
    };

    record_end(ctx, user_id, trigger, started, result).await
}

/// The AI's own `because`, trimmed to a line.
fn said_because(said: &str) -> String {
    said.split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .take(200)
        .collect()
}

impl Outcome {
    fn succeeded(message: String, kept: u32) -> Self {
        Self {
            success: true,
            message,
            kept,
            ai_calls: 0,
            prompt_tokens: 0,
            completion_tokens: 0,
        }
    }

    /// A run that ended without new rows, saying why.
    pub fn failure(message: String) -> Self {
        Self {
            success: false,
            ..Self::succeeded(message, 0)
        }
    }
}

type Failure = (String, Option<db::runs::NewRun>);

/// Ends a run, a refresh's or a group's: its record (what the AI cost, how it ended) is
/// written, and the user's refresh status says the outcome. Best effort: a busy database is
/// logged, the outcome still returned.
async fn record_end(
    ctx: &Context,
    user_id: i32,
    trigger: Trigger,
    started: i64,
    result: Result<(Outcome, db::runs::NewRun), Failure>,
) -> Outcome {
    let (mut outcome, mut record) = match result {
        Ok((outcome, record)) => (outcome, record),
        Err((message, record)) => {
            let mut record = record.unwrap_or_default();
            record.outcome = RunOutcome::Failed;
            (Outcome::failure(message), record)
        }
    };
    outcome.ai_calls = record.ai_calls;
    outcome.prompt_tokens = i64::from(record.prompt_tokens);
    outcome.completion_tokens = i64::from(record.completion_tokens);
    record.user_id = user_id;
    record.trigger = trigger.as_str().to_owned();
    record.started_at = started;
    record.finished_at = db::now();
    record.message = outcome.message.clone();
    let (ended, message) = (record.outcome, outcome.message.clone());
    let saved = db::write(&ctx.pool, db::Scope::User(user_id), move |conn| {
        db::runs::insert(conn, &record)?;
        Ok(db::recommendations::set_finished(
            conn,
            user_id,
            ended,
            &message,
            db::now(),
        )?)
    })
    .await;
    if let Err(error) = saved {
        tracing::error!(%error, user_id, trigger = trigger.as_str(), "could not record a run");
    }
    tracing::info!(user_id, trigger = trigger.as_str(), success = outcome.success, kept = outcome.kept, message = %outcome.message, "run finished");
    outcome
}

/// Tells the caller and records progress. Awaited, so it can never land after the run's end;
/// best effort, so a busy database does not fail the run.
async fn report(
    pool: &DbPool,
    progress: Progress<'_>,
    user_id: i32,
    step: &str,
    done: i32,
    total: i32,
) {
    progress(step, done, total);
    let step = step.to_owned();
    let _ = db::write(pool, db::Scope::User(user_id), move |c| {
        Ok(db::recommendations::set_progress(
            c, user_id, &step, done, total,
        )?)
    })
    .await;
}

/// The user and every upstream client, read at the run's start.
async fn prepare(ctx: &Context, user_id: i32) -> Result<(db::users::User, Upstreams), String> {
    let config = ctx.config.clone();
    let client_id = ctx.plex_client_id.clone();
    let loaded = db::run(&ctx.pool, move |conn| {
        Ok((
            db::users::find(conn, user_id)?,
            Upstreams::load(conn, &config, &client_id)?,
        ))
    })
    .await
    .map_err(|e| AppError::from(e).to_string())?;
    match loaded {
        (Some(user), upstreams) => Ok((user, upstreams)),
        (None, _) => Err("This user no longer exists.".to_owned()),
    }
}

fn failure(error: impl Into<AppError>, record: &db::runs::NewRun) -> Failure {
    kept_rows(error.into(), record)
}

/// A run that stopped for `why` (said as the user reads it), his rows kept.
fn kept_rows(why: impl std::fmt::Display, record: &db::runs::NewRun) -> Failure {
    (
        format!("{why}; the previous rows were kept."),
        Some(record.clone()),
    )
}

/// How asking the AI went in a refresh: its answer was used, none is set up, or it failed (why).
enum AiAsked {
    Answered,
    NotSetUp,
    Failed(String),
}

impl<'a> Run<'a> {
    /// A run over `upstreams`; TMDb is the one service a refresh cannot do without.
    fn new(
        ctx: &'a Context,
        http: &'a awc::Client,
        user: db::users::User,
        upstreams: &'a Upstreams,
        record: db::runs::NewRun,
        progress: Progress<'a>,
        first_page: Option<HistoryPage>,
    ) -> Result<Self, UpstreamError> {
        let Some(tmdb) = upstreams.tmdb(http) else {
            return Err(UpstreamError::not_configured(Service::Tmdb));
        };
        Ok(Run {
            ctx,
            http,
            user,
            upstreams,
            tautulli: upstreams.tautulli(http),
            tmdb,
            record,
            progress,
            ai_note: None,
            context_note: None,
            first_page,
            because_as_said: false,
        })
    }
}

impl Run<'_> {
    fn pool(&self) -> &DbPool {
        &self.ctx.pool
    }

    /// Cards kept per row: those shown, and a reserve that replaces a skipped card without
    /// another AI call.
    fn kept_per_row(&self) -> usize {
        self.ctx.config.items_per_row + RESERVE_PER_ROW
    }

    async fn report(&self, step: &str, done: i32, total: i32) {
        report(self.pool(), self.progress, self.user.id, step, done, total).await;
    }

    /// Verifies every proposed item (in order, a few at a time) and assembles the rows.
    async fn verify_into(
        &mut self,
        assembly: &mut Assembly,
        proposals: &[reply::Proposal],
        history: &HashMap<String, String>,
        grounded: &HashMap<TitleId, &String>,
    ) -> Result<(), EngineError> {
        let total: usize = proposals.iter().map(|p| p.items.len()).sum();
        self.record.proposed = total as i32;
        let tmdb = &self.tmdb;
        let mut done = 0;
        for proposal in proposals {
            let checked: Vec<Result<Checked, EngineError>> = stream::iter(&proposal.items)
                .map(|item| verify::check(self.pool(), tmdb, item, proposal.kind))
                .buffered(LOOKUP_CONCURRENCY)
                .collect()
                .await;
            let mut cards = Vec::new();
            for (item, checked) in proposal.items.iter().zip(checked) {
                match checked? {
                    Checked::Found(kind, details) => {
                        let because = if self.because_as_said {
                            item.because.as_deref().map(said_because)
                        } else {
                            rows::because(
                                item.because.as_deref(),
                                history,
                                grounded.get(&TitleId(kind, details.id)).copied(),
                            )
                        };
                        let genre_ids = details.genres.iter().map(|g| g.id).collect();
                        cards.push((Card::from_details(kind, &details, because), genre_ids));
                    }
                    Checked::Dropped(reason) => assembly.drop_item(reason),
                }
            }
            done += proposal.items.len();
            self.report("Checking titles", done as i32, total as i32)
                .await;
            assembly.add_row(
                &proposal.title,
                &proposal.reason,
                cards,
                self.kept_per_row(),
            );
        }
        Ok(())
    }

    /// Without AI: "Because you watched X" rows from TMDb's recommendations of the favourites.
    async fn tmdb_rows(
        &self,
        assembly: &mut Assembly,
        taste: &Taste,
        candidates: &[Candidate],
    ) -> Result<(), EngineError> {
        let tmdb = &self.tmdb;
        for favourite in taste.favourites(FAVOURITES) {
            let picks: Vec<&Candidate> = candidates
                .iter()
                .filter(|c| c.because == favourite.title && c.kind == favourite.kind)
                .take(self.kept_per_row())
                .collect();
            let mut cards = Vec::new();
            for pick in picks {
                match catalog::details(self.pool(), tmdb, pick.kind, pick.tmdb_id).await {
                    Ok(details) => {
                        let genre_ids = details.genres.iter().map(|g| g.id).collect();
                        cards.push((
                            Card::from_details(pick.kind, &details, Some(favourite.title.clone())),
                            genre_ids,
                        ));
                    }
                    Err(EngineError::Upstream(e)) if e.kind == UpstreamErrorKind::NotFound => {
                        assembly.drop_item(DropReason::Invented)
                    }
                    Err(e) => return Err(e),
                }
            }
            let reason = format!(
                "TMDb recommends these to people who liked {}",
                favourite.title
            );
            assembly.add_row(
                &format!("Because you watched {}", favourite.title),
                &reason,
                cards,
                self.kept_per_row(),
            );
        }
        Ok(())
    }
}
