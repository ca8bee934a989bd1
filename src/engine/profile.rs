//! What a refresh learned of a user's taste, kept for Watch together (docs/recommendations.md
//! "Watch together"): a group's page is built from its members' stored profiles and rows, so it
//! never waits on Tautulli, and a group's AI call sends each member's history.

use serde::{Deserialize, Serialize};

use crate::domain::TitleId;
use crate::media::Kind;

use super::taste::Taste;

/// History lines kept per user for a group's prompt.
const LINES: usize = 30;
const DISLIKES: usize = 10;

/// One user's taste, as of his last refresh.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TasteProfile {
    /// Every title in his history with an id: never picked for a group he is in.
    pub watched: Vec<TitleId>,
    /// His history's titles, best first, and their prompt lines (same order).
    pub titles: Vec<String>,
    pub lines: Vec<String>,
    pub dislikes: Vec<String>,
    /// Titles TMDb recommends for his favourites, with the favourite each follows from.
    pub neighbours: Vec<Neighbour>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Neighbour {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub because: String,
}

impl TasteProfile {
    /// `neighbours`: the titles TMDb recommends for his favourites (the refresh's candidates).
    pub fn of(taste: &Taste, neighbours: Vec<Neighbour>) -> Self {
        let liked = taste.seen.iter().filter(|s| !s.disliked).take(LINES);
        Self {
            watched: taste
                .seen
                .iter()
                .map(|s| TitleId(s.kind, s.tmdb_id))
                .collect(),
            titles: liked.clone().map(|s| s.title.clone()).collect(),
            lines: liked.map(|s| s.prompt_line()).collect(),
            dislikes: taste
                .dislikes()
                .take(DISLIKES)
                .map(|s| s.title.clone())
                .collect(),
            neighbours,
        }
    }
}
