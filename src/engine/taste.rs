//! What a user likes, from his Tautulli history and his own records (docs/recommendations.md: a full
//! watch is not a like, a skip is not a dislike), and what must never be recommended to him.

use std::collections::{HashMap, HashSet};

use crate::db::preferences::Preference;
use crate::domain::TitleId;
use crate::domain::Verdict;
use crate::integrations::tautulli::HistoryRow;
use crate::media::Kind;

/// A title in the user's history, with how much and how lately he watched it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub plays: u32,
    pub best_percent: i64,
    pub last_played: i64,
    /// Tautulli's `watched_status` 1 on the movie, or on any episode of the show.
    pub watched: bool,
    pub liked: bool,
    pub disliked: bool,
}

impl Seen {
    /// Completion, rewatches and recency (half-life about four months), a like counting double.
    pub fn score(&self, now: i64) -> f64 {
        let completion = (self.best_percent.clamp(0, 100) as f64 / 100.0).max(0.1);
        let rewatches = 1.0 + f64::from(self.plays.max(1)).ln();
        let age_days = ((now - self.last_played).max(0) as f64) / 86_400.0;
        let recency = 0.35 + 0.65 * (-age_days / 180.0).exp();
        let liked = if self.liked { 2.0 } else { 1.0 };
        completion * rewatches * recency * liked
    }

    /// One compact prompt line: `The Matrix (1999) movie, watched twice, liked`.
    pub fn prompt_line(&self) -> String {
        let year = self.year.map(|y| format!(" ({y})")).unwrap_or_default();
        let amount = match (self.kind, self.plays, self.watched) {
            (Kind::Tv, n, _) if n > 1 => format!("{n} episodes"),
            (_, 0, _) => "rated in Sagarr".to_owned(),
            (_, 1, true) => "watched".to_owned(),
            (_, 2, true) => "watched twice".to_owned(),
            (_, n, true) => format!("watched {n} times"),
            (_, _, false) => format!("partly watched ({}%)", self.best_percent),
        };
        let verdict = if self.liked {
            ", liked"
        } else if self.disliked {
            ", disliked"
        } else {
            ""
        };
        format!("{}{year} {}, {amount}{verdict}", self.title, self.kind)
    }
}

/// Everything the engine knows about one user's taste.
#[derive(Debug, Default)]
pub struct Taste {
    /// Best first.
    pub seen: Vec<Seen>,
    /// Titles skipped unseen: not interested, not disliked.
    pub skipped: Vec<String>,
    /// Never recommend: watched, rated, skipped, requested, watchlisted (by kind and id).
    pub excluded: HashSet<TitleId>,
    /// Titles in the history known by name only: Tautulli could not look them up (Plex out of
    /// reach or asleep), or they have no ids (deleted from Plex since). Kept out by name and
    /// year (see [`Taste::unlooked_keys`]).
    pub unlooked: Vec<NamedTitle>,
    /// How many of the history's titles were unlooked, of how many, when Plex was unreachable.
    pub plex_outage: Option<(usize, usize)>,
}

/// A watched title known only by what its history row says: kind, name and (a movie's) year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTitle {
    pub kind: Kind,
    pub title: String,
    pub year: Option<i32>,
}

impl NamedTitle {
    /// The movie, or the episode's show (an episode row's year is the episode's, so none).
    pub fn of(row: &HistoryRow) -> Self {
        match row.media_type.as_str() {
            "episode" => Self {
                kind: Kind::Tv,
                title: row.grandparent_title.clone(),
                year: None,
            },
            _ => Self {
                kind: Kind::Movie,
                title: row.title.clone(),
                year: row.year.and_then(|y| i32::try_from(y).ok()),
            },
        }
    }
}

/// Watched titles known by name only, as verification compares them: a card with the same
/// kind and normalised name is kept out, unless both years are known and differ (Dune 2021
/// watched does not hide Dune 1984).
#[derive(Debug, Default, Clone)]
pub struct NameExclusions {
    years: HashMap<(Kind, String), Vec<Option<i32>>>,
}

impl NameExclusions {
    pub fn contains(&self, kind: Kind, title: &str, year: Option<i32>) -> bool {
        self.years
            .get(&(kind, super::normalize::normalize(title)))
            .is_some_and(|years| {
                years
                    .iter()
                    .any(|y| y.is_none() || year.is_none() || *y == year)
            })
    }
}

/// A history row resolved to its title.
pub struct Play<'a> {
    pub row: &'a HistoryRow,
    pub kind: Kind,
    pub tmdb_id: i64,
    /// Year of the movie or show, when known.
    pub year: Option<i32>,
}

