//! Turning verified titles into the stored rows of each tab.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::domain::eligibility::Facts;
use crate::domain::{Eligibility, Ineligible, TitleId};
use crate::integrations::tmdb::Details;
use crate::media::{Kind, Tab};

use super::normalize::normalize;
use super::taste::NameExclusions;
use super::verify::DropReason;

/// One poster card, as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub poster_path: Option<String>,
    /// TMDb's genre names, in TMDb's language (shown on the details).
    pub genres: Vec<String>,
    /// The same genres by TMDb id, which do not change with the language (absent in rows
    /// stored before they were kept).
    #[serde(default)]
    pub genre_ids: Vec<i64>,
    pub overview: String,
    /// A title from the user's own history that this follows from; none rather than invented.
    pub because: Option<String>,
    /// The US certification (`PG-13`, `TV-14`); none when TMDb has none, or in rows stored
    /// before certifications were kept. A user with a rating limit never sees those.
    #[serde(default)]
    pub certification: Option<String>,
}

impl Card {
    /// What the eligibility rule reads of this card.
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            kind: self.kind,
            tmdb_id: self.tmdb_id,
            certification: self.certification.as_deref(),
            genre_ids: &self.genre_ids,
            genres: &self.genres,
        }
    }

    pub fn from_details(kind: Kind, details: &Details, because: Option<String>) -> Self {
        Self {
            kind,
            tmdb_id: details.id,
            title: details.title.clone(),
            year: details.year(),
            poster_path: details.poster_path.clone().filter(|p| !p.is_empty()),
            genres: details
                .genres
                .iter()
                .map(|g| g.name.clone())
                .filter(|n| !n.is_empty())
                .collect(),
            genre_ids: details.genres.iter().map(|g| g.id).collect(),
            overview: details.overview.clone().unwrap_or_default(),
            because,
            certification: details.certification(),
        }
    }
}

/// A themed row: its title, its reason, its cards in the model's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub title: String,
    pub reason: String,
    pub cards: Vec<Card>,
    /// Made from TMDb alone to fill a tab the AI left short (absent in rows stored before).
    #[serde(default)]
    pub filled: bool,
}

/// Rows per tab, with what was dropped on the way.
#[derive(Debug, Default)]
pub struct Assembly {
    pub tabs: HashMap<Tab, Vec<Row>>,
    seen: HashSet<TitleId>,
    /// Watched titles known only by name (Plex unreachable, or the title deleted from it).
    pub excluded_names: NameExclusions,
    /// Who the rows are for: a card he watched or dealt with, or above his limit, is dropped
    /// here, so a row and its reserve are counted after them.
    pub eligibility: Eligibility,
    /// Rows added now fill short tabs ([`Row::filled`]).
    pub filling: bool,
    pub dropped: HashMap<DropReason, u32>,
    /// Titles kept in all, and how many of those filled short tabs.
    pub kept: u32,
    pub filled: u32,
}

impl Assembly {
    /// An empty assembly of rows for whoever `eligibility` describes.
    pub fn for_viewer(eligibility: Eligibility) -> Self {
        Self {
            eligibility,
            ..Self::default()
        }
    }

    /// Counts a dropped item for the admin; what the filling drops says nothing of the AI.
    pub fn drop_item(&mut self, reason: DropReason) {
        if !self.filling {
            *self.dropped.entry(reason).or_default() += 1;
        }
    }

