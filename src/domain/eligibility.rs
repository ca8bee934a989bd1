//! May this user (or this group) be shown this title? The one rule, written once: not a title
//! he watched or dealt with (a record of any verdict), and not above his rating limit. Row
//! building, the shelf and its replacements, Watch together, a title's details and the card
//! actions all ask it and nothing else (`tests/api/layout.rs` holds the limit check to here).

use std::collections::HashSet;

use crate::media::Kind;

/// Why a title may not be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Watched, or dealt with (rated, skipped, requested, watchlisted).
    Seen,
    /// Certified above the rating limit (or uncertified, under a limit).
    AboveLimit,
}

#[derive(Debug, Clone, Default)]
pub struct Eligibility {
    /// The highest certification shown (`crate::ratings`); `None`: no limit.
    limit: Option<String>,
    /// Titles watched or dealt with.
    seen: HashSet<(Kind, i64)>,
}

impl Eligibility {
    pub fn new(limit: Option<String>, seen: HashSet<(Kind, i64)>) -> Self {
        Self { limit, seen }
    }

    /// The limit alone, for a title asked by address (its details, a card action): what he
    /// watched may still be looked at and acted on again.
    pub fn limit_only(limit: Option<&str>) -> Self {
        Self::new(limit.map(str::to_owned), HashSet::new())
    }

    /// A group's (Watch together): the strictest limit among them, and what any of them watched
    /// or dealt with.
    pub fn of_group<'a>(
        limits: impl IntoIterator<Item = Option<&'a str>>,
        seen: impl IntoIterator<Item = (Kind, i64)>,
    ) -> Self {
        Self::new(
            crate::ratings::strictest(limits).map(str::to_owned),
            seen.into_iter().collect(),
        )
    }

    pub fn check(
        &self,
        kind: Kind,
        tmdb_id: i64,
        certification: Option<&str>,
    ) -> Result<(), Ineligible> {
        if self.seen.contains(&(kind, tmdb_id)) {
            return Err(Ineligible::Seen);
        }
        if !crate::ratings::allows(self.limit.as_deref(), certification) {
            return Err(Ineligible::AboveLimit);
        }
        Ok(())
    }

    pub fn allows(&self, kind: Kind, tmdb_id: i64, certification: Option<&str>) -> bool {
        self.check(kind, tmdb_id, certification).is_ok()
    }

    /// The same rule with `title` dealt with too.
    pub fn with_seen(&self, title: (Kind, i64)) -> Self {
        let mut next = self.clone();
        next.seen.insert(title);
        next
    }

    /// The same rule with `title` not dealt with (what it was before a record of it).
    pub fn without_seen(&self, title: (Kind, i64)) -> Self {
        let mut before = self.clone();
        before.seen.remove(&title);
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_shown_unless_seen_or_above_the_limit() {
        let kid = Eligibility::new(Some("PG".into()), [(Kind::Movie, 1)].into());
        assert_eq!(kid.check(Kind::Movie, 1, Some("G")), Err(Ineligible::Seen));
        assert_eq!(
            kid.check(Kind::Movie, 2, Some("R")),
            Err(Ineligible::AboveLimit)
        );
        assert_eq!(kid.check(Kind::Movie, 2, None), Err(Ineligible::AboveLimit));
        assert!(kid.allows(Kind::Movie, 2, Some("PG")));
        assert!(
            kid.allows(Kind::Tv, 1, Some("TV-Y")),
            "movie 1 and TV 1 differ"
        );
        let adult = Eligibility::default();
        assert!(adult.allows(Kind::Movie, 1, None));
        assert!(
            !kid.with_seen((Kind::Movie, 2))
                .allows(Kind::Movie, 2, Some("PG"))
        );
        assert!(
            kid.without_seen((Kind::Movie, 1))
                .allows(Kind::Movie, 1, Some("G"))
        );
    }

    #[test]
    fn a_group_takes_the_strictest_limit_and_everyones_seen() {
        let group = Eligibility::of_group(
            [None, Some("PG-13"), Some("PG")],
            [(Kind::Movie, 1), (Kind::Tv, 2)],
        );
        assert!(!group.allows(Kind::Movie, 3, Some("PG-13")));
        assert!(group.allows(Kind::Movie, 3, Some("PG")));
        assert!(!group.allows(Kind::Tv, 2, Some("TV-G")));
    }
}
