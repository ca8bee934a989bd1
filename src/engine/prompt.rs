//! The one compact prompt per user per refresh (docs/recommendations.md): titles, years, how much was
//! watched, likes and dislikes, and TMDb's recommendations of the favourites as candidates.

use crate::domain::TitleId;
use crate::integrations::ai::Prompt;
use crate::media::Kind;

use super::profile::TasteProfile;
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
    finish(system, user, shape, "this viewer")
}

/// The rating limit's line, then the prompt: the same reply format for one viewer or a group.
fn finish(system: String, mut user: String, shape: Shape, who: &str) -> Prompt {
    if let Some(limit) = shape.rating_limit {
        user.push_str(&format!(
            "Suggest only titles rated {limit} or lower (US certification; TV ratings alike): {who} \
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

/// Whom the AI is asked for: one user, or a group planning a watch together.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    One {
        taste: &'a Taste,
        candidates: &'a [Candidate],
    },
    Group(&'a [GroupMember<'a>]),
}

impl Subject<'_> {
    pub fn prompt(self, shape: Shape) -> Prompt {
        match self {
            Self::One { taste, candidates } => build(taste, candidates, shape),
            Self::Group(members) => build_group(members, shape),
        }
    }
}

/// One member of a group, for the group's prompt: his name and stored taste.
pub struct GroupMember<'a> {
    pub name: &'a str,
    pub profile: &'a TasteProfile,
}

/// The prompt for a group planning a watch together: each member's history, then the titles
/// TMDb recommends for several of them first. One call for the whole group.
pub fn build_group(members: &[GroupMember<'_>], shape: Shape) -> Prompt {
    let system = "You recommend movies and TV shows to a group of people who want to watch together, based on \
                  what each of them watched on their Plex server. Answer with one JSON object only."
        .to_owned();
    let names: Vec<&str> = members.iter().map(|m| m.name).collect();
    let mut user = format!("We are {}.\n", names.join(", "));
    let per_member = (HISTORY_LINES / members.len().max(1)).max(10);
    for member in members {
        user.push_str(&format!("\nWhat {} watched (best first):\n", member.name));
        for line in member.profile.lines.iter().take(per_member) {
            user.push_str("- ");
            user.push_str(line);
            user.push('\n');
        }
        if !member.profile.dislikes.is_empty() {
            user.push_str(&format!(
                "{} disliked: {}.\n",
                member.name,
                member.profile.dislikes.join(", ")
            ));
        }
    }
    // Titles TMDb recommends for several of us come first.
    let mut counts: std::collections::HashMap<TitleId, usize> = Default::default();
    for n in members.iter().flat_map(|m| &m.profile.neighbours) {
        *counts.entry(TitleId(n.kind, n.tmdb_id)).or_default() += 1;
    }
    let mut neighbours: Vec<_> = members.iter().flat_map(|m| &m.profile.neighbours).collect();
    neighbours.sort_by_key(|n| std::cmp::Reverse(counts[&TitleId(n.kind, n.tmdb_id)]));
    let mut listed = std::collections::HashSet::new();
    let mut lines = Vec::new();
    for n in neighbours {
        if lines.len() < CANDIDATE_LINES && listed.insert(TitleId(n.kind, n.tmdb_id)) {
            let year = n.year.map(|y| format!(" ({y})")).unwrap_or_default();
            lines.push(format!("[{} {}] {}{year}\n", n.kind, n.tmdb_id, n.title));
        }
    }
    if !lines.is_empty() {
        user.push_str("\nCandidates: TMDb recommends these to people who liked what we watched (those for several of us first). They are welcome picks:\n");
        lines.iter().for_each(|l| user.push_str(l));
    }
    let (rows, items) = (shape.rows_per_kind, shape.items_per_row);
    user.push_str(&format!(
        "\nSuggest {rows} themed rows of {items} movies and {rows} rows of {items} TV shows (kind movie or tv) that all \
         of us would enjoy together. Never suggest a title any of us watched or disliked. Each row has a short title \
         and a one-line reason. Each item has its exact title, release year, kind, the tmdb_id when it is a \
         candidate, and \"because\": for each of us, the title from their history it follows from, written \
         \"Name: Title\" and joined by \"; \".\n"
    ));
    finish(system, user, shape, "one of us")
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
