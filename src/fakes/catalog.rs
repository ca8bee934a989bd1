//! A small catalogue of real titles with their real TMDb ids, served by the fake TMDb, Overseerr
//! and Plex Discover. Posters are TMDb paths where known; the fakes never serve images.

use serde_json::{Value, json};

use crate::media::Kind;

#[derive(Debug, Clone, Copy)]
pub struct Title {
    pub kind: Kind,
    pub tmdb_id: i64,
    pub title: &'static str,
    pub original_title: &'static str,
    /// `YYYY-MM-DD`, or `""` as TMDb sends for unknown dates.
    pub date: &'static str,
    pub genres: &'static [(i64, &'static str)],
    pub poster: Option<&'static str>,
    pub overview: &'static str,
    pub imdb_id: &'static str,
    pub tvdb_id: Option<i64>,
    /// TV only: (season number, episode count), season 0 being Specials.
    pub seasons: &'static [(i64, i64)],
    /// The 24-hex Plex Discover ratingKey.
    pub plex_key: &'static str,
    pub vote_count: i64,
    /// TMDb ids of the same kind that TMDb recommends for this title.
    pub recommendations: &'static [i64],
}

impl Title {
    pub fn year(&self) -> Option<i64> {
        self.date.get(..4).and_then(|y| y.parse().ok())
    }
}

const SCIFI: (i64, &str) = (878, "Science Fiction");
const ACTION: (i64, &str) = (28, "Action");
const DRAMA: (i64, &str) = (18, "Drama");
const DOC: (i64, &str) = (99, "Documentary");
const TV_SCIFI: (i64, &str) = (10765, "Sci-Fi & Fantasy");

