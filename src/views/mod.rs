//! What the pages show, shared by the handlers that answer with it: one view per partial
//! template, with the database read that fills it. Views never call an upstream; the handlers in
//! `routes/` do that and pass the result in.

pub mod admin_runs;
pub mod admin_users;
pub mod ai_usage;
pub mod assembly;
pub mod card;
pub mod details;
pub mod fragments;
pub mod history_row;
pub mod refresh_status;
pub mod shelf;
pub mod tab_body;

/// A unix time as local date and time (the `TZ` of the server).
pub fn format_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
