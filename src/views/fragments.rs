//! What a dashboard is assembled from, kept in memory (docs/performance.md "Fragments"), so a
//! page the page cache lacks costs writing its shell (and, after a write, a few small queries),
//! not a JSON parse and 48 card renders:
//! - **stored rows**: each tab's rows, parsed once per refresh and kept while the stored rows'
//!   `generated_at` stands; users whose rows are the same bytes share one parsed copy;
//! - **cards**: each card's HTML, rendered once per (card, availability, `back`) and shared by
//!   every page that shows it. What a user does later (a rating, a skip) never changes a card's
//!   bytes, only which cards a page shows; an availability change makes a new variant, rendered
//!   once for everyone.
//!
//! Both are memos of what the database holds: dropping either costs a render, never a wrong
//! page.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use actix_web::web::Bytes;

use crate::domain::Availability;
use crate::domain::TitleId;
use crate::engine::rows::{Card, Row};
use crate::error::AppError;
use crate::media::Tab;

/// At most this many bytes of rendered cards (a card is about 2 KB: some 2,000 cards).
const MAX_CARD_BYTES: usize = 4 * 1024 * 1024;
/// At most this many bytes of stored rows JSON stand behind the kept tabs (parsed rows take
/// about twice their JSON; shared copies count once per tab).
const MAX_ROWS_BYTES: usize = 8 * 1024 * 1024;

/// A tab's stored rows as parsed, with the `generated_at` they were stored at.
#[derive(Clone)]
pub struct StoredRows {
    pub generated_at: i64,
    pub rows: Arc<Vec<Row>>,
    json_len: usize,
}

/// What a card's HTML depends on besides the card: its availability and where its forms
/// come back to.
pub struct CardState<'a> {
    pub status: Availability,
    pub plex_url: Option<&'a str>,
    pub requests_enabled: bool,
    pub back: &'a str,
}

/// One card's HTML, with what it was rendered from.
pub struct RenderedCard {
    card: Card,
    status: Availability,
    plex_url: Option<String>,
    requests_enabled: bool,
    back: String,
    /// Shared by every page that shows the card (`views::assembly`): a page holds the card's
    /// bytes, not a copy of them.
    html: Bytes,
    /// The CRC-32 of `html`, which a page's tag is made from instead of the bytes again.
    crc: u32,
    /// The store's clock when a page last used it: the least recently used go first.
    used: AtomicU64,
}

impl RenderedCard {
    fn shows(&self, card: &Card, state: &CardState) -> bool {
        self.status == state.status
            && self.requests_enabled == state.requests_enabled
            && self.plex_url.as_deref() == state.plex_url
            && self.back == state.back
            && self.card.title == card.title
            && self.card.year == card.year
            && self.card.because == card.because
            && self.card.poster_path == card.poster_path
    }

    /// The card's HTML (written from a `String`, so always UTF-8).
    pub fn html(&self) -> &str {
        std::str::from_utf8(&self.html).unwrap_or_default()
    }

    /// The card's HTML as the bytes a page shares.
    pub fn bytes(&self) -> &Bytes {
        &self.html
    }

    /// The CRC-32 of the card's HTML.
    pub fn crc(&self) -> u32 {
        self.crc
    }

    /// The title the card shows.
    pub fn title(&self) -> TitleId {
        TitleId(self.card.kind, self.card.tmdb_id)
    }
}

/// Where a card stands in a rendered page, until `views::assembly` puts the card's own bytes
/// there. No other text can write it: escaped text never holds a `<`, and the only unescaped
/// text in a tab's template is its cards.
pub const CARD_SLOT: &str = "<\u{0}>";

/// Written into a page as its slot (`{{ card|safe }}`): the page is assembled around the
/// card's kept bytes instead of copying them (`views::assembly`).
impl fmt::Display for RenderedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(CARD_SLOT)
    }
}

#[derive(Default)]
struct Cards {
    by_title: HashMap<TitleId, Vec<Arc<RenderedCard>>>,
    bytes: usize,
}

#[derive(Default)]
pub struct Fragments {
    tabs: RwLock<HashMap<(i32, Tab), StoredRows>>,
    /// Parsed rows by a hash of their JSON, while some tab holds them.
    parsed: Mutex<HashMap<u64, Weak<Vec<Row>>>>,
    cards: RwLock<Cards>,
    clock: AtomicU64,
    renders: AtomicUsize,
}

impl Fragments {
    /// The kept rows of `user_id`'s `tab`, when they are the ones stored at `generated_at`.
    pub fn rows(&self, user_id: i32, tab: Tab, generated_at: i64) -> Option<Arc<Vec<Row>>> {
        let tabs = self.tabs.read().ok()?;
        let kept = tabs.get(&(user_id, tab))?;
        (kept.generated_at == generated_at).then(|| kept.rows.clone())
    }