pub const TITLES: &[Title] = &[
    Title {
        kind: Kind::Movie,
        tmdb_id: 603,
        title: "The Matrix",
        original_title: "The Matrix",
        date: "1999-03-30",
        genres: &[ACTION, SCIFI],
        poster: Some("/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg"),
        overview: "A hacker learns the world he knows is a simulation.",
        imdb_id: "tt0133093",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776825880197001ec967c4",
        vote_count: 25000,
        recommendations: &[27205, 335984, 264660],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 329865,
        title: "Arrival",
        original_title: "Arrival",
        date: "2016-11-10",
        genres: &[DRAMA, SCIFI],
        poster: None,
        overview: "A linguist is recruited to talk with visitors from space.",
        imdb_id: "tt2543164",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776b59ad5437001f79c6f8",
        vote_count: 18000,
        recommendations: &[300668, 335984, 157336],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 335984,
        title: "Blade Runner 2049",
        original_title: "Blade Runner 2049",
        date: "2017-10-04",
        genres: &[SCIFI, DRAMA],
        poster: None,
        overview: "A young blade runner unearths a long-buried secret.",
        imdb_id: "tt1856101",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776a8b9ab544002150aa8e",
        vote_count: 14000,
        recommendations: &[329865, 438631, 264660],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 300668,
        title: "Annihilation",
        original_title: "Annihilation",
        date: "2018-02-22",
        genres: &[SCIFI, (27, "Horror")],
        poster: None,
        overview: "A biologist enters a mysterious quarantined zone.",
        imdb_id: "tt2798920",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776b7cfb0d55001f54f8d4",
        vote_count: 8000,
        recommendations: &[329865, 264660],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 157336,
        title: "Interstellar",
        original_title: "Interstellar",
        date: "2014-11-05",
        genres: &[(12, "Adventure"), DRAMA, SCIFI],
        poster: None,
        overview: "Explorers travel through a wormhole to save humanity.",
        imdb_id: "tt0816692",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d7768ad96b655001fdc0ee1",
        vote_count: 33000,
        recommendations: &[27205, 329865, 438631],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 438631,
        title: "Dune",
        original_title: "Dune",
        date: "2021-09-15",
        genres: &[SCIFI, (12, "Adventure")],
        poster: None,
        overview: "A noble family becomes embroiled in a war for a desert planet.",
        imdb_id: "tt1160419",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776b8b9ab544002151ae3d",
        vote_count: 11000,
        recommendations: &[335984, 157336],
    },
    // An older film of the same name: verification must pick by year, not by title alone.
    Title {
        kind: Kind::Movie,
        tmdb_id: 841,
        title: "Dune",
        original_title: "Dune",
        date: "1984-12-14",
        genres: &[ACTION, SCIFI],
        poster: None,
        overview: "The 1984 adaptation.",
        imdb_id: "tt0087182",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776825151a60001f24a2f1",
        vote_count: 2500,
        recommendations: &[],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 264660,
        title: "Ex Machina",
        original_title: "Ex Machina",
        date: "2015-01-21",
        genres: &[DRAMA, SCIFI],
        poster: None,
        overview: "A programmer evaluates the human qualities of an AI.",
        imdb_id: "tt0470752",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776b1b96b655001fe2c62b",
        vote_count: 13000,
        recommendations: &[300668, 329865],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 27205,
        title: "Inception",
        original_title: "Inception",
        date: "2010-07-15",
        genres: &[ACTION, SCIFI],
        poster: None,
        overview: "A thief who steals secrets through dreams.",
        imdb_id: "tt1375666",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d7768a0fb0d55001f58f4b0",
        vote_count: 35000,
        recommendations: &[157336, 603],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 330457,
        title: "Frozen II",
        original_title: "Frozen II",
        date: "2019-11-20",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: Some("/pjeMs3yqRmFL3giJy4PMXWZTTPa.jpg"),
        overview: "Elsa sets out to find the source of her powers.",
        imdb_id: "tt4520988",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776b85594b2b001e6dc641",
        vote_count: 9000,
        recommendations: &[],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 515042,
        title: "Free Solo",
        original_title: "Free Solo",
        date: "2018-09-28",
        genres: &[DOC],
        poster: None,
        overview: "Alex Honnold climbs El Capitan without a rope.",
        imdb_id: "tt7775622",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776c4d23d5a3001f4f5c0e",
        vote_count: 1800,
        recommendations: &[],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 1399,
        title: "Game of Thrones",
        original_title: "Game of Thrones",
        date: "2011-04-17",
        genres: &[TV_SCIFI, DRAMA],
        poster: Some("/1XS1oqL89opfnbLl8WnZY1O1uJx.jpg"),
        overview: "Noble families fight for the Iron Throne.",
        imdb_id: "tt0944947",
        tvdb_id: Some(121361),
        seasons: &[
            (0, 17),
            (1, 10),
            (2, 10),
            (3, 10),
            (4, 10),
            (5, 10),
            (6, 10),
            (7, 7),
            (8, 6),
        ],
        plex_key: "5d9c086c46115600200aa2fe",
        vote_count: 24000,
        recommendations: &[1396, 70523],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 1396,
        title: "Breaking Bad",
        original_title: "Breaking Bad",
        date: "2008-01-20",
        genres: &[DRAMA, (80, "Crime")],
        poster: None,
        overview: "A chemistry teacher turns to making meth.",
        imdb_id: "tt0903747",
        tvdb_id: Some(81189),
        seasons: &[(0, 9), (1, 7), (2, 13), (3, 13), (4, 13), (5, 16)],
        plex_key: "5d9c086c7d06d9001ffd29c5",
        vote_count: 15000,
        recommendations: &[1399],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 87108,
        title: "Chernobyl",
        original_title: "Chernobyl",
        date: "2019-05-06",
        genres: &[DRAMA, (10768, "War & Politics")],
        poster: None,
        overview: "The 1986 nuclear disaster and its cover-up.",
        imdb_id: "tt7366338",
        tvdb_id: Some(360893),
        seasons: &[(1, 5)],
        plex_key: "5d9c0ba25fef4d001ec4e2a1",
        vote_count: 6000,
        recommendations: &[70523],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 70523,
        title: "Dark",
        original_title: "Dark",
        date: "2017-12-01",
        genres: &[(80, "Crime"), DRAMA, TV_SCIFI],
        poster: None,
        overview: "Four families search for a missing child across time.",
        imdb_id: "tt5753856",
        tvdb_id: Some(334824),
        seasons: &[(1, 10), (2, 8), (3, 8)],
        plex_key: "5d9c090c23d5a3001f4f5e3b",
        vote_count: 7000,
        recommendations: &[87108],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 68595,
        title: "Planet Earth II",
        original_title: "Planet Earth II",
        date: "2016-11-06",
        genres: &[DOC],
        poster: None,
        overview: "Wildlife of the planet, filmed anew.",
        imdb_id: "tt5491994",
        tvdb_id: Some(318408),
        seasons: &[(1, 6)],
        plex_key: "5d9c08f2ad5437001f7a1b41",
        vote_count: 1500,
        recommendations: &[],
    },
];

pub fn find(kind: Kind, tmdb_id: i64) -> Option<&'static Title> {
    TITLES
        .iter()
        .find(|t| t.kind == kind && t.tmdb_id == tmdb_id)
}

