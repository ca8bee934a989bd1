//! The nightly refresh: each night at `SAGARR_REFRESH_AT` it queues every user active in the
//! last 30 days.

use crate::db::DbPool;
use crate::engine::Trigger;

use super::queue::RefreshQueue;

/// Starts the clock thread and the task that queues the night's refreshes. Must be called on
/// the actix runtime; the clock stops when the handle is dropped.
pub fn start(at: chrono::NaiveTime, queue: RefreshQueue, pool: DbPool) -> clokwerk::ScheduleHandle {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = super::scheduler::start(at, tx);
    actix_web::rt::spawn(async move {
        while rx.recv().await.is_some() {
            match queue.enqueue_active(&pool, Trigger::Nightly).await {
                Ok(n) => tracing::info!(users = n, "nightly refresh queued"),
                Err(error) => tracing::error!(%error, "could not queue the nightly refresh"),
            }
        }
    });
    handle
}
