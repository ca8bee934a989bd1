//! Which cards a tab shows, in one place for the dashboard and for the card that replaces one
//! after Skip or Seen it, so both always agree:
//! - first the row "On your Plex now": the run's picks Overseerr reports available, best first;
//! - then each stored row, its first cards the user may see (his rating limit) and has not dealt
//!   with, taken from the row's cards and then its reserve;
//! - each title once per page.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use crate::db::{self, DbPool, Step};
use crate::domain::eligibility::Viewer;
use crate::domain::title::{TitleMap, TitleSet};
use crate::domain::{Availability, Eligibility, TitleId};
use crate::engine::rows::{Card, Row};
use crate::error::AppError;
use crate::integrations::upstreams::Upstreams;
use crate::media::{Kind, Tab};
use crate::page_cache::{ByVersion, Weight};

use super::card::{CardFragment, CardView};
use super::fragments::{CardState, Fragments, RenderedCard};

pub const ON_PLEX_TITLE: &str = "On your Plex now";
const ON_PLEX_REASON: &str = "Picked for you, and already on the server: press Play.";

/// Where a shown row comes from: the Plex row, or a stored row by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKey {
    OnPlex,
    Stored(usize),
}

/// The rows as shown, and the titles among them whose availability is stale.
pub type Shown<'a> = (&'a [RowView], Vec<TitleId>);

/// A row as the page shows it: its cards as rendered HTML, kept and shared
/// (`views::fragments`).
pub struct RowView {
    pub key: RowKey,
    pub title: String,
    pub reason: String,
    pub cards: Vec<Arc<RenderedCard>>,
}

/// What a title's cached availability says.
#[derive(Debug, Clone)]
pub struct Cached {
    pub status: Availability,
    pub fetched_at: i64,
    pub plex_url: Option<String>,
}

/// Everything a tab needs, read in one go.
pub struct TabData {
    pub rows: Arc<Vec<Row>>,
    /// What the user may be shown (`db::preferences::eligibility`).
    pub eligibility: Eligibility,
    pub statuses: TitleMap<Cached>,
    pub status: db::recommendations::Status,
    pub configured: bool,
    pub requests_enabled: bool,
    /// The rows as shown, made on the first view of this data (`TabData::shown`), and shared
    /// with the data that follows a write which did not change them.
    pub shown: OnceLock<Arc<Vec<RowView>>>,
}

/// At most this many tabs' data are kept (a few KB each beside their shared rows).
const MAX_LOADED_TABS: usize = 2048;

impl Weight for Arc<TabData> {
    fn weight(&self) -> usize {
        1
    }
}

/// Every tab as last read, standing while its user's data versions do, and the fragments its
/// pages are assembled from: a page the page cache dropped is assembled again without a
/// database read; one a write made stale costs one read and no card render.
pub struct Shelves {
    pool: DbPool,
    pub fragments: Arc<Fragments>,
    loaded: ByVersion<(i32, Tab), Arc<TabData>>,
    /// Each user's last record steps and their titles, in the order they committed
    /// ([`Shelves::dealt_with`]): what brings forward a tab read while his records were being
    /// written.
    steps: Mutex<HashMap<i32, VecDeque<(Step, TitleId)>>>,
    reads: std::sync::atomic::AtomicUsize,
}

/// How many record steps a user's log holds: more than the writes one user has in flight.
const LOGGED_STEPS: usize = 64;

impl Shelves {
    pub fn new(pool: DbPool) -> Self {
        let versions = pool.versions().clone();
        Self {
            pool,
            fragments: Arc::default(),
            loaded: ByVersion::new(versions, MAX_LOADED_TABS),
            steps: Mutex::default(),
            reads: Default::default(),
        }
    }

