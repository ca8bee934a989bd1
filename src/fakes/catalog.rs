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
        recommendations: &[
            109445, 277834, 354912, 150540, 862, 12, 14160, 269149, 116149,
        ],
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
        recommendations: &[682110, 80767],
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
        recommendations: &[83880],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 550,
        title: "Fight Club",
        original_title: "Fight Club",
        date: "1999-10-15",
        genres: &[DRAMA],
        poster: None,
        overview: "An insomniac and a soap maker start an underground club.",
        imdb_id: "tt0137523",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776826880197001ec96f10",
        vote_count: 29000,
        recommendations: &[680, 155, 603],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 680,
        title: "Pulp Fiction",
        original_title: "Pulp Fiction",
        date: "1994-09-10",
        genres: &[(53, "Thriller"), (80, "Crime")],
        poster: None,
        overview: "Intertwined stories of crime in Los Angeles.",
        imdb_id: "tt0110912",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776826961905001eb91e41",
        vote_count: 27000,
        recommendations: &[550, 238, 155],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 155,
        title: "The Dark Knight",
        original_title: "The Dark Knight",
        date: "2008-07-16",
        genres: &[DRAMA, ACTION, (80, "Crime")],
        poster: None,
        overview: "Batman faces the Joker.",
        imdb_id: "tt0468569",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d7768280a7afa001f6c49a9",
        vote_count: 32000,
        recommendations: &[27205, 550, 157336],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 278,
        title: "The Shawshank Redemption",
        original_title: "The Shawshank Redemption",
        date: "1994-09-23",
        genres: &[DRAMA, (80, "Crime")],
        poster: None,
        overview: "Two prisoners find hope across the years.",
        imdb_id: "tt0111161",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776825880197001ec96719",
        vote_count: 26000,
        recommendations: &[238, 13, 680],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 238,
        title: "The Godfather",
        original_title: "The Godfather",
        date: "1972-03-14",
        genres: &[DRAMA, (80, "Crime")],
        poster: None,
        overview: "The aging patriarch of a crime dynasty hands over.",
        imdb_id: "tt0068646",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776825eb5d26001f1dfd45",
        vote_count: 20000,
        recommendations: &[278, 680],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 13,
        title: "Forrest Gump",
        original_title: "Forrest Gump",
        date: "1994-06-23",
        genres: &[DRAMA, (10749, "Romance")],
        poster: None,
        overview: "A kind man witnesses decades of history.",
        imdb_id: "tt0109830",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776824103a2d001f563a4c",
        vote_count: 27000,
        recommendations: &[278, 550],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 129,
        title: "Spirited Away",
        original_title: "千と千尋の神隠し",
        date: "2001-07-20",
        genres: &[(16, "Animation"), (10751, "Family"), (14, "Fantasy")],
        poster: None,
        overview: "A girl wanders into a world of spirits.",
        imdb_id: "tt0245429",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776826eb5d26001f1e0a63",
        vote_count: 16000,
        recommendations: &[330457, 8392, 16859],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 496243,
        title: "Parasite",
        original_title: "기생충",
        date: "2019-05-30",
        genres: &[(35, "Comedy"), (53, "Thriller"), DRAMA],
        poster: None,
        overview: "A poor family schemes into a rich household.",
        imdb_id: "tt6751668",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776d1847dd6e001f6f002f",
        vote_count: 18000,
        recommendations: &[680, 550],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 120,
        title: "The Lord of the Rings: The Fellowship of the Ring",
        original_title: "The Lord of the Rings: The Fellowship of the Ring",
        date: "2001-12-18",
        genres: &[(12, "Adventure"), (14, "Fantasy"), ACTION],
        poster: None,
        overview: "A hobbit sets out to destroy a ring.",
        imdb_id: "tt0120737",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776826e6d55c002040bd10",
        vote_count: 25000,
        recommendations: &[438631, 129],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 66732,
        title: "Stranger Things",
        original_title: "Stranger Things",
        date: "2016-07-15",
        genres: &[DRAMA, TV_SCIFI, (9648, "Mystery")],
        poster: None,
        overview: "Kids face monsters from another dimension.",
        imdb_id: "tt4574334",
        tvdb_id: None,
        seasons: &[(1, 8), (2, 9), (3, 8), (4, 9)],
        plex_key: "5d9c08b06c4b8c001f6b0c47",
        vote_count: 17000,
        recommendations: &[70523, 94605],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 1668,
        title: "Friends",
        original_title: "Friends",
        date: "1994-09-22",
        genres: &[(35, "Comedy")],
        poster: None,
        overview: "Six friends in New York.",
        imdb_id: "tt0108778",
        tvdb_id: None,
        seasons: &[(0, 4), (1, 24), (2, 24), (3, 25)],
        plex_key: "5d9c08b1ba6eb9001fba4bd0",
        vote_count: 8000,
        recommendations: &[2316, 82728, 246, 15260],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 2316,
        title: "The Office",
        original_title: "The Office",
        date: "2005-03-24",
        genres: &[(35, "Comedy")],
        poster: None,
        overview: "Life at a paper company in Scranton.",
        imdb_id: "tt0386676",
        tvdb_id: None,
        seasons: &[(1, 6), (2, 22), (3, 23)],
        plex_key: "5d9c086fe9d5a1001f4fa3e4",
        vote_count: 4000,
        recommendations: &[1668],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 60574,
        title: "Peaky Blinders",
        original_title: "Peaky Blinders",
        date: "2013-09-12",
        genres: &[DRAMA, (80, "Crime")],
        poster: None,
        overview: "A Birmingham gang after the Great War.",
        imdb_id: "tt2442560",
        tvdb_id: None,
        seasons: &[(1, 6), (2, 6), (3, 6), (4, 6)],
        plex_key: "5d9c08d9ffd9ef001e99c9f1",
        vote_count: 9000,
        recommendations: &[1396, 1398],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 1398,
        title: "The Sopranos",
        original_title: "The Sopranos",
        date: "1999-01-10",
        genres: &[DRAMA, (80, "Crime")],
        poster: None,
        overview: "A mob boss sees a psychiatrist.",
        imdb_id: "tt0141842",
        tvdb_id: None,
        seasons: &[(1, 13), (2, 13), (3, 13)],
        plex_key: "5d9c086f23d5a3001f4f1b10",
        vote_count: 3000,
        recommendations: &[1396, 60574],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 94605,
        title: "Arcane",
        original_title: "Arcane",
        date: "2021-11-06",
        genres: &[(16, "Animation"), TV_SCIFI],
        poster: None,
        overview: "Two sisters on opposite sides of a war.",
        imdb_id: "tt11126994",
        tvdb_id: None,
        seasons: &[(1, 9), (2, 9)],
        plex_key: "5e162ff8b4c9d2003f4f2c75",
        vote_count: 4000,
        recommendations: &[66732, 246, 40075],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 100088,
        title: "The Last of Us",
        original_title: "The Last of Us",
        date: "2023-01-15",
        genres: &[DRAMA],
        poster: None,
        overview: "A smuggler escorts a girl across a ruined America.",
        imdb_id: "tt3581920",
        tvdb_id: None,
        seasons: &[(1, 9), (2, 7)],
        plex_key: "5e3f2b4f8b7f6a001e0c1d2e",
        vote_count: 5000,
        recommendations: &[1399, 66732],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 82856,
        title: "The Mandalorian",
        original_title: "The Mandalorian",
        date: "2019-11-12",
        genres: &[TV_SCIFI, (10759, "Action & Adventure")],
        poster: None,
        overview: "A bounty hunter and a foundling.",
        imdb_id: "tt8111088",
        tvdb_id: None,
        seasons: &[(1, 8), (2, 8), (3, 8)],
        plex_key: "5d9c0925ba6eb9001fbb27a4",
        vote_count: 9000,
        recommendations: &[1399, 100088],
    },
    // Documentaries beyond the two above, so a tab the AI leaves short can be filled.
    Title {
        kind: Kind::Movie,
        tmdb_id: 682110,
        title: "My Octopus Teacher",
        original_title: "My Octopus Teacher",
        date: "2020-09-07",
        genres: &[DOC],
        poster: None,
        overview: "A filmmaker forges a friendship with an octopus in a South African kelp forest.",
        imdb_id: "tt12888462",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5f6b1c2d3e4f5a6b7c8d9e01",
        vote_count: 1400,
        recommendations: &[515042],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 80767,
        title: "Jiro Dreams of Sushi",
        original_title: "Jiro Dreams of Sushi",
        date: "2011-06-11",
        genres: &[DOC],
        poster: None,
        overview: "An 85-year-old sushi master and his quest for the perfect piece.",
        imdb_id: "tt1772925",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5d776a8b96b655001fdf2c11",
        vote_count: 900,
        recommendations: &[],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 83880,
        title: "Our Planet",
        original_title: "Our Planet",
        date: "2019-04-05",
        genres: &[DOC],
        poster: None,
        overview: "The natural wonders that remain, and what we must preserve.",
        imdb_id: "tt9253866",
        tvdb_id: Some(355315),
        seasons: &[(1, 8), (2, 4)],
        plex_key: "5d9c0918e98e47001eb2e5c2",
        vote_count: 1100,
        recommendations: &[68595],
    },
    // Family titles within PG: a kid's tabs are as full as anyone's (docs/recommendations.md
    // "Rating limits"). Added last, so the older titles keep their places in every list.
    Title {
        kind: Kind::Movie,
        tmdb_id: 862,
        title: "Toy Story",
        original_title: "Toy Story",
        date: "1995-10-30",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0114709",
        tvdb_id: None,
        seasons: &[],
        plex_key: "b87498745f13ab2c30f8c3c4",
        vote_count: 18000,
        recommendations: &[863, 585, 12],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 863,
        title: "Toy Story 2",
        original_title: "Toy Story 2",
        date: "1999-10-30",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0120363",
        tvdb_id: None,
        seasons: &[],
        plex_key: "0a9f533d326ede4522505e8f",
        vote_count: 13000,
        recommendations: &[862, 585],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 585,
        title: "Monsters, Inc.",
        original_title: "Monsters, Inc.",
        date: "2001-11-01",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0198781",
        tvdb_id: None,
        seasons: &[],
        plex_key: "a762e6d3fee2fef26af9f024",
        vote_count: 17000,
        recommendations: &[862, 14160],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 12,
        title: "Finding Nemo",
        original_title: "Finding Nemo",
        date: "2003-05-30",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0266543",
        tvdb_id: None,
        seasons: &[],
        plex_key: "51beed9493a2f29f731e2146",
        vote_count: 18500,
        recommendations: &[585, 10681],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 10681,
        title: "WALL·E",
        original_title: "WALL·E",
        date: "2008-06-22",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0910970",
        tvdb_id: None,
        seasons: &[],
        plex_key: "7daf4515edb667ff0a97fd08",
        vote_count: 17500,
        recommendations: &[14160, 12],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 14160,
        title: "Up",
        original_title: "Up",
        date: "2009-05-28",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt1049413",
        tvdb_id: None,
        seasons: &[],
        plex_key: "d7efa1f4e87577eeed295410",
        vote_count: 19000,
        recommendations: &[10681, 150540],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 2062,
        title: "Ratatouille",
        original_title: "Ratatouille",
        date: "2007-06-22",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0382932",
        tvdb_id: None,
        seasons: &[],
        plex_key: "d6b4a67bea5535714c489f64",
        vote_count: 16000,
        recommendations: &[862, 12],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 150540,
        title: "Inside Out",
        original_title: "Inside Out",
        date: "2015-06-09",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt2096673",
        tvdb_id: None,
        seasons: &[],
        plex_key: "d30b71446cf073974383c569",
        vote_count: 20000,
        recommendations: &[354912, 14160],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 354912,
        title: "Coco",
        original_title: "Coco",
        date: "2017-10-27",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt2380307",
        tvdb_id: None,
        seasons: &[],
        plex_key: "004d5eac795a333749c126e9",
        vote_count: 19500,
        recommendations: &[150540, 277834],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 277834,
        title: "Moana",
        original_title: "Moana",
        date: "2016-10-13",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt3521164",
        tvdb_id: None,
        seasons: &[],
        plex_key: "c2fd4fde8cc0766a6486b5d3",
        vote_count: 12000,
        recommendations: &[109445, 354912],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 109445,
        title: "Frozen",
        original_title: "Frozen",
        date: "2013-11-20",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt2294629",
        tvdb_id: None,
        seasons: &[],
        plex_key: "4c410a7b69bf3371141b901d",
        vote_count: 16500,
        recommendations: &[330457, 277834],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 269149,
        title: "Zootopia",
        original_title: "Zootopia",
        date: "2016-02-11",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt2948356",
        tvdb_id: None,
        seasons: &[],
        plex_key: "da8b21d13794eb5c86744403",
        vote_count: 15500,
        recommendations: &[150540, 277834],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 8392,
        title: "My Neighbor Totoro",
        original_title: "My Neighbor Totoro",
        date: "1988-04-16",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0096283",
        tvdb_id: None,
        seasons: &[],
        plex_key: "fd1d157c661e50574d21f29a",
        vote_count: 8500,
        recommendations: &[129, 16859],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 16859,
        title: "Kiki's Delivery Service",
        original_title: "Kiki's Delivery Service",
        date: "1989-07-29",
        genres: &[(16, "Animation"), (10751, "Family")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0097814",
        tvdb_id: None,
        seasons: &[],
        plex_key: "6d07319546391bd762e00e9a",
        vote_count: 4500,
        recommendations: &[8392, 129],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 116149,
        title: "Paddington",
        original_title: "Paddington",
        date: "2014-11-24",
        genres: &[(10751, "Family"), (35, "Comedy")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt1109624",
        tvdb_id: None,
        seasons: &[],
        plex_key: "68fa92f8f1ad6e28cf39dff7",
        vote_count: 6000,
        recommendations: &[346648],
    },
    Title {
        kind: Kind::Movie,
        tmdb_id: 346648,
        title: "Paddington 2",
        original_title: "Paddington 2",
        date: "2017-11-09",
        genres: &[(10751, "Family"), (35, "Comedy")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt4468740",
        tvdb_id: None,
        seasons: &[],
        plex_key: "5c58f2103261e5f8dcae7ea6",
        vote_count: 4800,
        recommendations: &[116149],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 82728,
        title: "Bluey",
        original_title: "Bluey",
        date: "2018-10-01",
        genres: &[(16, "Animation"), (10762, "Kids")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt7678620",
        tvdb_id: None,
        seasons: &[(1, 20), (2, 20), (3, 20)],
        plex_key: "f9e6024fb564a6d3aef292ec",
        vote_count: 900,
        recommendations: &[246],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 246,
        title: "Avatar: The Last Airbender",
        original_title: "Avatar: The Last Airbender",
        date: "2005-02-21",
        genres: &[(16, "Animation"), (10762, "Kids")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt0417299",
        tvdb_id: None,
        seasons: &[(1, 20), (2, 20), (3, 20)],
        plex_key: "7c08d3c356b144882e0b16fc",
        vote_count: 4200,
        recommendations: &[40075, 82728],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 40075,
        title: "Gravity Falls",
        original_title: "Gravity Falls",
        date: "2012-06-15",
        genres: &[(16, "Animation"), (10762, "Kids")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt1865718",
        tvdb_id: None,
        seasons: &[(1, 20), (2, 20), (3, 20)],
        plex_key: "c80e010fec6c080267049b1b",
        vote_count: 3500,
        recommendations: &[246, 15260],
    },
    Title {
        kind: Kind::Tv,
        tmdb_id: 15260,
        title: "Adventure Time",
        original_title: "Adventure Time",
        date: "2010-04-05",
        genres: &[(16, "Animation"), (10762, "Kids")],
        poster: None,
        overview: "A family favourite.",
        imdb_id: "tt1305826",
        tvdb_id: None,
        seasons: &[(1, 20), (2, 20), (3, 20)],
        plex_key: "283516f2303ca461e22c2556",
        vote_count: 2800,
        recommendations: &[40075],
    },
];
pub fn find(kind: Kind, tmdb_id: i64) -> Option<&'static Title> {
    TITLES
        .iter()
        .find(|t| t.kind == kind && t.tmdb_id == tmdb_id)
}

/// The title's US certification as TMDb lists it (docs/upstreams.md, TMDb 9); `""` where TMDb
/// has none (My Octopus Teacher here, to show an unrated title).
pub fn certification(t: &Title) -> &'static str {
    match (t.kind, t.tmdb_id) {
        (Kind::Movie, 603 | 335984 | 300668 | 264660 | 550 | 680 | 278 | 238 | 496243) => "R",
        (Kind::Movie, 862 | 863 | 585 | 12 | 10681 | 2062 | 8392 | 16859) => "G",
        (Kind::Movie, 841 | 330457 | 129 | 80767 | 14160 | 150540 | 354912 | 277834 | 109445) => {
            "PG"
        }
        (Kind::Movie, 269149 | 116149 | 346648) => "PG",
        (Kind::Movie, 682110) => "",
        (Kind::Movie, _) => "PG-13",
        (Kind::Tv, 68595 | 83880) => "TV-G",
        (Kind::Tv, 1668 | 15260) => "TV-PG",
        (Kind::Tv, 82728) => "TV-Y",
        (Kind::Tv, 246 | 40075) => "TV-Y7",
        (Kind::Tv, 66732 | 2316 | 94605 | 82856) => "TV-14",
        (Kind::Tv, _) => "TV-MA",
    }
}

/// French titles TMDb gives for `language=fr-FR`, where they differ; other titles keep theirs.
fn french_title(t: &Title) -> Option<&'static str> {
    Some(match (t.kind, t.tmdb_id) {
        (Kind::Movie, 603) => "Matrix",
        (Kind::Movie, 329865) => "Premier Contact",
        (Kind::Movie, 278) => "Les Évadés",
        (Kind::Movie, 238) => "Le Parrain",
        (Kind::Movie, 129) => "Le Voyage de Chihiro",
        (Kind::Movie, 330457) => "La Reine des neiges II",
        (Kind::Movie, 120) => "Le Seigneur des anneaux : La Communauté de l'anneau",
        (Kind::Movie, 155) => "The Dark Knight : Le Chevalier noir",
        (Kind::Movie, 682110) => "La Sagesse de la pieuvre",
        (Kind::Movie, 300668) => "Annihilation",
        (Kind::Tv, 1399) => "Le Trône de fer",
        _ => return None,
    })
}

/// The title and overview in `language` (TMDb falls back to the original where it has no
/// translation; the fake translates into French only).
pub fn localized(t: &Title, language: &str) -> (&'static str, String) {
    if language.starts_with("fr") {
        let title = french_title(t).unwrap_or(t.title);
        (title, format!("(fr) {}", t.overview))
    } else {
        (t.title, t.overview.to_owned())
    }
}

/// TMDb's details object (docs/upstreams.md, TMDb), with `external_ids` when appended.
pub fn tmdb_details(t: &Title, with_external_ids: bool) -> Value {
    let appended: &[&str] = if with_external_ids {
        &["external_ids"]
    } else {
        &[]
    };
    tmdb_details_with(t, appended, "en-US")
}

/// TMDb's details object with the `append_to_response` parts asked for, in `language`.
pub fn tmdb_details_with(t: &Title, appended: &[&str], language: &str) -> Value {
    let with_external_ids = appended.contains(&"external_ids");
    let (title, overview) = localized(t, language);
    let genres: Vec<Value> = t
        .genres
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    let mut v = match t.kind {
        Kind::Movie => json!({
            "id": t.tmdb_id, "title": title, "original_title": t.original_title, "release_date": t.date,
            "poster_path": t.poster, "backdrop_path": null, "genres": genres, "overview": overview,
            "vote_average": 7.9, "vote_count": t.vote_count, "popularity": 50.0, "runtime": 120,
            "status": "Released", "imdb_id": t.imdb_id, "original_language": "en", "adult": false
        }),
        Kind::Tv => json!({
            "id": t.tmdb_id, "name": title, "original_name": t.original_title, "first_air_date": t.date,
            "last_air_date": "", "poster_path": t.poster, "backdrop_path": null, "genres": genres,
            "overview": overview, "vote_average": 8.4, "vote_count": t.vote_count,
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
    if appended.contains(&"videos") {
        v["videos"] = json!({"results": [
            {"iso_639_1": "en", "iso_3166_1": "US", "name": "Featurette", "key": format!("feat{}", t.tmdb_id),
             "site": "YouTube", "size": 1080, "type": "Featurette", "official": true, "id": "f1"},
            {"iso_639_1": "en", "iso_3166_1": "US", "name": "Official Trailer", "key": format!("tr{:09}", t.tmdb_id),
             "site": "YouTube", "size": 1080, "type": "Trailer", "official": true, "id": "t1"}
        ]});
    }
    if appended.contains(&"credits") {
        let cast: Vec<Value> = (1..=5)
            .map(|n| json!({"id": t.tmdb_id * 10 + n, "name": format!("Actor {n} of {}", t.title),
                            "character": format!("Role {n}"), "order": n - 1, "known_for_department": "Acting"}))
            .collect();
        v["credits"] = json!({"cast": cast, "crew": [{"name": "A Director", "job": "Director"}]});
    }
    let certification = certification(t);
    if t.kind == Kind::Movie && appended.contains(&"release_dates") {
        v["release_dates"] = json!({"results": [
            {"iso_3166_1": "FR", "release_dates": [{"certification": "", "type": 3, "release_date": t.date}]},
            {"iso_3166_1": "US", "release_dates": [
                {"certification": "", "type": 1, "release_date": t.date, "note": "Premiere"},
                {"certification": certification, "type": 3, "release_date": t.date, "note": ""}
            ]}
        ]});
    }
    if t.kind == Kind::Tv && appended.contains(&"content_ratings") {
        let us = if certification.is_empty() {
            Vec::new()
        } else {
            vec![json!({"descriptors": [], "iso_3166_1": "US", "rating": certification})]
        };
        let mut results = vec![json!({"descriptors": [], "iso_3166_1": "DE", "rating": "16"})];
        results.extend(us);
        v["content_ratings"] = json!({"results": results});
    }
    v
}

/// A search / recommendations result object (docs/upstreams.md, TMDb): `genre_ids`, not `genres`.
pub fn tmdb_result(t: &Title, with_media_type: bool) -> Value {
    tmdb_result_in(t, with_media_type, "en-US")
}

/// The same, in `language`.
pub fn tmdb_result_in(t: &Title, with_media_type: bool, language: &str) -> Value {
    let (title, overview) = localized(t, language);
    let genre_ids: Vec<i64> = t.genres.iter().map(|(id, _)| *id).collect();
    let mut v = match t.kind {
        Kind::Movie => {
            json!({"id": t.tmdb_id, "title": title, "original_title": t.original_title,
            "release_date": t.date, "poster_path": t.poster, "backdrop_path": null, "genre_ids": genre_ids,
            "overview": overview, "vote_average": 7.9, "vote_count": t.vote_count, "popularity": 50.0,
            "original_language": "en", "adult": false, "video": false})
        }
        Kind::Tv => json!({"id": t.tmdb_id, "name": title, "original_name": t.original_title,
            "first_air_date": t.date, "origin_country": ["US"], "poster_path": t.poster, "backdrop_path": null,
            "genre_ids": genre_ids, "overview": overview, "vote_average": 8.4, "vote_count": t.vote_count,
            "popularity": 50.0, "original_language": "en"}),
    };
    if with_media_type {
        v["media_type"] = json!(t.kind.as_str());
    }
    v
}

/// The deep link Overseerr's `mediaInfo.plexUrl` gives for a title on the owner's Plex.
pub fn plex_url(tmdb_id: i64) -> String {
    format!(
        "https://app.plex.tv/desktop#!/server/0123456789abcdef/details?key=%2Flibrary%2Fmetadata%2F{}",
        1000 + tmdb_id
    )
}

/// Marks `count` of [`sample_rows`]' movies available on Plex, each with Overseerr's link, so
/// the page opens with "On your Plex now".
pub fn sample_on_plex(conn: &mut impl crate::db::Writable, count: i64) -> diesel::QueryResult<()> {
    for n in 0..count {
        let id = 1_000_000 + n * 5;
        let link = plex_url(id);
        crate::db::cache::put_availability_linked(
            conn,
            crate::media::Kind::Movie,
            id,
            "available",
            Some(&link),
            crate::db::now(),
        )?;
    }
    Ok(())
}

/// The full dashboard the benches and the page-weight test store: 6 rows of 8 cards on each
/// tab, as (tab slug, rows JSON) pairs for `db::recommendations::replace`.
pub fn full_dashboard_tabs() -> Result<Vec<(&'static str, String)>, serde_json::Error> {
    [
        ("movies", Kind::Movie),
        ("tv", Kind::Tv),
        ("documentaries", Kind::Movie),
    ]
    .into_iter()
    .map(|(tab, kind)| Ok((tab, serde_json::to_string(&sample_rows(kind, 6, 8))?)))
    .collect()
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
                        genre_ids: t.genres.iter().map(|(id, _)| *id).collect(),
                        overview: t.overview.to_owned(),
                        because: Some(titles[r % titles.len()].title.to_owned()),
                        certification: Some(certification(t).to_owned()).filter(|c| !c.is_empty()),
                    }
                })
                .collect(),
            filled: false,
        })
        .collect()
}