impl Taste {
    /// Builds the taste from resolved plays (newest first) and the user's own records.
    pub fn build(plays: &[Play<'_>], preferences: &[Preference], now: i64) -> Self {
        let mut seen: HashMap<TitleId, Seen> = HashMap::new();
        let mut excluded = HashSet::new();
        for play in plays {
            let key = TitleId(play.kind, play.tmdb_id);
            let title = match play.kind {
                Kind::Tv if !play.row.grandparent_title.is_empty() => {
                    play.row.grandparent_title.clone()
                }
                _ => play.row.title.clone(),
            };
            let entry = seen.entry(key).or_insert_with(|| Seen {
                kind: play.kind,
                tmdb_id: play.tmdb_id,
                title,
                year: play.year,
                plays: 0,
                best_percent: 0,
                last_played: 0,
                watched: false,
                liked: false,
                disliked: false,
            });
            entry.plays += 1;
            entry.best_percent = entry
                .best_percent
                .max(play.row.percent_complete.unwrap_or(0));
            entry.last_played = entry.last_played.max(play.row.date.unwrap_or(0));
            if play.row.is_watched() {
                entry.watched = true;
                excluded.insert(key);
            }
        }

        let mut skipped = Vec::new();
        for p in preferences {
            let kind = p.kind;
            let key = TitleId(kind, p.tmdb_id);
            excluded.insert(key);
            match p.verdict {
                Verdict::Skipped => skipped.push(p.title.clone()),
                verdict if verdict.is_seen() => {
                    let entry = seen.entry(key).or_insert_with(|| Seen {
                        kind,
                        tmdb_id: p.tmdb_id,
                        title: p.title.clone(),
                        year: p.year,
                        plays: 0,
                        best_percent: 100,
                        last_played: p.updated_at,
                        watched: true,
                        liked: false,
                        disliked: false,
                    });
                    entry.liked = verdict == Verdict::Liked;
                    entry.disliked = verdict == Verdict::Disliked;
                }
                _ => {}
            }
        }

        let mut seen: Vec<Seen> = seen.into_values().collect();
        seen.sort_by(|a, b| {
            b.score(now)
                .total_cmp(&a.score(now))
                .then(a.title.cmp(&b.title))
        });
        Self {
            seen,
            skipped,
            excluded,
            ..Self::default()
        }
    }

    /// The titles to ground recommendations in: the best-scored, never a disliked one.
    pub fn favourites(&self, n: usize) -> Vec<&Seen> {
        self.seen.iter().filter(|s| !s.disliked).take(n).collect()
    }

    pub fn dislikes(&self) -> impl Iterator<Item = &Seen> {
        self.seen.iter().filter(|s| s.disliked)
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The titles known by name only, as verification compares them.
    pub fn unlooked_keys(&self) -> NameExclusions {
        let mut exclusions = NameExclusions::default();
        for named in &self.unlooked {
            exclusions
                .years
                .entry((named.kind, super::normalize::normalize(&named.title)))
                .or_default()
                .push(named.year);
        }
        exclusions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(title: &str, show: &str, percent: i64, watched: f64, date: i64) -> HistoryRow {
        serde_json::from_value(serde_json::json!({"media_type": if show.is_empty() { "movie" } else { "episode" },
            "title": title, "grandparent_title": show, "percent_complete": percent, "watched_status": watched, "date": date}))
        .unwrap()
    }

    #[test]
    fn episodes_group_to_their_show_and_partial_plays_are_not_exclusions() {
        let now = 1_800_000_000;
        let rows = [
            row("Ep 1", "Dark", 100, 1.0, now),
            row("Ep 2", "Dark", 100, 1.0, now),
            row("Arrival", "", 40, 0.25, now),
        ];
        let plays = [
            Play {
                row: &rows[0],
                kind: Kind::Tv,
                tmdb_id: 70523,
                year: Some(2017),
            },
            Play {
                row: &rows[1],
                kind: Kind::Tv,
                tmdb_id: 70523,
                year: Some(2017),
            },
            Play {
                row: &rows[2],
                kind: Kind::Movie,
                tmdb_id: 329865,
                year: Some(2016),
            },
        ];
        let taste = Taste::build(&plays, &[], now);
        assert_eq!(taste.seen[0].title, "Dark");
        assert_eq!(taste.seen[0].prompt_line(), "Dark (2017) tv, 2 episodes");
        assert!(taste.excluded.contains(&TitleId(Kind::Tv, 70523)));
        assert!(
            !taste.excluded.contains(&TitleId(Kind::Movie, 329865)),
            "a partial play is a signal, not an exclusion"
        );
        assert_eq!(
            taste.seen[1].prompt_line(),
            "Arrival (2016) movie, partly watched (40%)"
        );
    }

    #[test]
    fn titles_known_by_name_are_matched_by_name_and_year() {
        let taste = Taste {
            unlooked: vec![
                NamedTitle {
                    kind: Kind::Movie,
                    title: "The Prestige".into(),
                    year: Some(2006),
                },
                NamedTitle {
                    kind: Kind::Tv,
                    title: "Dark".into(),
                    year: None,
                },
            ],
            ..Taste::default()
        };
        let names = taste.unlooked_keys();
        assert!(names.contains(Kind::Movie, "the prestige", Some(2006)));
        assert!(names.contains(Kind::Movie, "The Prestige", None));
        assert!(!names.contains(Kind::Movie, "The Prestige", Some(1995)));
        assert!(!names.contains(Kind::Tv, "The Prestige", Some(2006)));
        assert!(names.contains(Kind::Tv, "Dark", Some(2017)));
    }

    #[test]
    fn likes_rank_higher_and_dislikes_are_never_favourites() {
        let now = 1_800_000_000;
        let pref = |id: i64, title: &str, verdict: Verdict| Preference {
            id: 0,
            user_id: 1,
            kind: Kind::Movie,
            tmdb_id: id,
            verdict,
            title: title.into(),
            year: None,
            poster_path: None,
            created_at: now,
            updated_at: now,
        };
        let prefs = [
            pref(1, "Loved", Verdict::Liked),
            pref(2, "Hated", Verdict::Disliked),
            pref(3, "Meh", Verdict::Skipped),
            pref(4, "Asked", Verdict::Requested),
        ];
        let taste = Taste::build(&[], &prefs, now);
        assert_eq!(
            taste
                .favourites(5)
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>(),
            vec!["Loved"]
        );
        assert_eq!(
            taste
                .dislikes()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>(),
            vec!["Hated"]
        );
        assert_eq!(taste.skipped, vec!["Meh"], "a skip is not a dislike");
        assert_eq!(
            taste.excluded.len(),
            4,
            "rated, skipped and requested are all excluded"
        );
    }
}
