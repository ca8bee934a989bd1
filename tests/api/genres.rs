//! "Not interested in this genre" over HTTP: hidden from a title's details, its titles leave the
//! user's tabs and his groups' pages, and his history shows it again.

use awc::http::StatusCode;
use sagarr::media::Kind;

use crate::helpers::{TestApp, friend, friend_with_rows, owner, share, two_with_rows};
use crate::together::card_ids;

/// TMDb's genre ids of a title, as the fake catalogue (TMDb) has them.
fn genre_ids(kind: &str, id: i64) -> Vec<i64> {
    let kind = Kind::parse(kind).expect("a kind");
    sagarr::fakes::catalog::find(kind, id)
        .map(|t| t.genres.iter().map(|(id, _)| *id).collect())
        .unwrap_or_default()
}

/// The genres the friend hid, as stored.
fn hidden(app: &TestApp) -> Vec<(i64, String)> {
    let user = app.user(&friend()).expect("the friend");
    let mut conn = app.app.ctx.pool.get().expect("db connection");
    sagarr::db::preferences::hidden_genres(&mut conn, user.id).expect("query")
}

const HORROR: i64 = 27;

async fn delete(app: &TestApp, path: &str) -> crate::helpers::Page {
    app.send(
        awc::Client::builder()
            .disable_redirects()
            .finish()
            .delete(app.url(path))
            .insert_header(("Origin", app.address.clone())),
        None,
    )
    .await
}

#[actix_web::test]
async fn a_hidden_genre_leaves_every_tab_until_history_shows_it_again() {
    let app = friend_with_rows().await;
    let movies = app.get("/?tab=movies").await;
    assert!(movies.body.contains(r#"id="card-movie-300668""#));

    // Annihilation's details offer its genres, Horror among them.
    let details = app.get("/media/movie/300668").await;
    assert!(
        details
            .body
            .contains(r#"action="/media/movie/300668/not-interested""#),
        "{}",
        details.body
    );
    assert!(
        details
            .body
            .contains(r#"<option value="27">Horror</option>"#)
    );
    assert!(details.body.contains("Not interested in this genre"));

    let hid = app
        .post(
            "/media/movie/300668/not-interested",
            &[("genre", "27"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(hid.status, StatusCode::SEE_OTHER, "{}", hid.body);
    assert_eq!(hid.location(), Some("/?tab=movies"));
    assert_eq!(hidden(&app), [(HORROR, "Horror".to_owned())]);

    let movies = app.get("/?tab=movies").await;
    assert!(movies.body.contains("Hidden: Horror."), "{}", movies.body);
    let shown = card_ids(&movies.body);
    assert!(!shown.is_empty(), "other titles stay: {}", movies.body);
    for (kind, id) in &shown {
        assert!(
            !genre_ids(kind, *id).contains(&HORROR),
            "{kind} {id} is a horror title and still shown"
        );
    }
    assert!(
        shown.contains(&("movie".to_owned(), 157336)),
        "Interstellar stays"
    );
    // Hiding it again changes nothing.
    let again = app
        .post(
            "/media/movie/300668/not-interested",
            &[("genre", "27"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(hidden(&app).len(), 1);

    // The history names it and shows it again.
    let history = app.get("/history").await;
    assert!(history.body.contains("Genres you are not interested in"));
    assert!(history.body.contains("<strong>Horror</strong>"));
    assert!(
        history
            .body
            .contains(r#"action="/history/genres/27/delete""#)
    );
    let shown_again = app
        .post("/history/genres/27/delete", &[("back", "/history?page=1")])
        .await;
    assert_eq!(
        shown_again.status,
        StatusCode::SEE_OTHER,
        "{}",
        shown_again.body
    );
    assert_eq!(shown_again.location(), Some("/history?page=1"));
    let history = app.get("/history?page=1").await;
    assert!(
        history.body.contains("Horror is shown again"),
        "{}",
        history.body
    );
    assert!(!history.body.contains("Genres you are not interested in"));
    assert!(hidden(&app).is_empty());
    let movies = app.get("/?tab=movies").await;
    assert!(
        movies.body.contains(r#"id="card-movie-300668""#),
        "Annihilation is back"
    );

    // DELETE does what the form's POST does; a genre not hidden is not found.
    app.post(
        "/media/movie/300668/not-interested",
        &[("genre", "27"), ("back", "/")],
    )
    .await;
    assert_eq!(hidden(&app).len(), 1);
    let shown_again = delete(&app, "/history/genres/27").await;
    assert_eq!(
        shown_again.status,
        StatusCode::SEE_OTHER,
        "{}",
        shown_again.body
    );
    assert!(hidden(&app).is_empty());
    let gone = delete(&app, "/history/genres/27").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);
    app.stop().await;
}

#[actix_web::test]
async fn a_genre_that_is_not_the_titles_or_not_a_number_is_refused_and_nothing_is_hidden() {
    let app = friend_with_rows().await;
    for (path, genre, status, said) in [
        (
            "/media/movie/300668/not-interested",
            "35",
            StatusCode::BAD_REQUEST,
            "35 is not one of the genres of Annihilation.",
        ),
        (
            "/media/movie/300668/not-interested",
            "horror",
            StatusCode::BAD_REQUEST,
            "&#34;horror&#34; is not a genre id",
        ),
        (
            "/media/movie/300668/not-interested",
            "-27",
            StatusCode::BAD_REQUEST,
            "is not a genre id",
        ),
        (
            "/media/film/300668/not-interested",
            "27",
            StatusCode::BAD_REQUEST,
            "is not a kind",
        ),
        (
            "/media/movie/999999999/not-interested",
            "27",
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "/history/genres/zero/delete",
            "27",
            StatusCode::BAD_REQUEST,
            "is not a genre id",
        ),
    ] {
        let page = app
            .post(path, &[("genre", genre), ("back", "/?tab=movies")])
            .await;
        assert_eq!(page.status, status, "{path} {genre}: {}", page.body);
        assert!(page.body.contains(said), "{path} {genre}: {}", page.body);
    }
    assert!(hidden(&app).is_empty(), "nothing was hidden");
    app.stop().await;
}

#[actix_web::test]
async fn a_genre_one_member_hid_is_left_out_of_the_groups_page() {
    let app = two_with_rows(Vec::new()).await;
    share(&app, true).await;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    share(&app, true).await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;

    let before = card_ids(&app.get("/together?with=Owner").await.body);
    let (kind, id) = before
        .iter()
        .find(|(kind, id)| !genre_ids(kind, *id).is_empty())
        .expect("a title with genres")
        .clone();
    let genre = genre_ids(&kind, id)[0];
    let hid = app
        .post(
            &format!("/media/{kind}/{id}/not-interested"),
            &[
                ("genre", &genre.to_string()),
                ("back", "/together?with=Owner"),
            ],
        )
        .await;
    assert_eq!(hid.status, StatusCode::SEE_OTHER, "{}", hid.body);
    assert_eq!(hid.location(), Some("/together?with=Owner"));
    let after = card_ids(&app.get("/together?with=Owner").await.body);
    assert!(
        !after.contains(&(kind.clone(), id)),
        "{kind} {id} is still shown"
    );
    for (kind, id) in &after {
        assert!(
            !genre_ids(kind, *id).contains(&genre),
            "{kind} {id} has the hidden genre {genre}"
        );
    }
    // The owner's side of the same group leaves it out too.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let his = card_ids(&app.get("/together?with=Friend").await.body);
    assert!(
        !his.contains(&(kind.clone(), id)),
        "{kind} {id} is shown to the owner"
    );
    app.stop().await;
}
