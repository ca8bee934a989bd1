//! One queue for every refresh (nightly, on demand, first sign-in): one entry per user at a
//! time, a bounded number running at once. The work runs on the actix side, where awc lives.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use actix_web::web::Data;
use tokio::sync::{Semaphore, mpsc};

use crate::db;
use crate::engine::{self, Trigger};
use crate::error::AppError;
use crate::state::AppState;

/// A handle to the queue; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct RefreshQueue {
    tx: mpsc::UnboundedSender<(i32, Trigger)>,
    /// Users queued or running: a second request for them is a no-op.
    pending: Arc<Mutex<HashSet<i32>>>,
}

pub type Receiver = mpsc::UnboundedReceiver<(i32, Trigger)>;

fn lock(pending: &Mutex<HashSet<i32>>) -> std::sync::MutexGuard<'_, HashSet<i32>> {
    pending
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RefreshQueue {
    pub fn new() -> (Self, Receiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Self {
                tx,
                pending: Arc::default(),
            },
            rx,
        )
    }

    /// Queues a refresh of `user_id`. `Ok(false)` when he is already queued or running.
    pub async fn enqueue(
        &self,
        pool: &db::DbPool,
        user_id: i32,
        trigger: Trigger,
    ) -> Result<bool, AppError> {
        if !lock(&self.pending).insert(user_id) {
            return Ok(false);
        }
        let marked = db::run(pool, move |conn| {
            Ok(db::recommendations::set_queued(conn, user_id)?)
        })
        .await;
        if let Err(e) = marked {
            lock(&self.pending).remove(&user_id);
            return Err(e);
        }
        if self.tx.send((user_id, trigger)).is_err() {
            lock(&self.pending).remove(&user_id);
            return Err(AppError::internal(
                "refresh queue",
                "the queue is not running",
            ));
        }
        Ok(true)
    }

    /// Whether `user_id` is queued or running.
    pub fn is_pending(&self, user_id: i32) -> bool {
        lock(&self.pending).contains(&user_id)
    }
}

/// Runs queued refreshes until the sender side is gone. Spawn it once on the actix System.
pub async fn run(mut rx: Receiver, state: Data<AppState>) {
    let permits = Arc::new(Semaphore::new(state.config.refresh_concurrency));
    while let Some((user_id, trigger)) = rx.recv().await {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let state = state.clone();
        actix_web::rt::spawn(async move {
            let http = crate::integrations::http_client();
            engine::refresh_user(&state, &http, user_id, trigger, &|_, _, _| {}).await;
            lock(&state.queue.pending).remove(&user_id);
            drop(permit);
        });
    }
}

/// Queues everyone seen in the last 30 days; returns how many were queued.
pub async fn enqueue_active(state: &AppState, trigger: Trigger) -> Result<usize, AppError> {
    let since = db::now() - 30 * 86_400;
    let users = db::run(&state.pool, move |conn| {
        Ok(db::users::active_since(conn, since)?)
    })
    .await?;
    let mut queued = 0;
    for user_id in users {
        if state.queue.enqueue(&state.pool, user_id, trigger).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
