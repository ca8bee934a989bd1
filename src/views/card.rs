//! A poster card as the dashboard and the card actions show it (`partials/card.html`), and the
//! line that replaces a card once it is dealt with (`partials/card_done.html`).

use std::fmt;

use askama::Template;

use crate::domain::Availability;
use crate::engine::rows::Card;
use crate::media::Kind;

/// One poster card as shown, with what the user can do about it.
pub struct CardView {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: String,
    pub year: Option<i32>,
    pub because: Option<String>,
    pub poster: Option<(String, String)>,
    pub status: Availability,
    /// Where a form without JavaScript comes back to.
    pub back: String,
    /// A line under the card after an action: (ok, text).
    pub note: Option<(bool, String)>,
    pub requests_enabled: bool,
    /// Overseerr's link to the title on the owner's Plex, while it is there.
    pub plex_url: Option<String>,
    /// Why the title suits a group, member by member (Watch together), instead of `because`.
    pub why: Option<String>,
}

impl CardView {
    pub fn from_card(
        card: &Card,
        status: Availability,
        back: &str,
        image_base: &str,
        requests_enabled: bool,
    ) -> Self {
        Self {
            kind: card.kind,
            tmdb_id: card.tmdb_id,
            title: card.title.clone(),
            year: card.year,
            because: card.because.clone(),
            // No image host (the demo is offline): the title placeholder shows instead.
            poster: card
                .poster_path
                .as_deref()
                .filter(|_| !image_base.is_empty())
                .map(|path| poster_urls(image_base, path)),
            status,
            back: back.to_owned(),
            note: None,
            requests_enabled,
            plex_url: None,
            why: None,
        }
    }

    // The card's ids and paths are written straight into the page (a page has about 50 cards,
    // each naming them a dozen times), not built as Strings first.

    pub fn dom_id(&self) -> MediaRef<'static> {
        MediaRef::new("card-", '-', self.kind, self.tmdb_id, "")
    }

    /// The title's details: a page, or with HTMX the dialog's content.
    pub fn details_url(&self) -> MediaRef<'static> {
        MediaRef::new("/media/", '/', self.kind, self.tmdb_id, "")
    }

    pub fn action<'a>(&self, what: &'a str) -> MediaRef<'a> {
        MediaRef::new("/media/", '/', self.kind, self.tmdb_id, what)
    }

    pub fn can_request(&self) -> bool {
        self.requests_enabled && self.status.requestable()
    }

    pub fn can_watchlist(&self) -> bool {
        self.status.on_plex()
    }

    /// The availability badge, when the card wears one.
    pub fn badge(&self) -> Option<Badge> {
        Some(badge_of(self.status)).filter(|_| self.status.on_card())
    }

    pub fn label(&self) -> String {
        match self.year {
            Some(year) => format!("{} ({year})", self.title),
            None => self.title.clone(),
        }
    }
}

/// An availability badge: CSS class and text (`partials/badge.html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    pub class: &'static str,
    pub text: &'static str,
}

/// What a badge says about `status`: its CSS class and text. The one place these labels are
/// written; cards show only the hopeful ones ([`Availability::on_card`]).
pub fn badge_of(status: Availability) -> Badge {
    let text = match status {
        Availability::Available => "On Plex",
        Availability::Partial => "Partly on Plex",
        Availability::Requested | Availability::Processing => "Requested",
        Availability::Missing => "Not on Plex",
        Availability::Unknown => "Unknown",
    };
    Badge {
        class: status.as_str(),
        text,
    }
}

/// TMDb poster URLs: a default and a `srcset` over TMDb's poster sizes.
fn poster_urls(base: &str, path: &str) -> (String, String) {
    let src = [base, "/w342", path].concat();
    let mut srcset = String::with_capacity(3 * (base.len() + path.len() + 12));
    for (i, (name, width)) in [("w185", "185w"), ("w342", "342w"), ("w500", "500w")]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            srcset.push_str(", ");
        }
        for part in [base, "/", name, path, " ", width] {
            srcset.push_str(part);
        }
    }
    (src, srcset)
}

/// `card-movie-603`, `/media/movie/603` or `/media/movie/603/skip`, as `Display`.
pub struct MediaRef<'a> {
    prefix: &'static str,
    separator: char,
    kind: Kind,
    tmdb_id: i64,
    action: &'a str,
}

impl<'a> MediaRef<'a> {
    fn new(
        prefix: &'static str,
        separator: char,
        kind: Kind,
        tmdb_id: i64,
        action: &'a str,
    ) -> Self {
        Self {
            prefix,
            separator,
            kind,
            tmdb_id,
            action,
        }
    }
}

impl fmt::Display for MediaRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix)?;
        f.write_str(self.kind.as_str())?;
        write!(f, "{}{}", self.separator, self.tmdb_id)?;
        if !self.action.is_empty() {
            write!(f, "/{}", self.action)?;
        }
        Ok(())
    }
}

/// One card on its own, for the HTMX answer to an action.
#[derive(Template)]
#[template(path = "partials/card.html")]
pub struct CardFragment {
    pub card: CardView,
}

/// What takes a card's place once it is rated or skipped.
#[derive(Template)]
#[template(path = "partials/card_done.html")]
pub struct CardDone {
    pub dom_id: String,
    pub title: String,
    pub message: String,
}
