//! One queue for every refresh (nightly, on demand, first sign-in): one entry per user at a
//! time, a bounded number running at once. The work runs on the actix side, where awc lives.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::sync::{Semaphore, mpsc, oneshot};

use crate::db;
use crate::engine::{self, Outcome, Trigger};
use crate::error::AppError;
use crate::integrations::tautulli::HistoryPage;

/// How long, and how often, a request waits for a run that has recorded its end to leave the
/// pending set.
const FINISHING_WAIT: std::time::Duration = std::time::Duration::from_millis(5);
const FINISHING_WAITS: usize = 20;

/// A handle to the queue; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct RefreshQueue {
    tx: mpsc::UnboundedSender<Job>,
    /// Users queued or running: a second request for them is a no-op.
    pending: Arc<Mutex<HashSet<i32>>>,
}

/// The other end of the queue: runs what was queued, once started with [`Worker::run`].
pub struct Worker {
    rx: mpsc::UnboundedReceiver<Job>,
    pending: Arc<Mutex<HashSet<i32>>>,
}

/// One queued refresh.
struct Job {
    user_id: i32,
    trigger: Trigger,
    /// The history's first page, when the nightly's check just read it.
    first_page: Option<HistoryPage>,
    /// Told the outcome when the run ends; dropped unanswered if it panics.
    done: Option<oneshot::Sender<Outcome>>,
    /// A group's "Ask the AI for us" instead of a refresh: the members, `user_id` first.
    group: Option<Vec<i32>>,
}

fn lock(pending: &Mutex<HashSet<i32>>) -> std::sync::MutexGuard<'_, HashSet<i32>> {
    pending
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RefreshQueue {
    pub fn new() -> (Self, Worker) {
        let (tx, rx) = mpsc::unbounded_channel();
        let pending: Arc<Mutex<HashSet<i32>>> = Arc::default();
        (
            Self {
                tx,
                pending: pending.clone(),
            },
            Worker { rx, pending },
        )
    }

    /// Queues a refresh of `user_id`. `Ok(false)` when he is already queued or running.
    pub async fn enqueue(
        &self,
        pool: &db::DbPool,
        user_id: i32,
        trigger: Trigger,
    ) -> Result<bool, AppError> {
        let job = Job {
            user_id,
            trigger,
            first_page: None,
            done: None,
            group: None,
        };
        self.submit(pool, job).await
    }

    /// Queues one AI call for the group `members` (the caller first), shown as the caller's
    /// refresh. `Ok(false)` when he is already queued or running.
    pub async fn enqueue_group(
        &self,
        pool: &db::DbPool,
        members: Vec<i32>,
    ) -> Result<bool, AppError> {
        let Some(&user_id) = members.first() else {
            return Ok(false);
        };
        let job = Job {
            user_id,
            trigger: Trigger::Together,
            first_page: None,
            done: None,
            group: Some(members),
        };
        self.submit(pool, job).await
    }

    /// Queues the nightly's refresh of `user_id`, starting from `first_page` when given; the
    /// receiver gets its outcome. `Ok(None)` when he is already queued or running.
    pub async fn enqueue_watched(
        &self,
        pool: &db::DbPool,
        user_id: i32,
        trigger: Trigger,
        first_page: Option<HistoryPage>,
    ) -> Result<Option<oneshot::Receiver<Outcome>>, AppError> {
        let (done, outcome) = oneshot::channel();
        let job = Job {
            user_id,
            trigger,
            first_page,
            done: Some(done),
            group: None,
        };
        Ok(self.submit(pool, job).await?.then_some(outcome))
    }

    async fn submit(&self, pool: &db::DbPool, job: Job) -> Result<bool, AppError> {
        let user_id = job.user_id;
        if !self.claim(pool, user_id).await? {
            return Ok(false);
        }
        let run_for = if job.group.is_some() {
            db::states::RunFor::Group
        } else {
            db::states::RunFor::Own
        };
        let marked = db::write(pool, db::Scope::User(user_id), move |conn| {
            Ok(db::recommendations::set_queued(conn, user_id, run_for)?)
        })
        .await;
        if let Err(e) = marked {
            lock(&self.pending).remove(&user_id);
            return Err(e.into());
        }
        if self.tx.send(job).is_err() {
            lock(&self.pending).remove(&user_id);
            return Err(AppError::internal(
                "refresh queue",
                "the queue is not running",
            ));
        }
        Ok(true)
    }

    /// Puts `user_id` in the pending set; `false` when he is queued or running, here or in
    /// another process (the server beside `sagarr refresh`: the status they keep is shared).
    /// A run records its end a moment before it leaves the set: a request in that moment
    /// waits for it instead of being dropped, so a click right after a refresh ended is never
    /// lost.
    async fn claim(&self, pool: &db::DbPool, user_id: i32) -> Result<bool, AppError> {
        for _ in 0..FINISHING_WAITS {
            let status =
                db::run(pool, move |c| Ok(db::recommendations::status(c, user_id)?)).await?;
            let active = status.state.is_active();
            let claimed = lock(&self.pending).insert(user_id);
            match (claimed, active) {
                (true, false) => return Ok(true),
                // Not ours, yet queued or running: another process has him.
                (true, true) => {
                    lock(&self.pending).remove(&user_id);
                    return Ok(false);
                }
                (false, true) => return Ok(false),
                (false, false) => actix_web::rt::time::sleep(FINISHING_WAIT).await,
            }
        }
        Ok(false)
    }

    /// Queues everyone seen in the last 30 days, the most recent visitor first; returns how
    /// many were queued. Always in full: the nightly's policy is `night`'s, not this.
    pub async fn enqueue_active(
        &self,
        pool: &db::DbPool,
        trigger: Trigger,
    ) -> Result<usize, AppError> {
        let since = db::now() - db::users::ACTIVE_SECONDS;
        let users = db::run(pool, move |conn| {
            Ok(db::users::active_by_last_visit(conn, since)?)
        })
        .await?;
        let mut queued = 0;
        for (user_id, _) in users {
            if self.enqueue(pool, user_id, trigger).await? {
                queued += 1;
            }
        }
        Ok(queued)
    }
}

