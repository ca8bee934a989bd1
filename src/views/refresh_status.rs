//! The refresh progress box (`partials/refresh_status.html`), on the dashboard and on its own.

use askama::Template;

use crate::db::recommendations::Status;
use crate::db::states::RefreshState;

/// The progress box; it polls itself while a refresh is queued or running.
#[derive(Template)]
#[template(path = "partials/refresh_status.html")]
pub struct StatusFragment {
    pub status: Status,
}

impl StatusFragment {
    pub fn active(&self) -> bool {
        self.status.state.is_active()
    }

    pub fn queued(&self) -> bool {
        self.status.state == RefreshState::Queued
    }

    pub fn failed(&self) -> bool {
        self.status.state == RefreshState::Failed
    }

    pub fn percent(&self) -> i32 {
        if self.status.total > 0 {
            (self.status.done * 100 / self.status.total).clamp(0, 100)
        } else {
            0
        }
    }
}
