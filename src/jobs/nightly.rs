//! The nightly clock's side of the night: each night at `SAGARR_REFRESH_AT` it runs
//! [`super::night::run`], the same night `sagarr refresh --nightly` runs.

use crate::db;
use crate::engine;

use super::night::{self, Starter};
use super::queue::RefreshQueue;

/// Starts the clock thread and the task that runs the nights. Must be called on the actix
/// runtime; the clock stops when the handle is dropped.
pub fn start(
    at: chrono::NaiveTime,
    ctx: engine::Context,
    queue: RefreshQueue,
) -> clokwerk::ScheduleHandle {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = super::scheduler::start(at, tx);
    actix_web::rt::spawn(async move {
        // One night at a time: a tick that comes during a night waits for its end.
        while rx.recv().await.is_some() {
            let told = |user: &night::UserNight| tracing::info!("nightly: {}", user.line());
            if let Err(error) = night::run(&ctx, &queue, Starter::Clock, &db::now, &told).await {
                tracing::error!(%error, "the nightly refresh could not run");
            }
        }
    });
    handle
}
