//! No empty tabs (docs/recommendations.md "Short tabs"): a tab left with fewer than
//! [`MIN_ROWS`] rows is filled from TMDb, each pick verified like any other: first the
//! recommendations of the user's own titles of that tab, then, for documentaries, TMDb's most
//! voted documentaries.

use futures_util::{StreamExt, stream};

use super::error::EngineError;
use crate::catalog;
use crate::integrations::UpstreamErrorKind;
use crate::integrations::tmdb::Summary;
use crate::media::{DOCUMENTARY_GENRE, Kind, TABS, Tab};

use super::history::{discover, discover_within, recommendations};
use super::rows::{Assembly, Card};
use super::taste::{Seen, Taste};
use super::{LOOKUP_CONCURRENCY, Run};

/// A tab with fewer rows than this is filled.
pub const MIN_ROWS: usize = 2;
/// How many of the user's best titles are looked at to find his own titles of a tab.
const OWN_TITLES_CHECKED: usize = 30;
/// How many of his own titles of a tab may each seed a row.
const SEEDS_PER_TAB: usize = 4;

impl Run<'_> {
    /// Fills every short tab; returns how many titles were added.
    pub(super) async fn fill_short_tabs(
        &self,
        assembly: &mut Assembly,
        taste: &Taste,
    ) -> Result<u32, EngineError> {
        let before = assembly.kept;
        let short: Vec<Tab> = TABS
            .into_iter()
            .filter(|tab| self.is_short(assembly, *tab))
            .collect();
        if short.is_empty() {
            return Ok(0);
        }
        let own = self.tabs_of_seen(taste).await?;
        assembly.filling = true;
        for tab in short {
            let seeds = own
                .iter()
                .filter(|(t, _)| *t == tab)
                .map(|(_, seen)| *seen)
                .take(SEEDS_PER_TAB);
            for seen in seeds {
                if assembly.rows_in(tab) >= MIN_ROWS {
                    break;
                }
                let list =
                    recommendations(self.pool(), &self.tmdb, seen.kind, seen.tmdb_id).await?;
                let picks: Vec<Summary> = list
                    .into_iter()
                    .filter(|s| Tab::of(seen.kind, s.genre_ids.iter().copied()) == tab)
                    .collect();
                let cards = self
                    .verified_cards(seen.kind, picks, Some(seen.title.clone()))
                    .await?;
                assembly.add_row(
                    &format!("Because you watched {}", seen.title),
                    &format!("TMDb recommends these to people who liked {}", seen.title),
                    cards,
                    self.kept_per_row(),
                );
            }
            self.fill_within_limit(assembly, tab).await?;
            if tab == Tab::Documentaries {
                for (kind, title) in [
                    (Kind::Movie, "Documentaries worth a look"),
                    (Kind::Tv, "Documentary series worth a look"),
                ] {
                    if assembly.rows_in(tab) >= MIN_ROWS {
                        break;
                    }
                    let picks = discover(self.pool(), &self.tmdb, kind, DOCUMENTARY_GENRE).await?;
                    let cards = self.verified_cards(kind, picks, None).await?;
                    assembly.add_row(
                        title,
                        "The documentaries most watched on TMDb",
                        cards,
                        self.kept_per_row(),
                    );
                }
            }
        }
        Ok(assembly.kept - before)
    }

    /// A tab with fewer than [`MIN_ROWS`] rows; for a user with a rating limit, also one with
    /// fewer cards than two full rows (the limit thins the rows the AI gave, not their number).
    fn is_short(&self, assembly: &Assembly, tab: Tab) -> bool {
        assembly.rows_in(tab) < MIN_ROWS
            || (self.user.rating_limit.is_some()
                && assembly.cards_in(tab) < self.ctx.config.items_per_row * MIN_ROWS)
    }

    /// For a user with a rating limit, a tab still short is filled from TMDb's most voted
    /// titles within it (`discover` with `certification.lte`, films and shows alike), so a kid's
    /// tabs are as full as anyone's (docs/recommendations.md "Rating limits").
    async fn fill_within_limit(
        &self,
        assembly: &mut Assembly,
        tab: Tab,
    ) -> Result<(), EngineError> {
        let Some(limit) = self.user.rating_limit.as_deref() else {
            return Ok(());
        };
        let genre = (tab == Tab::Documentaries).then_some(DOCUMENTARY_GENRE);
        let kinds: &[Kind] = match tab {
            Tab::Movies => &[Kind::Movie],
            Tab::Tv => &[Kind::Tv],
            Tab::Documentaries => &[Kind::Movie, Kind::Tv],
        };
        for kind in kinds {
            if !self.is_short(assembly, tab) {
                break;
            }
            let Some(certification) = crate::ratings::tmdb_certification(limit, *kind == Kind::Tv)
            else {
                continue;
            };
            let picks: Vec<Summary> =
                discover_within(self.pool(), &self.tmdb, *kind, certification, genre)
                    .await?
                    .into_iter()
                    .filter(|s| Tab::of(*kind, s.genre_ids.iter().copied()) == tab)
                    .collect();
            let cards = self.verified_cards(*kind, picks, None).await?;
            let noun = match tab {
                Tab::Movies => "Family films",
                Tab::Tv => "Family shows",
                Tab::Documentaries => "Documentaries for everyone",
            };
            assembly.add_row(
                &format!("{noun} rated {limit} or lower"),
                &format!("The most watched on TMDb within {limit}"),
                cards,
                self.kept_per_row(),
            );
        }
        Ok(())
    }

    /// The user's best titles with the tab each belongs to (genres from the cached details).
    async fn tabs_of_seen<'t>(
        &self,
        taste: &'t Taste,
    ) -> Result<Vec<(Tab, &'t Seen)>, EngineError> {
        let tmdb = &self.tmdb;
        let looked: Vec<Result<(Tab, &Seen), EngineError>> = stream::iter(
            taste
                .seen
                .iter()
                .filter(|s| !s.disliked)
                .take(OWN_TITLES_CHECKED),
        )
        .map(|seen| {
            let tmdb = &tmdb;
            async move {
                let details = catalog::details(self.pool(), tmdb, seen.kind, seen.tmdb_id).await?;
                Ok((
                    Tab::of(seen.kind, details.genres.iter().map(|g| g.id)),
                    seen,
                ))
            }
        })
        .buffered(LOOKUP_CONCURRENCY)
        .collect()
        .await;
        let mut out = Vec::new();
        for found in looked {
            match found {
                Ok(pair) => out.push(pair),
                // A title TMDb no longer has seeds nothing; anything else is a real failure.
                Err(EngineError::Upstream(e)) if e.kind == UpstreamErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// TMDb's picks checked against TMDb's own details (cached), in order, as cards.
    async fn verified_cards(
        &self,
        kind: Kind,
        picks: Vec<Summary>,
        because: Option<String>,
    ) -> Result<Vec<(Card, Vec<i64>)>, EngineError> {
        let tmdb = &self.tmdb;
        let mut cards = Vec::new();
        for pick in picks.into_iter().take(self.kept_per_row() * 2) {
            match catalog::details(self.pool(), tmdb, kind, pick.id).await {
                Ok(details) => {
                    let genre_ids = details.genres.iter().map(|g| g.id).collect();
                    cards.push((
                        Card::from_details(kind, &details, because.clone()),
                        genre_ids,
                    ));
                }
                Err(EngineError::Upstream(e)) if e.kind == UpstreamErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(cards)
    }
}
