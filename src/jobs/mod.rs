//! Work that runs outside a request: the refresh queue, the nightly clock that feeds it, and
//! the background re-check of stale availability. Handlers start jobs; jobs never call
//! handlers.

pub mod nightly;
pub mod queue;
pub mod recheck;
pub mod scheduler;

pub use queue::{RefreshQueue, Worker};
pub use recheck::Rechecks;
