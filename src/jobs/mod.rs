//! Work that runs outside a request: the refresh queue, the night (`night`) and the clock that
//! starts it (`nightly`), and the background re-check of stale availability. Handlers start
//! jobs; jobs never call handlers.

pub mod night;
pub mod nightly;
pub mod queue;
pub mod recheck;
pub mod scheduler;

pub use queue::{RefreshQueue, Worker};
pub use recheck::Rechecks;