impl Worker {
    /// Runs queued refreshes, `refresh_concurrency` at a time, until every sender is gone.
    /// Spawn it once on the actix System.
    pub async fn run(mut self, ctx: engine::Context) {
        let permits = Arc::new(Semaphore::new(ctx.config.refresh_concurrency));
        while let Some(job) = self.rx.recv().await {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let Job {
                user_id,
                trigger,
                first_page,
                done,
                group,
            } = job;
            let ctx = ctx.clone();
            let pending = self.pending.clone();
            actix_web::rt::spawn(async move {
                let guard = RunGuard {
                    pending,
                    pool: ctx.pool.clone(),
                    user_id,
                    finished: false,
                };
                let http = crate::integrations::http_client();
                let outcome = match group {
                    Some(members) => {
                        engine::together::ask(&ctx, &http, user_id, members, &|_, _, _| {}).await
                    }
                    None => {
                        engine::refresh_user_from(
                            &ctx,
                            &http,
                            user_id,
                            trigger,
                            &|_, _, _| {},
                            first_page,
                        )
                        .await
                    }
                };
                guard.finish();
                drop(permit);
                if let Some(done) = done {
                    let _ = done.send(outcome);
                }
            });
        }
    }
}

/// Held while a refresh runs. However the run ends, even by a panic, the user leaves the
/// pending set; if it did not end normally, his status says the run failed, so he never shows
/// as queued or running until a restart.
struct RunGuard {
    pending: Arc<Mutex<HashSet<i32>>>,
    pool: db::DbPool,
    user_id: i32,
    finished: bool,
}

impl RunGuard {
    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        lock(&self.pending).remove(&self.user_id);
        if self.finished {
            return;
        }
        tracing::error!(user_id = self.user_id, "a refresh stopped unexpectedly");
        // Blocking, but only on this rare path, and the run's own writes are over.
        if let Ok(mut conn) = self.pool.get() {
            let _ = db::recommendations::set_finished(
                &mut conn,
                self.user_id,
                db::states::RunOutcome::Failed,
                "The refresh stopped unexpectedly; the previous rows were kept. Try again.",
                db::now(),
            );
            self.pool.versions().bump(db::Scope::User(self.user_id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_with_user() -> (tempfile::TempDir, db::DbPool, i32) {
        db::users::test_pool_with_user()
    }

    #[actix_web::test]
    async fn a_request_just_after_a_run_recorded_its_end_is_queued_not_dropped() {
        let (_dir, pool, user_id) = pool_with_user();
        let (queue, _worker) = RefreshQueue::new();
        // The run has written its end (the status is no longer running) but has not yet left
        // the pending set: it does so a moment later.
        db::recommendations::set_finished(
            &mut pool.get().unwrap(),
            user_id,
            db::states::RunOutcome::Ok,
            "Found 12 titles for you.",
            2,
        )
        .unwrap();
        lock(&queue.pending).insert(user_id);
        let pending = queue.pending.clone();
        actix_web::rt::spawn(async move {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
            lock(&pending).remove(&user_id);
        });
        assert!(
            queue
                .enqueue(&pool, user_id, Trigger::Manual)
                .await
                .unwrap(),
            "the click is queued"
        );
        assert!(
            !queue
                .enqueue(&pool, user_id, Trigger::Manual)
                .await
                .unwrap(),
            "then it is a no-op"
        );
    }

    #[actix_web::test]
    async fn a_refresh_that_panics_is_marked_failed_and_leaves_the_queue() {
        let (_dir, pool, user_id) = pool_with_user();
        db::recommendations::set_running(&mut pool.get().unwrap(), user_id, 2).unwrap();
        let pending: Arc<Mutex<HashSet<i32>>> = Arc::default();
        lock(&pending).insert(user_id);
        let guard = RunGuard {
            pending: pending.clone(),
            pool: pool.clone(),
            user_id,
            finished: false,
        };
        // An engine that panics mid-run, in a task as the queue runs it.
        let run = actix_web::rt::spawn(async move {
            let _guard = guard;
            actix_web::rt::task::yield_now().await;
            panic!("the engine panicked");
        });
        assert!(run.await.is_err(), "the task panicked");
        assert!(!lock(&pending).contains(&user_id), "no longer pending");
        let status = db::recommendations::status(&mut pool.get().unwrap(), user_id).unwrap();
        assert_eq!(status.state, db::states::RefreshState::Failed);
        assert!(
            status.message.contains("stopped unexpectedly"),
            "{}",
            status.message
        );
    }
}