    /// Parses stored rows JSON (a copy another user's same bytes already made is shared) and
    /// keeps it for `user_id`'s `tab`. Unreadable JSON is no rows, as before a first refresh.
    pub fn parse_rows(
        &self,
        user_id: i32,
        tab: Tab,
        json: &str,
        generated_at: i64,
    ) -> Arc<Vec<Row>> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        json.hash(&mut hasher);
        let digest = hasher.finish();
        let shared = self
            .parsed
            .lock()
            .ok()
            .and_then(|parsed| parsed.get(&digest).and_then(Weak::upgrade));
        let rows = shared.unwrap_or_else(|| {
            let rows = Arc::new(serde_json::from_str(json).unwrap_or_default());
            if let Ok(mut parsed) = self.parsed.lock() {
                parsed.retain(|_, weak| weak.strong_count() > 0);
                parsed.insert(digest, Arc::downgrade(&rows));
            }
            rows
        });
        if let Ok(mut tabs) = self.tabs.write() {
            let mut total: usize = tabs.values().map(|t| t.json_len).sum();
            if total + json.len() > MAX_ROWS_BYTES {
                // The oldest refreshes go first: their users are the least likely to be back.
                let mut by_age: Vec<((i32, Tab), i64)> =
                    tabs.iter().map(|(k, t)| (*k, t.generated_at)).collect();
                by_age.sort_unstable_by_key(|(_, at)| *at);
                for (key, _) in by_age {
                    if total + json.len() <= MAX_ROWS_BYTES - MAX_ROWS_BYTES / 4 {
                        break;
                    }
                    if let Some(gone) = tabs.remove(&key) {
                        total -= gone.json_len;
                    }
                }
            }
            tabs.insert(
                (user_id, tab),
                StoredRows {
                    generated_at,
                    rows: rows.clone(),
                    json_len: json.len(),
                },
            );
        }
        rows
    }

    /// `card`'s HTML in `state`: the kept one, or `render`'s, kept for the next page.
    pub fn card(
        &self,
        card: &Card,
        state: &CardState,
        render: impl FnOnce() -> Result<String, AppError>,
    ) -> Result<Arc<RenderedCard>, AppError> {
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        if let Ok(cards) = self.cards.read()
            && let Some(kept) = cards
                .by_title
                .get(&TitleId(card.kind, card.tmdb_id))
                .and_then(|variants| variants.iter().find(|v| v.shows(card, state)))
        {
            kept.used.store(now, Ordering::Relaxed);
            return Ok(kept.clone());
        }
        let html = Bytes::from(render()?);
        let rendered = Arc::new(RenderedCard {
            card: card.clone(),
            status: state.status,
            plex_url: state.plex_url.map(str::to_owned),
            requests_enabled: state.requests_enabled,
            back: state.back.to_owned(),
            crc: crc32fast::hash(&html),
            html,
            used: AtomicU64::new(now),
        });
        self.renders.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut cards) = self.cards.write() {
            if cards.bytes + rendered.html.len() > MAX_CARD_BYTES {
                cards.make_room();
            }
            let variants = cards
                .by_title
                .entry(TitleId(card.kind, card.tmdb_id))
                .or_default();
            let before: usize = variants.iter().map(|v| v.html.len()).sum();
            // A title's variant that no longer shows (its availability changed) is dropped
            // when the new one comes, wherever it was shown.
            variants.retain(|v| v.status == state.status || v.back != state.back);
            variants.push(rendered.clone());
            let after: usize = variants.iter().map(|v| v.html.len()).sum();
            cards.bytes = cards.bytes + after - before;
        }
        Ok(rendered)
    }

    /// How many cards were rendered since start: what a page view cost beyond copying.
    pub fn renders(&self) -> usize {
        self.renders.load(Ordering::Relaxed)
    }
}

impl Cards {
    fn count_bytes(&self) -> usize {
        self.by_title.values().flatten().map(|c| c.html.len()).sum()
    }

    /// Drops the least recently used half.
    fn make_room(&mut self) {
        let mut uses: Vec<u64> = self
            .by_title
            .values()
            .flatten()
            .map(|c| c.used.load(Ordering::Relaxed))
            .collect();
        uses.sort_unstable();
        let cut = uses.get(uses.len() / 2).copied().unwrap_or(0);
        for variants in self.by_title.values_mut() {
            variants.retain(|c| c.used.load(Ordering::Relaxed) >= cut);
        }
        self.by_title.retain(|_, variants| !variants.is_empty());
        self.bytes = self.count_bytes();
    }
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;
    use crate::media::Kind;
    use crate::views::card::{CardFragment, CardView};

