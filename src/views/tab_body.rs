//! The swappable part of the dashboard (`partials/tab_body.html`): the tabs, and the rows of
//! the current one or why it has none. Its cards come in rendered (`views::fragments`).

use askama::Template;

use crate::media::Tab;

use super::shelf::RowView;

/// Why a tab has no rows, and what to do about it.
pub enum Empty {
    NotConfigured { admin: bool },
    Refreshing,
    NoHistory,
    Failed,
    NothingHere,
}

/// The swappable part of the dashboard: the tabs and the rows of the current one.
#[derive(Template)]
#[template(path = "partials/tab_body.html")]
pub struct TabBody<'a> {
    pub tab: Tab,
    pub rows: &'a [RowView],
    pub empty: Option<Empty>,
    pub status_message: String,
    /// The outcome of a form posted without JavaScript.
    pub notice: Option<(bool, String)>,
}
