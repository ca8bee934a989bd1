//! May this user (or this group) be shown this title? The one rule, written once: not a title
//! he watched or dealt with (a record of any verdict), not above his rating limit, and not of a
//! genre he is not interested in. Row
//! building, the shelf and its replacements, Watch together, a title's details and the card
//! actions all ask it and nothing else (`tests/api/layout.rs` holds the limit check to here).

use std::collections::HashMap;

use super::title::{TitleId, TitleSet};
use crate::media::Kind;

use super::verdict::Verdict;

/// Why a title may not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ineligible {
    /// Watched, or dealt with (rated, skipped, requested, watchlisted).
    Seen,
    /// Certified above the rating limit (or uncertified, under a limit).
    AboveLimit,
    /// Of a genre he said he is not interested in.
    HiddenGenre,
}

/// Whose eligibility is read: his own rows keep out every record of his; a group's keep out
/// only what a member saw or skipped (a title he requested may still be watched together).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Himself,
    InAGroup,
}

impl Viewer {
    /// Whether a record of `verdict` keeps its title off this viewer's rows.
    pub fn keeps_out(self, verdict: Verdict) -> bool {
        match self {
            Self::Himself => true,
            Self::InAGroup => verdict.is_seen() || verdict == Verdict::Skipped,
        }
    }
}

/// What the rule may read of a title: a card gives all of it (`engine::rows::Card::facts`).
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub certification: Option<&'a str>,
    /// TMDb's genre ids, and names (TMDb's language; all a card stored before the ids has).
    pub genre_ids: &'a [i64],
    pub genres: &'a [String],
}