    /// Adds a row; each card goes to its tab (so a row may appear in two tabs), skipping titles
    /// excluded for this user or already placed. Empty rows are not kept.
    pub fn add_row(&mut self, title: &str, reason: &str, cards: Vec<(Card, Vec<i64>)>, max: usize) {
        let mut by_tab: Vec<(Tab, Vec<Card>)> = Vec::new();
        for (card, genre_ids) in cards {
            let key = TitleId(card.kind, card.tmdb_id);
            let seen_by_name = self
                .excluded_names
                .contains(card.kind, &card.title, card.year);
            let eligible = match self.eligibility.check(card.facts()) {
                Err(Ineligible::Seen) => Err(Ineligible::Seen),
                _ if seen_by_name => Err(Ineligible::Seen),
                checked => checked,
            };
            if let Err(reason) = eligible {
                self.drop_item(DropReason::Ineligible(reason));
                continue;
            }
            if !self.seen.insert(key) {
                self.drop_item(DropReason::Duplicate);
                continue;
            }
            let tab = Tab::of(card.kind, genre_ids);
            match by_tab.iter_mut().find(|(t, _)| *t == tab) {
                Some((_, list)) if list.len() < max => list.push(card),
                Some(_) => continue,
                None => by_tab.push((tab, vec![card])),
            }
            self.kept += 1;
            self.filled += u32::from(self.filling);
        }
        for (tab, cards) in by_tab {
            self.tabs.entry(tab).or_default().push(Row {
                title: title.to_owned(),
                reason: reason.to_owned(),
                cards,
                filled: self.filling,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.tabs.values().all(Vec::is_empty)
    }

    pub fn rows_in(&self, tab: Tab) -> usize {
        self.tabs.get(&tab).map_or(0, Vec::len)
    }

    /// Cards kept on `tab`, reserves included.
    pub fn cards_in(&self, tab: Tab) -> usize {
        self.tabs
            .get(&tab)
            .map_or(0, |rows| rows.iter().map(|r| r.cards.len()).sum())
    }
}

/// The `because` to show: the model's, if it names a title from the user's history; else the
/// favourite whose TMDb recommendations held the item; else none.
pub fn because(
    model_says: Option<&str>,
    history: &HashMap<String, String>,
    grounded_in: Option<&String>,
) -> Option<String> {
    if let Some(said) = model_says {
        let said = normalize(said);
        if let Some(title) = history.get(&said) {
            return Some(title.clone());
        }
        // "Because you loved Arrival" names Arrival too.
        if let Some((_, title)) = history
            .iter()
            .filter(|(n, _)| n.len() >= 4 && said.contains(n.as_str()))
            .max_by_key(|(n, _)| n.len())
        {
            return Some(title.clone());
        }
    }
    grounded_in.cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(kind: Kind, id: i64) -> Card {
        Card {
            kind,
            tmdb_id: id,
            title: format!("t{id}"),
            year: None,
            poster_path: None,
            genres: vec![],
            genre_ids: Vec::new(),
            overview: String::new(),
            because: None,
            certification: None,
        }
    }

    #[test]
    fn documentaries_get_their_tab_and_duplicates_and_seen_titles_are_dropped() {
        let mut a = Assembly {
            eligibility: Eligibility::new(None, [TitleId(Kind::Movie, 3)]),
            ..Assembly::default()
        };
        a.add_row(
            "Row",
            "why",
            vec![
                (card(Kind::Movie, 1), vec![28]),
                (card(Kind::Movie, 2), vec![99]),
                (card(Kind::Movie, 3), vec![]),
            ],
            8,
        );
        a.add_row(
            "Again",
            "why",
            vec![
                (card(Kind::Movie, 1), vec![28]),
                (card(Kind::Tv, 1), vec![18]),
            ],
            8,
        );
        assert_eq!(a.tabs[&Tab::Movies][0].cards.len(), 1);
        assert_eq!(a.tabs[&Tab::Documentaries][0].title, "Row");
        assert_eq!(
            a.tabs[&Tab::Tv][0].cards[0].tmdb_id,
            1,
            "tv 1 is not movie 1"
        );
        assert_eq!(
            (
                a.dropped[&DropReason::Ineligible(Ineligible::Seen)],
                a.dropped[&DropReason::Duplicate],
                a.kept
            ),
            (1, 1, 3)
        );
    }

    #[test]
    fn because_must_name_something_the_user_watched() {
        let history: HashMap<String, String> = [("arrival".to_owned(), "Arrival".to_owned())]
            .into_iter()
            .collect();
        assert_eq!(
            because(Some("Arrival"), &history, None).as_deref(),
            Some("Arrival")
        );
        assert_eq!(
            because(Some("You loved Arrival and more"), &history, None).as_deref(),
            Some("Arrival")
        );
        let grounded = "Dune".to_owned();
        assert_eq!(
            because(Some("Solaris"), &history, Some(&grounded)).as_deref(),
            Some("Dune")
        );
        assert_eq!(
            because(Some("Solaris"), &history, None),
            None,
            "never invented"
        );
    }
}