    /// A row's cards the way the tab body wrote them before the store: the card template
    /// included in the loop.
    #[derive(Template)]
    #[template(
        source = "{% for card in cards %}{% include \"partials/card.html\" %}{% endfor %}",
        ext = "html"
    )]
    struct Included {
        cards: Vec<CardView>,
    }

    fn card(id: i64, because: &str) -> Card {
        Card {
            kind: Kind::Movie,
            tmdb_id: id,
            title: format!("Title <{id}> & \"more\""),
            year: Some(1999),
            poster_path: Some(format!("/p{id}.jpg")),
            genres: vec!["Drama".into()],
            genre_ids: vec![18],
            overview: String::new(),
            because: Some(because.into()),
            certification: None,
        }
    }

    fn view(card: &Card, status: Availability) -> CardView {
        let mut view = CardView::from_card(card, status, "/?tab=movies", "https://img", true);
        view.plex_url = status.on_plex().then(|| "https://app.plex.tv/x".to_owned());
        view
    }

    fn state(status: Availability) -> CardState<'static> {
        CardState {
            status,
            plex_url: status.on_plex().then_some("https://app.plex.tv/x"),
            requests_enabled: true,
            back: "/?tab=movies",
        }
    }

    #[test]
    fn kept_cards_are_the_bytes_the_included_template_writes() {
        let store = Fragments::default();
        let statuses = [
            Availability::Unknown,
            Availability::Available,
            Availability::Requested,
        ];
        let cards: Vec<Card> = (1..=3).map(|id| card(id, "Heat")).collect();
        let mut assembled = String::new();
        for (card, status) in cards.iter().zip(statuses) {
            let kept = store
                .card(card, &state(status), || {
                    Ok(CardFragment {
                        card: view(card, status),
                    }
                    .render()
                    .expect("card"))
                })
                .expect("kept");
            assembled.push_str(kept.html());
        }
        let included = Included {
            cards: cards
                .iter()
                .zip(statuses)
                .map(|(c, s)| view(c, s))
                .collect(),
        }
        .render()
        .expect("included");
        assert_eq!(assembled, included);
    }

    #[test]
    fn a_card_is_rendered_once_per_state_and_shared() {
        let store = Fragments::default();
        let render = |c: &Card, s| {
            CardFragment { card: view(c, s) }
                .render()
                .map_err(|e| AppError::internal("template", e))
        };
        let heat = card(1, "Heat");
        let first = store
            .card(&heat, &state(Availability::Unknown), || {
                render(&heat, Availability::Unknown)
            })
            .expect("first");
        let again = store
            .card(&heat, &state(Availability::Unknown), || {
                panic!("kept: no render")
            })
            .expect("again");
        assert!(Arc::ptr_eq(&first, &again), "one copy for every page");
        // Another user's card for the same title says another "because": its own bytes.
        let other = card(1, "Ronin");
        let theirs = store
            .card(&other, &state(Availability::Unknown), || {
                render(&other, Availability::Unknown)
            })
            .expect("theirs");
        assert!(theirs.html().contains("Ronin") && !first.html().contains("Ronin"));
        // The title turns available: a new variant, and the old one is gone for everyone.
        let available = store
            .card(&heat, &state(Availability::Available), || {
                render(&heat, Availability::Available)
            })
            .expect("available");
        assert!(available.html().contains("Play on Plex"));
        assert_eq!(store.renders(), 3);
        store
            .card(&heat, &state(Availability::Unknown), || {
                render(&heat, Availability::Unknown)
            })
            .expect("rendered again");
        assert_eq!(store.renders(), 4, "the old state was dropped");
    }

    #[test]
    fn rows_are_parsed_once_per_refresh_and_shared_between_users() {
        let store = Fragments::default();
        let json = serde_json::to_string(&vec![Row {
            title: "Heists".into(),
            reason: String::new(),
            cards: vec![card(1, "Heat")],
            filled: false,
        }])
        .expect("json");
        let alice = store.parse_rows(1, Tab::Movies, &json, 100);
        let bob = store.parse_rows(2, Tab::Movies, &json, 100);
        assert!(Arc::ptr_eq(&alice, &bob), "the same bytes, one parsed copy");
        assert!(store.rows(1, Tab::Movies, 100).is_some());
        assert!(
            store.rows(1, Tab::Movies, 101).is_none(),
            "a new refresh reads again"
        );
        assert!(store.rows(1, Tab::Tv, 100).is_none());
        assert!(store.parse_rows(3, Tab::Tv, "not json", 5).is_empty());
    }
}
