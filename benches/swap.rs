//! A rating's cost to the next view, in process (no HTTP, no database): the full dashboard's
//! movies tab (7 rows, 48 cards shown) built the way a server that kept nothing builds it
//! (every card rendered) against the way the next view after a rating builds it from the kept
//! fragments (the rated card gone, its row's next pick in its place, rendered once by the
//! rating's own answer).
//! Run: `cargo bench --bench swap` (BENCH_ROUNDS sets the rounds, default 2,000).
//!
//! Target (issue 21): the next view after a rating renders no card (one fragment swap), and
//! costs under a tenth of the full render. Printed PASS or MISS; a MISS exits 1.

use std::collections::HashSet;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use sagarr::domain::{Eligibility, TitleId};
use sagarr::engine::rows::Row;
use sagarr::http::revisit::Page;
use sagarr::media::{Kind, Tab};
use sagarr::views::assembly::assemble;
use sagarr::views::fragments::Fragments;
use sagarr::views::shelf::TabData;
use sagarr::views::tab_body::TabBody;

const BACK: &str = "/?tab=movies";
const IMAGES: &str = "https://image.tmdb.org/t/p";
const PER_ROW: usize = 8;

fn main() {
    let rounds: u32 = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(2_000);
    let tabs = sagarr::fakes::catalog::full_dashboard_tabs().expect("rows");
    let json = &tabs.iter().find(|(t, _)| *t == "movies").expect("movies").1;
    let rows: Arc<Vec<Row>> = Arc::new(serde_json::from_str(json).expect("rows"));
    let mut acted_on = HashSet::new();

    // A server that kept nothing: every card rendered.
    let full_page = page(&data(&rows, &acted_on), &Fragments::default()).to_bytes();
    let cards = String::from_utf8_lossy(&full_page)
        .matches("class=\"card\"")
        .count();
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(page(&data(&rows, &acted_on), &Fragments::default()));
    }
    let full = started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);

    // A server that showed the tab once; then a rating of its first card, read back as the
    // app reads it (new data: the shown rows are made again, from the kept cards).
    let kept = Fragments::default();
    let before = data(&rows, &acted_on);
    let shown = page(&before, &kept).to_bytes();
    let first = before.arrange(PER_ROW)[0].1[0].clone();
    acted_on.insert((first.kind, first.tmdb_id));
    let rated = data(&rows, &acted_on);
    if let Some(next) = rated.replacement(PER_ROW, first.kind, first.tmdb_id) {
        // What the rating's answer does: the next pick, through the kept cards.
        rated
            .rendered(&kept, next, BACK, IMAGES)
            .expect("next pick");
    }
    let renders = kept.renders();
    let after = page(&rated, &kept).to_bytes();
    let rendered_on_view = kept.renders() - renders;
    assert_ne!(after, shown, "the rating shows");
    assert_eq!(
        after,
        page(&data(&rows, &acted_on), &Fragments::default()).to_bytes(),
        "the swap is the full render, byte for byte"
    );
    let started = Instant::now();
    for _ in 0..rounds {
        black_box(page(&data(&rows, &acted_on), &kept));
    }
    let swap = started.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);

    // What the page cache counts for it: its own shell and its list of pieces (the cards are
    // shared, and counted by the card store).
    let weight = page(&data(&rows, &acted_on), &kept).weight();
    println!(
        "movies tab: {} bytes, {cards} cards, {rounds} rounds; kept, it weighs {weight} bytes",
        full_page.len()
    );
    println!("full render (nothing kept):      {full:>8.1} µs");
    println!(
        "next view after a rating:        {swap:>8.1} µs  {:.3} x the full render, {rendered_on_view} cards rendered",
        swap / full
    );
    let ok = rendered_on_view == 0 && swap < full / 10.0;
    println!(
        "{} rating -> next view: one fragment swap ({rendered_on_view} renders, {swap:.1} µs; target 0 renders and < 0.1 x the full render)",
        if ok { "PASS" } else { "MISS" }
    );
    if !ok {
        std::process::exit(1);
    }
}

/// The tab as read after a write: its rows, the user's records, nothing shown yet.
fn data(rows: &Arc<Vec<Row>>, acted_on: &HashSet<(Kind, i64)>) -> TabData {
    TabData {
        rows: rows.clone(),
        eligibility: Eligibility::new(None, acted_on.iter().map(|&(k, id)| TitleId(k, id))),
        statuses: Default::default(),
        status: Default::default(),
        configured: true,
        requests_enabled: true,
        shown: Default::default(),
    }
}

/// The tab's body as a view makes it: the shelf's arrangement, the shell around its cards'
/// slots, each card from `kept` (`views::assembly`).
fn page(data: &TabData, kept: &Fragments) -> Page {
    let (rows, _) = data.shown(kept, PER_ROW, BACK, IMAGES).expect("rows");
    let shell = TabBody {
        tab: Tab::Movies,
        rows,
        empty: None,
        status_message: String::new(),
        notice: None,
    }
    .render()
    .expect("page");
    assemble(shell, rows.iter().flat_map(|r| &r.cards).map(|c| &**c)).expect("assembled")
}
