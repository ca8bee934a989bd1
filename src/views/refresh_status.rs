//! The refresh progress box (`partials/refresh_status.html`), on the dashboard and on its own.

use askama::Template;

use crate::db::recommendations::Status;

/// The progress box; it polls itself while a refresh is queued or running.
#[derive(Template)]
#[template(path = "partials/refresh_status.html")]
pub struct StatusFragment {
    pub status: Status,
}

impl StatusFragment {
    pub fn active(&self) -> bool {
        self.status.state == "queued" || self.status.state == "running"
    }

    pub fn percent(&self) -> i32 {
        if self.status.total > 0 {
            (self.status.done * 100 / self.status.total).clamp(0, 100)
        } else {
            0
        }
    }
}
