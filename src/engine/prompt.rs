//! The one compact prompt per user per refresh (docs/recommendations.md): titles, years, how much was
//! watched, likes and dislikes, and TMDb's recommendations of the favourites as candidates.

use crate::integrations::ai::Prompt;
use crate::media::Kind;

use super::taste::Taste;

/// How many history lines go into the prompt.
const HISTORY_LINES: usize = 50;
const DISLIKE_LINES: usize = 15;
const SKIPPED_LINES: usize = 15;
const CANDIDATE_LINES: usize = 60;

/// How many rows of how many titles to ask for, and within which certification.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub rows_per_kind: usize,
    pub items_per_row: usize,
    /// The user's rating limit (`crate::ratings`), so fewer picks are wasted on titles he
    /// would never be shown.
    pub rating_limit: Option<&'static str>,
}

/// A title TMDb recommends for one of the favourites.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: String,
    pub year: Option<i32>,
    /// The favourite it was recommended for.
    pub because: String,
}

pub fn build(taste: &Taste, candidates: &[Candidate], shape: Shape) -> Prompt {
    let system = "You recommend movies, TV shows and documentaries to one person, based on what they watched on \
                  their Plex server. Answer with one JSON object only."
        .to_owned();
    let mut user = String::from("What I watched (best first):\n");
    for seen in taste
        .seen
        .iter()
        .filter(|s| !s.disliked)
        .take(HISTORY_LINES)
    {
        user.push_str("- ");
        user.push_str(&seen.prompt_line());
        user.push('\n');
    }
    // Watched while Plex was unreachable: no ids, but the model can still avoid them by name.
    let room = HISTORY_LINES.saturating_sub(taste.seen.len());
    for named in taste.unlooked.iter().take(room.max(10)) {
        user.push_str(&format!("- {} {}, watched\n", named.title, named.kind));
    }
    let dislikes: Vec<String> = taste
        .dislikes()
        .take(DISLIKE_LINES)
        .map(|s| s.title.clone())
        .collect();
    if !dislikes.is_empty() {
        user.push_str(&format!("I disliked: {}.\n", dislikes.join(", ")));
    }
    if !taste.skipped.is_empty() {
        let skipped: Vec<&str> = taste
            .skipped
            .iter()
            .take(SKIPPED_LINES)
            .map(String::as_str)
            .collect();
        user.push_str(&format!("Not interested: {}.\n", skipped.join(", ")));
    }
    if !candidates.is_empty() {
        // Welcome picks, never things to avoid: TMDb knows them, so they verify for free.
        user.push_str(
            "\nCandidates: TMDb recommends these to people who liked what I watched. They are welcome picks; \
             use as many as fit a row, and name others too:\n",
        );
        for c in candidates.iter().take(CANDIDATE_LINES) {
            let year = c.year.map(|y| format!(" ({y})")).unwrap_or_default();
            user.push_str(&format!("[{} {}] {}{year}\n", c.kind, c.tmdb_id, c.title));
        }
    }
    let (rows, items) = (shape.rows_per_kind, shape.items_per_row);
    user.push_str(&format!(
        "\nSuggest {rows} themed rows of {items} movies, {rows} rows of {items} TV shows and 2 rows of {items} \
         documentaries (kind movie or tv). Never suggest a title from \"What I watched\", \"I disliked\" or \"Not \
         interested\". Each row has a short title and a one-line reason. Each item has its exact title, release year, \
         kind, the tmdb_id when it is a candidate, and \"because\": the title from my history it follows from.\n"
    ));
    if let Some(limit) = shape.rating_limit {
        user.push_str(&format!(
            "Suggest only titles rated {limit} or lower (US certification; TV ratings alike): this viewer \
             may not see anything above that.\n"
        ));
    }
    Prompt {
        system,
        user,
        schema_name: "recommendations",
        schema: schema(),
        temperature: 0.7,
        answer_tokens: Some(
            super::estimate::answer_tokens(shape.rows_per_kind, shape.items_per_row).1 as u64,
        ),
    }
}

/// docs/http.md's reply format as a JSON schema.
pub fn schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": {"categories": {"type": "array", "items": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "reason": {"type": "string"},
                "kind": {"type": "string", "enum": ["movie", "tv"]},
                "items": {"type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "title": {"type": "string"},
                        "year": {"type": ["integer", "null"]},
                        "tmdb_id": {"type": ["integer", "null"]},
                        "because": {"type": "string"}
                    },
                    "required": ["title", "year", "because"]
                }}
            },
            "required": ["title", "reason", "kind", "items"]
        }}},
        "required": ["categories"]
    })
}