impl<'a> Facts<'a> {
    /// A title known by its address and certification alone.
    pub fn of(kind: Kind, tmdb_id: i64, certification: Option<&'a str>) -> Self {
        Self {
            kind,
            tmdb_id,
            certification,
            genre_ids: &[],
            genres: &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Eligibility {
    /// The highest certification shown (`crate::ratings`); `None`: no limit.
    limit: Option<String>,
    /// Titles watched or dealt with.
    seen: TitleSet,
    /// Genres not to show, by TMDb id, and their names (matched only on a card stored before
    /// genre ids were kept).
    hidden_genres: HashMap<i64, String>,
}

impl Eligibility {
    pub fn new(limit: Option<String>, seen: impl IntoIterator<Item = TitleId>) -> Self {
        Self {
            limit,
            seen: seen.into_iter().collect(),
            hidden_genres: HashMap::new(),
        }
    }

    /// The same rule, titles of `genres` (TMDb id, name) hidden too.
    pub fn hiding_genres(mut self, genres: impl IntoIterator<Item = (i64, String)>) -> Self {
        self.hidden_genres.extend(genres);
        self
    }

    /// The limit alone, for a title asked by address (its details, a card action): what he
    /// watched may still be looked at and acted on again.
    pub fn limit_only(limit: Option<&str>) -> Self {
        Self::new(limit.map(str::to_owned), [])
    }

    /// A group's (Watch together): the strictest limit among them, and what any of them may
    /// not be shown.
    pub fn of_group<'a>(members: impl IntoIterator<Item = &'a Eligibility>) -> Self {
        let members: Vec<&Eligibility> = members.into_iter().collect();
        Self::new(
            crate::ratings::strictest(members.iter().map(|m| m.limit.as_deref()))
                .map(str::to_owned),
            members.iter().flat_map(|m| m.seen.iter().copied()),
        )
        .hiding_genres(
            members
                .iter()
                .flat_map(|m| m.hidden_genres.iter().map(|(id, n)| (*id, n.clone()))),
        )
    }

    /// The rating limit: the highest certification shown.
    pub fn limit(&self) -> Option<&str> {
        self.limit.as_deref()
    }

    pub fn check(&self, title: Facts<'_>) -> Result<(), Ineligible> {
        if self.seen.contains(&TitleId(title.kind, title.tmdb_id)) {
            return Err(Ineligible::Seen);
        }
        if !crate::ratings::allows(self.limit.as_deref(), title.certification) {
            return Err(Ineligible::AboveLimit);
        }
        // Most viewers hide nothing: the common case asks no map.
        let hidden = if self.hidden_genres.is_empty() {
            false
        } else if title.genre_ids.is_empty() {
            title
                .genres
                .iter()
                .any(|name| self.hidden_genres.values().any(|h| h == name))
        } else {
            title
                .genre_ids
                .iter()
                .any(|id| self.hidden_genres.contains_key(id))
        };
        if hidden {
            return Err(Ineligible::HiddenGenre);
        }
        Ok(())
    }

    pub fn allows(&self, title: Facts<'_>) -> bool {
        self.check(title).is_ok()
    }

    /// The same rule with `titles` watched or dealt with too.
    pub fn with_seen(&self, titles: impl IntoIterator<Item = TitleId>) -> Self {
        let mut next = self.clone();
        next.seen.extend(titles);
        next
    }

    /// The same rule with `title` not dealt with (what it was before a record of it).
    pub fn without_seen(&self, title: TitleId) -> Self {
        let mut before = self.clone();
        before.seen.remove(&title);
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(kind: Kind, id: i64, certification: Option<&str>) -> Facts<'_> {
        Facts::of(kind, id, certification)
    }

    #[test]
    fn a_title_is_shown_unless_seen_or_above_the_limit() {
        let kid = Eligibility::new(Some("PG".into()), [TitleId(Kind::Movie, 1)]);
        assert_eq!(
            kid.check(title(Kind::Movie, 1, Some("G"))),
            Err(Ineligible::Seen)
        );
        assert_eq!(
            kid.check(title(Kind::Movie, 2, Some("R"))),
            Err(Ineligible::AboveLimit)
        );
        assert_eq!(
            kid.check(title(Kind::Movie, 2, None)),
            Err(Ineligible::AboveLimit)
        );
        assert!(kid.allows(title(Kind::Movie, 2, Some("PG"))));
        assert!(
            kid.allows(title(Kind::Tv, 1, Some("TV-Y"))),
            "movie 1 and TV 1 differ"
        );
        let adult = Eligibility::default();
        assert!(adult.allows(title(Kind::Movie, 1, None)));
        assert!(!kid.with_seen([TitleId(Kind::Movie, 2)]).allows(title(
            Kind::Movie,
            2,
            Some("PG")
        )));
        assert!(
            kid.without_seen(TitleId(Kind::Movie, 1))
                .allows(title(Kind::Movie, 1, Some("G")))
        );
    }

    #[test]
    fn a_group_takes_the_strictest_limit_and_everyones_seen() {
        let group = Eligibility::of_group(&[
            Eligibility::new(None, [TitleId(Kind::Movie, 1)]),
            Eligibility::new(Some("PG-13".into()), [TitleId(Kind::Tv, 2)]),
            Eligibility::limit_only(Some("PG")),
        ]);
        assert!(!group.allows(title(Kind::Movie, 3, Some("PG-13"))));
        assert!(group.allows(title(Kind::Movie, 3, Some("PG"))));
        assert!(!group.allows(title(Kind::Tv, 2, Some("TV-G"))));
        assert!(!group.allows(title(Kind::Movie, 1, Some("G"))));
        assert_eq!(group.limit(), Some("PG"));
    }

    #[test]
    fn a_hidden_genre_keeps_its_titles_out_by_id_or_by_name_on_a_card_without_ids() {
        let his = Eligibility::default().hiding_genres([(27, "Horror".to_owned())]);
        let genres = ["Science Fiction".to_owned(), "Horror".to_owned()];
        let annihilation = Facts {
            genre_ids: &[878, 27],
            genres: &genres,
            ..title(Kind::Movie, 300668, Some("R"))
        };
        assert_eq!(his.check(annihilation), Err(Ineligible::HiddenGenre));
        let stored_before_ids = Facts {
            genre_ids: &[],
            ..annihilation
        };
        assert_eq!(his.check(stored_before_ids), Err(Ineligible::HiddenGenre));
        let interstellar = Facts {
            genre_ids: &[12, 18, 878],
            genres: &genres[..1],
            ..title(Kind::Movie, 157336, Some("PG-13"))
        };
        assert!(his.allows(interstellar));
        let same_name_other_id = Facts {
            genre_ids: &[878],
            ..annihilation
        };
        assert!(
            his.allows(same_name_other_id),
            "ids decide where a card has them"
        );
        let group = Eligibility::of_group(&[Eligibility::default(), his]);
        assert_eq!(group.check(annihilation), Err(Ineligible::HiddenGenre));
    }

    #[test]
    fn a_group_keeps_out_only_what_a_member_saw_or_skipped() {
        for verdict in [Verdict::Liked, Verdict::Disliked, Verdict::Skipped] {
            assert!(Viewer::InAGroup.keeps_out(verdict));
        }
        for verdict in [Verdict::Requested, Verdict::Watchlisted] {
            assert!(!Viewer::InAGroup.keeps_out(verdict));
            assert!(Viewer::Himself.keeps_out(verdict));
        }
    }
}