    /// How many times a tab was read from the database since start.
    pub fn reads(&self) -> usize {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// After the write of `step` recorded `title` as dealt with (a rating, a skip, a request):
    /// each of the user's tabs kept at `step.before` stands at `step.after` with the title
    /// left out, so his next view reads nothing. Returns the tabs that did not show the title:
    /// what they show is the same, so their pages stand too (`PageCache::carry`). Tabs kept at
    /// another version are left to go stale: some other write lies between.
    pub fn dealt_with(&self, title: TitleId, step: Step, per_row: usize) -> Vec<Tab> {
        // Uncontended: records are followed up one at a time, in the writers' turn.
        let mut steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        let log = steps.entry(step.user).or_default();
        let mut unchanged = Vec::new();
        for tab in crate::media::TABS {
            let key = (step.user, tab);
            let Some((at, kept)) = self.loaded.get_versioned(&key) else {
                continue;
            };
            // Kept at an older version when read while other records were being written:
            // those first, then this one.
            let Some(titles) = since(log.make_contiguous(), at, step.before) else {
                continue;
            };
            let mut patched: Option<TabData> = None;
            let mut shown = false;
            for title in titles.into_iter().chain([title]) {
                let data = patched.as_ref().unwrap_or(&kept);
                shown = data.shows(title, per_row);
                patched = Some(data.with_dealt_with(title, !shown));
            }
            if at == step.before && !shown {
                unchanged.push(tab);
            }
            let Some(patched) = patched else {
                continue;
            };
            self.loaded
                .keep(key, step.user, step.after, Arc::new(patched));
        }
        if log.len() == LOGGED_STEPS {
            log.pop_front();
        }
        log.push_back((step, title));
        unchanged
    }

    /// `title`'s card as `user_id`'s kept tabs hold it (shown or in reserve), if one does:
    /// what an action on a card he was shown knows of the title without a database read.
    pub fn kept_card(&self, user_id: i32, title: TitleId) -> Option<Card> {
        crate::media::TABS
            .iter()
            .find_map(|&tab| self.loaded.get(&(user_id, tab))?.card(title).cloned())
    }

    /// `user_id`'s `tab` as his pages show it now: kept, or read and kept.
    pub async fn tab(
        &self,
        upstreams: &Upstreams,
        user_id: i32,
        tab: Tab,
    ) -> Result<Arc<TabData>, AppError> {
        if let Some(kept) = self.loaded.get(&(user_id, tab)) {
            return Ok(kept);
        }
        // Read before loading: a write landing meanwhile makes this copy stale at once.
        let version = self.loaded.version(user_id);
        let data = Arc::new(self.load(upstreams, user_id, tab).await?);
        self.loaded
            .keep((user_id, tab), user_id, version, data.clone());
        Ok(data)
    }

    /// The tab's rows, what the user already acted on, the cached availability of every card,
    /// his refresh status and which services are set up: one database read. The rows are
    /// parsed once per refresh (`views::fragments`): a read only asks when they were stored.
    async fn load(
        &self,
        upstreams: &Upstreams,
        user_id: i32,
        tab: Tab,
    ) -> Result<TabData, AppError> {
        self.reads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let fragments = self.fragments.clone();
        let configured = upstreams.has_tautulli() && upstreams.has_tmdb();
        let requests_enabled = upstreams.has_overseerr();
        db::run(&self.pool, move |conn| {
            let rows = match db::recommendations::generated_at(conn, user_id, tab.slug())? {
                None => Arc::default(),
                Some(at) => match fragments.rows(user_id, tab, at) {
                    Some(kept) => kept,
                    None => match db::recommendations::load(conn, user_id, tab.slug())? {
                        Some((json, at)) => fragments.parse_rows(user_id, tab, &json, at),
                        None => Arc::default(),
                    },
                },
            };
            let titles: Vec<TitleId> = rows
                .iter()
                .flat_map(|r| r.cards.iter().map(|c| TitleId(c.kind, c.tmdb_id)))
                .collect();
            let statuses = cached_statuses(conn, &titles)?;
            Ok(TabData {
                rows,
                eligibility: db::preferences::eligibility(conn, user_id, Viewer::Himself)?,
                statuses,
                status: db::recommendations::status(conn, user_id)?,
                configured,
                requests_enabled,
                shown: OnceLock::new(),
            })
        })
        .await
        .map_err(AppError::from)
    }
}

/// The cached availability of `titles`, by (kind, id).
pub fn cached_statuses(
    conn: &mut diesel::SqliteConnection,
    titles: &[TitleId],
) -> diesel::QueryResult<TitleMap<Cached>> {
    Ok(db::cache::availabilities(conn, titles)?
        .into_iter()
        .map(|a| {
            let cached = Cached {
                status: Availability::from_stored(&a.status),
                fetched_at: a.fetched_at,
                plex_url: a.plex_url,
            };
            (TitleId(a.kind, a.tmdb_id), cached)
        })
        .collect())
}

fn key_of(card: &Card) -> TitleId {
    TitleId(card.kind, card.tmdb_id)
}

/// The titles of the logged steps that lead from version `from` to `to`, one after another
/// with no write between them that the log lacks (any other write of the user breaks the
/// chain: then nothing is brought forward). From a version to itself there is none to replay.
fn since(log: &[(Step, TitleId)], from: (u64, u64), to: (u64, u64)) -> Option<Vec<TitleId>> {
    if from == to {
        return Some(Vec::new());
    }
    let start = log.iter().position(|(s, _)| s.before == from)?;
    let end = start + log[start..].iter().position(|(s, _)| s.after == to)?;
    let chain = &log[start..=end];
    chain
        .windows(2)
        .all(|w| w[1].0.before == w[0].0.after)
        .then(|| chain.iter().map(|(_, title)| *title).collect())
}

impl TabData {
    /// The same data with `title` dealt with. What it shows is made again on the next view,
    /// or, when `same_shown` (the title was not among it), shared with this data.
    fn with_dealt_with(&self, title: TitleId, same_shown: bool) -> Self {
        let shown = OnceLock::new();
        if same_shown && let Some(rows) = self.shown.get() {
            let _ = shown.set(rows.clone());
        }
        Self {
            rows: self.rows.clone(),
            eligibility: self.eligibility.with_seen([title]),
            statuses: self.statuses.clone(),
            status: self.status.clone(),
            configured: self.configured,
            requests_enabled: self.requests_enabled,
            shown,
        }
    }

