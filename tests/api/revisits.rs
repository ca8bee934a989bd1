//! Revisits (docs/performance.md "Revisits"): a page carries an ETag made from its bytes, a
//! browser that sends it back gets 304 with no body, and any change a user would see (his
//! rating, a refresh) gives the page a new tag.

use crate::helpers::friend_with_rows;
use awc::http::StatusCode;

#[actix_web::test]
async fn a_revisit_of_an_unchanged_page_is_a_304_and_a_rating_changes_the_tag() {
    let app = friend_with_rows().await;
    let first = app.get("/?tab=movies").await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.header("etag").expect("an ETag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    // From the page cache, the same bytes, the same tag.
    let again = app.get("/?tab=movies").await;
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.body, first.body);

    let revisit = app
        .get_with("/?tab=movies", &[("If-None-Match", &etag)])
        .await;
    assert_eq!(revisit.status, StatusCode::NOT_MODIFIED);
    assert!(revisit.body.is_empty());
    assert_eq!(revisit.header("etag"), Some(etag.as_str()));
    // The HTMX fragment of the same address is another body, with its own tag.
    let fragment = app
        .get_with(
            "/?tab=movies",
            &[("HX-Request", "true"), ("If-None-Match", &etag)],
        )
        .await;
    assert_eq!(fragment.status, StatusCode::OK);
    assert_ne!(fragment.header("etag"), Some(etag.as_str()));

    // A rating: the next view is a new page, with a new tag, and the old tag gets it in full.
    let card = first
        .body
        .split("id=\"card-movie-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a movie card")
        .to_owned();
    let rated = app
        .htmx_post(
            &format!("/media/movie/{card}/rate"),
            &[("rating", "1"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    let after = app
        .get_with("/?tab=movies", &[("If-None-Match", &etag)])
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    assert!(!after.body.contains(&format!("id=\"card-movie-{card}\"")));
    app.stop().await;
}

#[actix_web::test]
async fn an_availability_change_drops_only_the_pages_that_show_the_title() {
    use sagarr::media::Kind;
    let app = friend_with_rows().await;
    let friend_id = app.user(&crate::helpers::friend()).expect("friend").id;
    let page = app.get("/?tab=movies").await.body;
    let cached =
        |app: &crate::helpers::TestApp| app.app.cache.page(&(friend_id, "movies", false)).is_some();
    assert!(cached(&app), "the view was kept");
    let shown: Vec<i64> = page
        .split("id=\"card-movie-")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();

    // A title on nobody's page turns available: the friend's page stands.
    let elsewhere = 13; // Forrest Gump: in the catalogue, in nobody's rows here
    assert!(!shown.contains(&elsewhere));
    app.fakes
        .overseerr
        .set_status(Kind::Movie, elsewhere, 5, &[]);
    let status = app.get("/media/movie/13/status").await;
    assert!(status.body.contains("available"), "{}", status.body);
    assert!(
        cached(&app),
        "a title he does not have changes nothing of his"
    );

    // One of his titles turns available: his page goes, and the next view shows the badge.
    let his = *shown.last().expect("a movie card");
    app.fakes.overseerr.set_status(Kind::Movie, his, 5, &[]);
    let status = app.get(&format!("/media/movie/{his}/status")).await;
    assert!(status.body.contains("available"), "{}", status.body);
    assert!(!cached(&app), "his page showed the old badge");
    let after = app.get("/?tab=movies").await.body;
    assert_ne!(after, page);
    assert!(after.contains("On your Plex now"), "{after}");
    app.stop().await;
}

/// The ids of the movie cards a page shows, in order.
fn movie_cards(page: &str) -> Vec<i64> {
    page.split("id=\"card-movie-")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

#[actix_web::test]
async fn a_rating_a_skip_and_a_badge_change_show_next_as_a_full_render_writes_them() {
    use sagarr::media::Kind;
    let app = friend_with_rows().await;
    let first = app.get("/?tab=movies").await.body;
    let shown = movie_cards(&first);
    assert!(shown.len() >= 3, "{first}");
    let renders = || app.app.shelves.fragments.renders();
    let reads = || app.app.shelves.reads();

    // A rating from the card: its answer brings the row's next pick, and the next view of the
    // tab renders no card at all and reads nothing (assembled from what is kept, the rated
    // title left out).
    let read_before = reads();
    let rated = app
        .htmx_post(
            &format!("/media/movie/{}/rate", shown[0]),
            &[("rating", "1"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    let before = renders();
    let after_rating = app.get("/?tab=movies").await.body;
    assert_eq!(renders(), before, "the next view renders no card");
    assert_eq!(reads(), read_before, "nor reads the tab again");
    assert!(!movie_cards(&after_rating).contains(&shown[0]));

    // A skip, the same.
    let skipped = app
        .htmx_post(
            &format!("/media/movie/{}/skip", shown[1]),
            &[("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    let before = renders();
    let after_skip = app.get("/?tab=movies").await.body;
    assert_eq!(renders(), before, "the next view renders no card");
    assert_eq!(reads(), read_before, "nor reads the tab again");
    assert!(!movie_cards(&after_skip).contains(&shown[1]));

    // A title turns available: its card is rendered once in its new state.
    let flipped = shown[2];
    app.fakes.overseerr.set_status(Kind::Movie, flipped, 5, &[]);
    let status = app.get(&format!("/media/movie/{flipped}/status")).await;
    assert!(status.body.contains("available"), "{}", status.body);
    let before = renders();
    let patched = app.get("/?tab=movies").await.body;
    assert_eq!(renders(), before + 1, "one card rendered, in its new state");
    assert!(patched.contains("On your Plex now"), "{patched}");

    // The same database read by a server that kept nothing renders every card: the same bytes.
    let app = app.restart().await;
    assert_eq!(app.app.shelves.fragments.renders(), 0);
    let full = app.get("/?tab=movies").await.body;
    assert!(app.app.shelves.fragments.renders() >= movie_cards(&full).len());
    assert_eq!(
        patched, full,
        "the patched page is the full render, byte for byte"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_rating_keeps_the_pages_it_did_not_change_and_its_title_stays_out() {
    use crate::helpers::{friend, friend_with_picks};
    let app = friend_with_picks(Vec::new(), &[]).await;
    let friend_id = app.user(&friend()).expect("friend").id;
    let movies = app.get("/?tab=movies").await.body;
    let tv = app.get("/?tab=tv").await;
    let cached = |tab: &'static str| app.app.cache.page(&(friend_id, tab, false)).is_some();
    assert!(cached("movies") && cached("tv"));
    let shown = movie_cards(&movies);
    // The first shown movie, and the pick its row holds in reserve after the shown ones: the
    // one that would take its place.
    let row = app
        .rows(&friend(), "movies")
        .into_iter()
        .find(|r| r.cards.iter().any(|c| c.tmdb_id == shown[0]))
        .expect("the first card's row");
    let reserve = row
        .cards
        .iter()
        .map(|c| c.tmdb_id)
        .find(|id| !shown.contains(id))
        .expect("a pick in reserve");

    // Seen it on the reserve pick (from the details dialog): no page showed it, so every page
    // stands and the next view of either tab reads nothing and builds nothing.
    let reads = app.app.shelves.reads();
    let rated = app
        .htmx_post(
            &format!("/media/movie/{reserve}/rate"),
            &[("rating", "-1"), ("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert!(cached("movies") && cached("tv"), "nothing shown changed");
    assert_eq!(app.get("/?tab=movies").await.body, movies);

    // A skip of a shown movie: its tab's page goes, the TV page stands, and the row's next pick
    // is not the title already rated.
    let skipped = app
        .htmx_post(
            &format!("/media/movie/{}/skip", shown[0]),
            &[("back", "/?tab=movies")],
        )
        .await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    assert!(!skipped.body.contains(&format!("card-movie-{reserve}\"")));
    assert!(!cached("movies"), "it showed the skipped card");
    assert!(cached("tv"), "it did not");
    let after = app.get("/?tab=movies").await.body;
    assert!(!movie_cards(&after).contains(&shown[0]));
    assert!(
        !movie_cards(&after).contains(&reserve),
        "rated: it stays out"
    );
    let tv_after = app.get("/?tab=tv").await;
    assert_eq!(tv_after.header("etag"), tv.header("etag"));
    assert_eq!(app.app.shelves.reads(), reads, "no tab was read again");

    // A server that kept nothing serves the same bytes for both.
    let app = app.restart().await;
    assert_eq!(app.get("/?tab=movies").await.body, after);
    assert_eq!(app.get("/?tab=tv").await.body, tv_after.body);
    app.stop().await;
}
