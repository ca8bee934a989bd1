//! A title's details (`partials/details.html`): what the dialog and the page show, from the
//! cached TMDb details and the user's own rows.

use askama::Template;

use crate::db::users::User;
use crate::integrations::tmdb::{Details, Genre};

use super::card::CardView;

/// Everything the details show, with the card's own actions.
pub struct DetailsView {
    pub card: CardView,
    pub overview: String,
    /// "2 h 16 min" or "3 seasons".
    pub length: Option<String>,
    /// TMDb's genres, named in its language, with their ids (what a form about one names).
    pub genres: Vec<Genre>,
    /// "7.9 / 10 on TMDb".
    pub rating: Option<String>,
    pub certification: Option<String>,
    pub cast: Vec<String>,
    pub trailer: Option<String>,
    /// Why it was picked: the row it is in and the title of the user's it follows from.
    pub why: Option<String>,
}

impl DetailsView {
    pub fn new(card: CardView, details: &Details, why: Option<String>) -> Self {
        let length = match (details.runtime, details.number_of_seasons) {
            (Some(minutes), _) if minutes > 0 => Some(match (minutes / 60, minutes % 60) {
                (0, m) => format!("{m} min"),
                (h, 0) => format!("{h} h"),
                (h, m) => format!("{h} h {m} min"),
            }),
            (_, Some(1)) => Some("1 season".to_owned()),
            (_, Some(n)) if n > 1 => Some(format!("{n} seasons")),
            _ => None,
        };
        Self {
            card,
            overview: details.overview.clone().unwrap_or_default(),
            length,
            genres: details
                .genres
                .iter()
                .filter(|g| !g.name.is_empty())
                .cloned()
                .collect(),
            rating: details
                .vote_average
                .filter(|v| *v > 0.0)
                .map(|v| format!("{v:.1} / 10 on TMDb")),
            certification: details.certification(),
            cast: details.top_cast(),
            trailer: details.trailer_url(),
            why,
        }
    }
}

/// The details in a `<dialog>`, for HTMX.
#[derive(Template)]
#[template(path = "partials/details.html")]
pub struct DetailsFragment {
    pub details: DetailsView,
    /// On its own page the title is the page's `<h1>`.
    pub page: bool,
}

/// The details as a page, without JavaScript.
#[derive(Template)]
#[template(path = "details.html")]
pub struct DetailsPage {
    pub user: User,
    pub body: DetailsFragment,
}
