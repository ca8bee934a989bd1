//! One record as the history page shows it (`partials/history_row.html`).

use askama::Template;

use super::format_time;
use crate::db::preferences::Preference;
use crate::domain::Verdict;

/// One record as the history page shows it.
pub struct HistoryItem {
    pub dom_id: String,
    pub path: String,
    pub title: String,
    pub year: Option<i32>,
    pub kind_label: &'static str,
    pub action_label: &'static str,
    pub action_class: &'static str,
    pub when: String,
    pub thumb: Option<String>,
    /// For a seen record: the rating a flip sets, and the button's words.
    pub flip: Option<(&'static str, &'static str)>,
    pub back: String,
}

impl HistoryItem {
    pub fn new(p: &Preference, back: &str, image_base: &str) -> Self {
        let (action_label, action_class) = match p.verdict {
            Verdict::Liked => ("Liked", "liked"),
            Verdict::Disliked => ("Disliked", "disliked"),
            Verdict::Skipped => ("Skipped", "skipped"),
            Verdict::Requested => ("Requested", "requested"),
            Verdict::Watchlisted => ("Watchlisted", "watchlisted"),
        };
        Self {
            dom_id: format!("pref-{}-{}", p.kind, p.tmdb_id),
            path: format!("/media/{}/{}", p.kind, p.tmdb_id),
            title: p.title.clone(),
            year: p.year,
            kind_label: if p.kind == crate::media::Kind::Tv {
                "TV"
            } else {
                "Movie"
            },
            action_label,
            action_class,
            when: format_time(p.updated_at),
            thumb: p
                .poster_path
                .as_ref()
                .filter(|_| !image_base.is_empty())
                .map(|path| format!("{image_base}/w92{path}")),
            flip: match p.verdict {
                Verdict::Liked => Some(("-1", "Mark disliked")),
                Verdict::Disliked => Some(("1", "Mark liked")),
                _ => None,
            },
            back: back.to_owned(),
        }
    }
}

/// One history row, for the HTMX answer to a flip.
#[derive(Template)]
#[template(path = "partials/history_row.html")]
pub struct HistoryRowFragment {
    pub item: HistoryItem,
}

impl HistoryRowFragment {
    pub fn new(p: &Preference, back: &str, image_base: &str) -> Self {
        Self {
            item: HistoryItem::new(p, back, image_base),
        }
    }
}