    /// Whether `title` is among the cards the tab shows, `per_row` to a row.
    fn shows(&self, title: TitleId, per_row: usize) -> bool {
        match self.shown.get() {
            Some(rows) => rows
                .iter()
                .flat_map(|r| &r.cards)
                .any(|c| c.title() == title),
            None => self
                .arrange(per_row)
                .iter()
                .flat_map(|(_, cards)| cards)
                .any(|c| key_of(c) == title),
        }
    }

    /// The card of `title` in this tab's rows (shown or in reserve), if it has one.
    pub fn card(&self, title: TitleId) -> Option<&Card> {
        self.rows
            .iter()
            .flat_map(|r| &r.cards)
            .find(|c| key_of(c) == title)
    }

    fn cached(&self, card: &Card) -> Option<&Cached> {
        self.statuses.get(&key_of(card))
    }

    /// The rows shown, `per_row` cards each.
    pub fn arrange(&self, per_row: usize) -> Vec<(RowKey, Vec<&Card>)> {
        shelve(self, &self.eligibility, per_row)
    }

    /// The card that takes the place of `(kind, id)` once it is dealt with (already recorded in
    /// the eligibility): the pick that joins its row now. `None` when the row's reserve is spent.
    pub fn replacement(&self, per_row: usize, kind: Kind, id: i64) -> Option<&Card> {
        let now = &self.eligibility;
        let shown_before = shelve(self, &now.without_seen(TitleId(kind, id)), per_row);
        let shown_now = shelve(self, now, per_row);
        let (row, cards_before) = shown_before
            .iter()
            .find(|(_, cards)| cards.iter().any(|c| c.kind == kind && c.tmdb_id == id))?;
        let cards_now = &shown_now.iter().find(|(key, _)| key == row)?.1;
        cards_now
            .iter()
            .find(|c| {
                !cards_before
                    .iter()
                    .any(|b| b.kind == c.kind && b.tmdb_id == c.tmdb_id)
            })
            .copied()
    }