/// TMDb's details object (UPSTREAMS.md 4.4), with `external_ids` when appended.
pub fn tmdb_details(t: &Title, with_external_ids: bool) -> Value {
    let genres: Vec<Value> = t
        .genres
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    let mut v = match t.kind {
        Kind::Movie => json!({
            "id": t.tmdb_id, "title": t.title, "original_title": t.original_title, "release_date": t.date,
            "poster_path": t.poster, "backdrop_path": null, "genres": genres, "overview": t.overview,
            "vote_average": 7.9, "vote_count": t.vote_count, "popularity": 50.0, "runtime": 120,
            "status": "Released", "imdb_id": t.imdb_id, "original_language": "en", "adult": false
        }),
        Kind::Tv => json!({
            "id": t.tmdb_id, "name": t.title, "original_name": t.original_title, "first_air_date": t.date,
            "last_air_date": "", "poster_path": t.poster, "backdrop_path": null, "genres": genres,
            "overview": t.overview, "vote_average": 8.4, "vote_count": t.vote_count,
            "number_of_seasons": t.seasons.iter().filter(|(n, _)| *n > 0).count(),
            "seasons": t.seasons.iter().map(|(n, eps)| json!({
                "id": t.tmdb_id * 100 + n, "season_number": n, "episode_count": eps,
                "name": if *n == 0 { "Specials".to_owned() } else { format!("Season {n}") },
                "air_date": t.date, "poster_path": null
            })).collect::<Vec<_>>(),
            "status": "Ended", "type": "Scripted", "origin_country": ["US"]
        }),
    };
    if with_external_ids {
        v["external_ids"] = match t.kind {
            Kind::Movie => {
                json!({"imdb_id": t.imdb_id, "wikidata_id": null, "facebook_id": null, "instagram_id": null, "twitter_id": null})
            }
            Kind::Tv => json!({"imdb_id": t.imdb_id, "tvdb_id": t.tvdb_id, "wikidata_id": null}),
        };
    }
    v
}

/// A search / recommendations result object (UPSTREAMS.md 4.5): `genre_ids`, not `genres`.
pub fn tmdb_result(t: &Title, with_media_type: bool) -> Value {
    let genre_ids: Vec<i64> = t.genres.iter().map(|(id, _)| *id).collect();
    let mut v = match t.kind {
        Kind::Movie => {
            json!({"id": t.tmdb_id, "title": t.title, "original_title": t.original_title,
            "release_date": t.date, "poster_path": t.poster, "backdrop_path": null, "genre_ids": genre_ids,
            "overview": t.overview, "vote_average": 7.9, "vote_count": t.vote_count, "popularity": 50.0,
            "original_language": "en", "adult": false, "video": false})
        }
        Kind::Tv => json!({"id": t.tmdb_id, "name": t.title, "original_name": t.original_title,
            "first_air_date": t.date, "origin_country": ["US"], "poster_path": t.poster, "backdrop_path": null,
            "genre_ids": genre_ids, "overview": t.overview, "vote_average": 8.4, "vote_count": t.vote_count,
            "popularity": 50.0, "original_language": "en"}),
    };
    if with_media_type {
        v["media_type"] = json!(t.kind.as_str());
    }
    v
}

/// A full dashboard for load and weight measurements: `rows` rows of `per_row` cards on one
/// tab, cycling through the catalogue (ids made unique per card), posters where known.
pub fn sample_rows(kind: Kind, rows: usize, per_row: usize) -> Vec<crate::engine::rows::Row> {
    use crate::engine::rows::{Card, Row};
    let titles: Vec<&Title> = TITLES.iter().filter(|t| t.kind == kind).collect();
    (0..rows)
        .map(|r| Row {
            title: format!("Because you watched {}", titles[r % titles.len()].title),
            reason: "TMDb recommends these to people who liked it".to_owned(),
            cards: (0..per_row)
                .map(|c| {
                    let t = titles[(r * per_row + c) % titles.len()];
                    Card {
                        kind,
                        tmdb_id: 1_000_000 + (r * per_row + c) as i64,
                        title: t.title.to_owned(),
                        year: t.year().and_then(|y| i32::try_from(y).ok()),
                        poster_path: Some(
                            t.poster
                                .unwrap_or("/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg")
                                .to_owned(),
                        ),
                        genres: t.genres.iter().map(|(_, g)| (*g).to_owned()).collect(),
                        overview: t.overview.to_owned(),
                        because: Some(titles[r % titles.len()].title.to_owned()),
                    }
                })
                .collect(),
        })
        .collect()
}
