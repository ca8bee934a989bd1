//! Building answers, for every handler: render a template, send HTML, redirect with 303, and come
//! back to the page a plain form was posted from. Handlers import from here,
//! never from each other.

use actix_session::Session;
use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;

use crate::auth::session;
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;

/// Renders a template, naming the failure as ours.
pub fn render(template: &impl Template) -> Result<String, AppError> {
    template
        .render()
        .map_err(|e| AppError::internal("template", e))
}

/// A 200 HTML answer.
pub fn html(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// A 303 See Other to `location` (Post/Redirect/Get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Where a form posted without JavaScript comes back to: the page, and the part of it that
/// shows the one-time message.
pub struct Return {
    location: String,
    anchor: String,
}

impl Return {
    /// A section of the admin page (`users`, `runs`, `section-tmdb`).
    pub fn admin(anchor: &str) -> Self {
        Self {
            location: format!("/admin#{anchor}"),
            anchor: anchor.to_owned(),
        }
    }

    /// A page with cards, `back` as checked by [`back_to`]: the dashboard or the history.
    pub fn page(back: &str) -> Self {
        let anchor = if back.starts_with("/history") {
            "history"
        } else if back.starts_with("/together") {
            "together"
        } else {
            "dashboard"
        };
        Self {
            location: back.to_owned(),
            anchor: anchor.to_owned(),
        }
    }
}

/// Leaves a one-time message for the page a form without JavaScript returns to, and sends
/// the browser there.
pub fn back_with(session: &Session, back: &str, ok: bool, message: String) -> HttpResponse {
    redirect_with(session, Return::page(back), ok, message)
}

fn redirect_with(session: &Session, to: Return, ok: bool, message: String) -> HttpResponse {
    session::set_flash(session, ok, message, &to.anchor);
    see_other(&to.location)
}

/// The answer to a form, the same for every page: HTMX gets the fragment that `fragment` renders
/// from the message (built only then); a plain form gets the message once, on the page it
/// returns to, through a 303.
pub async fn fragment_or_redirect<Fragment, Rendered>(
    kind: ResponseKind,
    session: &Session,
    to: Return,
    ok: bool,
    message: String,
    fragment: Fragment,
) -> Result<HttpResponse, AppError>
where
    Fragment: FnOnce(String) -> Rendered,
    Rendered: Future<Output = Result<String, AppError>>,
{
    if kind.is_fragment() {
        return Ok(html(fragment(message).await?));
    }
    Ok(redirect_with(session, to, ok, message))
}

/// Where a form without JavaScript returns (its `back` field): one of the pages that have forms,
/// never anything else (a `/\t/evil.example` is read by browsers as another site; CR or LF
/// would break the header). Checked before anything is written.
pub fn back_to(back: Option<&str>, default: &str) -> String {
    match back {
        Some(back) if is_return_page(back) => back.to_owned(),
        _ => default.to_owned(),
    }
}

/// What a name in a `/together?with=` link is encoded as: everything but letters, digits and
/// `-._~`, so the link holds nothing a `Location` header or a browser could misread.
pub const WITH_NAME: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What the query of a page a form comes back to may say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackQuery {
    /// Nothing: the bare path.
    Bare,
    /// `tab=` one of `media::TABS`' slugs.
    Tab,
    /// `page=N`, at most six digits.
    Page,
    /// `with=` names encoded with [`WITH_NAME`], joined by commas.
    With,
}

impl BackQuery {
    fn allows(self, query: Option<&str>) -> bool {
        match (self, query) {
            (Self::Bare, None) => true,
            (Self::Tab, Some(query)) => query
                .strip_prefix("tab=")
                .is_some_and(|slug| crate::media::TABS.iter().any(|t| t.slug() == slug)),
            (Self::Page, Some(query)) => query.strip_prefix("page=").is_some_and(|n| {
                !n.is_empty() && n.len() <= 6 && n.bytes().all(|b| b.is_ascii_digit())
            }),
            (Self::With, Some(query)) => query.strip_prefix("with=").is_some_and(|names| {
                names
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~%,".contains(&b))
            }),
            _ => false,
        }
    }
}

/// The pages with forms, which a plain form comes back to: each a `GET` route of the table
/// (`routes::ROUTES`; a unit test there holds them to it), with the queries it may carry.
pub const RETURN_PAGES: &[(&str, &[BackQuery])] = &[
    ("/", &[BackQuery::Bare, BackQuery::Tab]),
    ("/history", &[BackQuery::Bare, BackQuery::Page]),
    ("/together", &[BackQuery::With]),
];

/// Whether `back` is one of [`RETURN_PAGES`] with a query it may carry, nothing else.
pub fn is_return_page(back: &str) -> bool {
    let (path, query) = match back.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (back, None),
    };
    back.len() <= 2048
        && RETURN_PAGES
            .iter()
            .find(|(page, _)| *page == path)
            .is_some_and(|(_, queries)| queries.iter().any(|q| q.allows(query)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_pages_with_forms_are_return_pages() {
        for ok in [
            "/",
            "/?tab=tv",
            "/?tab=documentaries",
            "/history",
            "/history?page=12",
            "/together?with=Bob,Carol%20B",
        ] {
            assert!(super::is_return_page(ok), "{ok}");
        }
        for bad in [
            "/\t/evil.example",
            "//evil.example",
            "/?tab=x",
            "/history?page=",
            "/history?page=1\r\nX: y",
            "/admin",
            "/history?page=1&x=2",
            "/\x7f",
            "https://evil.example",
            "/together?with=Bob\r\nX: y",
            "/together?with=/evil.example",
        ] {
            assert!(!super::is_return_page(bad), "{bad:?}");
        }
    }
}