    /// The card as shown, with its availability and Plex link.
    pub fn card_view(&self, card: &Card, back: &str, image_base: &str) -> CardView {
        let cached = self.cached(card);
        let status = cached.map_or(Availability::Unknown, |a| a.status);
        let mut view = CardView::from_card(card, status, back, image_base, self.requests_enabled);
        view.plex_url = cached
            .filter(|a| a.status.on_plex())
            .and_then(|a| a.plex_url.clone());
        view
    }

    /// The card's HTML as shown: kept in `fragments`, rendered there when no page showed it in
    /// this state before.
    pub fn rendered(
        &self,
        fragments: &Fragments,
        card: &Card,
        back: &str,
        image_base: &str,
    ) -> Result<Arc<RenderedCard>, AppError> {
        let cached = self.cached(card);
        let state = CardState {
            status: cached.map_or(Availability::Unknown, |a| a.status),
            plex_url: cached
                .filter(|a| a.status.on_plex())
                .and_then(|a| a.plex_url.as_deref()),
            requests_enabled: self.requests_enabled,
            back,
        };
        fragments.card(card, &state, || {
            let card = self.card_view(card, back, image_base);
            askama::Template::render(&CardFragment { card })
                .map_err(|e| AppError::internal("template", e))
        })
    }

    /// The rows as the page shows them, each card's HTML from `fragments` (rendered there
    /// only when no page showed it in this state before), made once for this data: the
    /// arguments are the same for every view of it (the user's limit is in his data version).
    /// Also the titles whose availability is stale now (to be asked again in the background;
    /// none without Overseerr).
    pub fn shown(
        &self,
        fragments: &Fragments,
        per_row: usize,
        back: &str,
        image_base: &str,
    ) -> Result<Shown<'_>, AppError> {
        let rows = match self.shown.get() {
            Some(rows) => rows,
            None => {
                let rows = self.arrange_views(fragments, per_row, back, image_base)?;
                self.shown.get_or_init(|| Arc::new(rows))
            }
        };
        let fresh_after = db::now() - crate::engine::AVAILABILITY_FRESH_SECONDS;
        let stale = if self.requests_enabled {
            rows.iter()
                .flat_map(|r| &r.cards)
                .map(|c| c.title())
                .filter(|t| {
                    self.statuses
                        .get(t)
                        .is_none_or(|a| a.fetched_at <= fresh_after)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok((rows, stale))
    }

    fn arrange_views(
        &self,
        fragments: &Fragments,
        per_row: usize,
        back: &str,
        image_base: &str,
    ) -> Result<Vec<RowView>, AppError> {
        let mut rows = Vec::new();
        for (key, shown) in self.arrange(per_row) {
            let (title, reason) = match key {
                RowKey::OnPlex => (ON_PLEX_TITLE.to_owned(), ON_PLEX_REASON.to_owned()),
                RowKey::Stored(i) => (self.rows[i].title.clone(), self.rows[i].reason.clone()),
            };
            let cards = shown
                .into_iter()
                .map(|card| self.rendered(fragments, card, back, image_base))
                .collect::<Result<_, _>>()?;
            rows.push(RowView {
                key,
                title,
                reason,
                cards,
            });
        }
        Ok(rows)
    }
}

/// The rows shown to whoever `eligibility` describes.
fn shelve<'a>(
    data: &'a TabData,
    eligibility: &Eligibility,
    per_row: usize,
) -> Vec<(RowKey, Vec<&'a Card>)> {
    let eligible = |c: &&Card| eligibility.allows(c.facts());
    let mut placed = TitleSet::default();
    let mut shown = Vec::new();
    let on_plex: Vec<&Card> = data
        .rows
        .iter()
        .flat_map(|r| &r.cards)
        .filter(eligible)
        .filter(|c| {
            data.cached(c)
                .is_some_and(|a| a.status == Availability::Available)
        })
        .filter(|c| placed.insert(TitleId(c.kind, c.tmdb_id)))
        .take(per_row)
        .collect();
    if !on_plex.is_empty() {
        shown.push((RowKey::OnPlex, on_plex));
    }
    for (index, row) in data.rows.iter().enumerate() {
        let cards: Vec<&Card> = row
            .cards
            .iter()
            .filter(eligible)
            .filter(|c| !placed.contains(&TitleId(c.kind, c.tmdb_id)))
            .take(per_row)
            .collect();
        placed.extend(cards.iter().map(|c| TitleId(c.kind, c.tmdb_id)));
        if !cards.is_empty() {
            shown.push((RowKey::Stored(index), cards));
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Scope;
    use crate::domain::eligibility::Facts;
    use crate::media::Kind;

    fn empty_tab() -> TabData {
        TabData {
            rows: Arc::new(Vec::new()),
            eligibility: Eligibility::limit_only(None),
            statuses: Default::default(),
            status: Default::default(),
            configured: true,
            requests_enabled: true,
            shown: OnceLock::new(),
        }
    }

    fn allows(data: &TabData, TitleId(kind, id): TitleId) -> bool {
        data.eligibility.allows(Facts::of(kind, id, None))
    }

    #[test]
    fn a_tab_read_while_records_were_written_is_brought_forward_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::db::open(&dir.path().join("sagarr.db")).unwrap();
        let versions = pool.versions().clone();
        let shelves = Shelves::new(pool);
        let (user, key) = (7, (7, Tab::Movies));
        let [a, b, c, d] = [1, 2, 3, 4].map(|id| TitleId(Kind::Movie, id));

        // A read begins at `read_at`; a record lands and is followed up before the read is kept.
        let read_at = versions.of(user);
        let first = versions.bump_records(user);
        assert!(
            shelves.dealt_with(a, first, 8).is_empty(),
            "nothing kept yet"
        );
        shelves
            .loaded
            .keep(key, user, read_at, Arc::new(empty_tab()));
        assert!(shelves.loaded.get(&key).is_none(), "stale as kept");

        // The next record brings it forward through the one before: current, both left out.
        let second = versions.bump_records(user);
        shelves.dealt_with(b, second, 8);
        let kept = shelves.loaded.get(&key).expect("brought forward");
        assert!(!allows(&kept, a) && !allows(&kept, b) && allows(&kept, c));

        // A write the log lacks (an unrated title, a hidden genre) breaks the chain: a tab kept
        // from before it is left stale, never brought forward past what it does not know.
        shelves
            .loaded
            .keep(key, user, versions.of(user), Arc::new(empty_tab()));
        let before_unlogged = versions.of(user);
        versions.bump(Scope::Records(user));
        shelves
            .loaded
            .keep(key, user, before_unlogged, Arc::new(empty_tab()));
        shelves.dealt_with(c, versions.bump_records(user), 8);
        shelves.dealt_with(d, versions.bump_records(user), 8);
        assert!(shelves.loaded.get(&key).is_none(), "left stale");
    }

    #[test]
    fn the_chain_runs_from_one_version_to_another_without_a_gap() {
        let step = |before: u64, after: u64| Step {
            user: 1,
            before: (0, before),
            after: (0, after),
        };
        let t = |id| TitleId(Kind::Movie, id);
        let log = [(step(1, 2), t(1)), (step(2, 3), t(2)), (step(4, 5), t(4))];
        let titles = |from, to| since(&log, (0, from), (0, to));
        assert_eq!(titles(1, 3), Some(vec![t(1), t(2)]));
        assert_eq!(titles(2, 3), Some(vec![t(2)]));
        assert_eq!(titles(1, 5), None, "3 -> 4 is not logged");
        assert_eq!(titles(0, 3), None, "nothing logged from 0");
    }
}
