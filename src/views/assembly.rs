//! A tab's page assembled around its cards (docs/performance.md "Fragments"): the template
//! writes the shell (header, tabs, row heads) with a slot where each card goes
//! ([`CARD_SLOT`]), and the page is the shell's pieces and the kept cards' own bytes in turn.
//! A view copies no card, and a kept page holds its shell, not 48 copies of shared cards. Its
//! tag is a CRC-32 of the shell's bytes and each card's own CRC in its place: it differs
//! wherever the bytes do, and costs the shell's few KB instead of the page's hundred.

use actix_web::web::Bytes;

use super::fragments::{CARD_SLOT, RenderedCard};
use crate::error::AppError;
use crate::http::revisit::Page;

/// The page `shell` makes with `cards` in its slots, in the order the shell wrote them.
pub fn assemble<'a>(
    shell: String,
    cards: impl IntoIterator<Item = &'a RenderedCard>,
) -> Result<Page, AppError> {
    let slots: Vec<usize> = shell.match_indices(CARD_SLOT).map(|(at, _)| at).collect();
    let shell = Bytes::from(shell);
    let mut cards = cards.into_iter();
    let mut pieces = Vec::with_capacity(2 * slots.len() + 1);
    let mut crc = crc32fast::Hasher::new();
    let mut from = 0;
    for at in &slots {
        let card = cards.next().ok_or_else(mismatch)?;
        crc.update(&shell[from..*at]);
        crc.update(&card.crc().to_le_bytes());
        pieces.push(shell.slice(from..*at));
        pieces.push(card.bytes().clone());
        from = at + CARD_SLOT.len();
    }
    if cards.next().is_some() {
        return Err(mismatch());
    }
    crc.update(&shell[from..]);
    pieces.push(shell.slice(from..));
    let own = shell.len() - slots.len() * CARD_SLOT.len();
    Ok(Page::of_pieces(pieces, own, crc.finalize()))
}

fn mismatch() -> AppError {
    AppError::internal(
        "page assembly",
        "the page's card slots and its cards differ in number",
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use askama::Template;

    use super::*;
    use crate::domain::Availability;
    use crate::engine::rows::Card;
    use crate::media::Kind;
    use crate::views::fragments::{CardState, Fragments};

    #[derive(Template)]
    #[template(
        source = "<h2>{{ heading }}</h2>{% for card in cards %}<i>{{ card|safe }}</i>{% endfor %}",
        ext = "html"
    )]
    struct Shelf {
        heading: String,
        cards: Vec<Arc<RenderedCard>>,
    }

    fn kept(store: &Fragments, id: i64) -> Arc<RenderedCard> {
        let card = Card {
            kind: Kind::Movie,
            tmdb_id: id,
            title: format!("Title {id}"),
            year: None,
            poster_path: None,
            genres: vec![],
            genre_ids: vec![],
            overview: String::new(),
            because: None,
            certification: None,
        };
        let state = CardState {
            status: Availability::Unknown,
            plex_url: None,
            requests_enabled: true,
            back: "/",
        };
        store
            .card(&card, &state, || Ok(format!("<article>{id}</article>")))
            .expect("card")
    }

    #[test]
    fn the_page_is_the_shell_with_each_card_in_its_slot_and_weighs_the_shell() {
        let store = Fragments::default();
        let cards: Vec<_> = (1..=3).map(|id| kept(&store, id)).collect();
        // Text a title could hold is escaped, so it never reads as a slot.
        let heading = format!("a {CARD_SLOT} b");
        let shell = Shelf {
            heading: heading.clone(),
            cards: cards.clone(),
        }
        .render()
        .expect("shell");
        let page = assemble(shell.clone(), cards.iter().map(|c| &**c)).expect("page");
        let expected = "<h2>a &#60;\u{0}&#62; b</h2><i><article>1</article></i>\
                        <i><article>2</article></i><i><article>3</article></i>";
        assert_eq!(page.to_bytes(), expected);
        let own = shell.len() - 3 * CARD_SLOT.len();
        assert!(page.weight() < own + 8 * std::mem::size_of::<Bytes>());
        // The same page assembled again has the same tag; another card in a slot, another tag.
        let again = assemble(shell.clone(), cards.iter().map(|c| &**c)).expect("again");
        assert_eq!(again.etag, page.etag);
        let other = kept(&store, 4);
        let swapped = [&cards[0], &cards[1], &other];
        let changed = assemble(shell.clone(), swapped.iter().map(|c| &***c)).expect("changed");
        assert_ne!(changed.etag, page.etag);
        // Slots and cards that differ in number are an error, never a wrong page.
        assert!(assemble(shell.clone(), cards.iter().take(2).map(|c| &**c)).is_err());
        assert!(assemble(shell, cards.iter().chain(&cards).map(|c| &**c)).is_err());
    }
}
