//! What a title is: TMDb's kind (movie or TV show) and id. A TMDb id means nothing without its
//! kind: movie 1399 and TV 1399 are different titles.

use std::fmt;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::Sqlite;

/// Stored as its text (`movie`, `tv`), which the tables' CHECKs hold to these two.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    AsExpression,
    FromSqlRow,
)]
#[serde(rename_all = "lowercase")]
#[diesel(sql_type = Text)]
pub enum Kind {
    Movie,
    Tv,
}

impl Kind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "movie" => Some(Self::Movie),
            "tv" => Some(Self::Tv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Movie => "movie",
            Self::Tv => "tv",
        }
    }
}

impl FromSql<Text, Sqlite> for Kind {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
        Self::parse(&text).ok_or_else(|| format!("unknown kind {text:?}").into())
    }
}

impl ToSql<Text, Sqlite> for Kind {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.as_str());
        Ok(IsNull::No)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// TMDb's genre id for documentaries, the same for movies and TV.
pub const DOCUMENTARY_GENRE: i64 = 99;

/// The dashboard's tabs, in order.
pub const TABS: [Tab; 3] = [Tab::Movies, Tab::Tv, Tab::Documentaries];

/// One tab of the dashboard: documentaries (genre 99) get their own, whatever their kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Movies,
    Tv,
    Documentaries,
}

impl Tab {
    pub const ALL: [Tab; 3] = TABS;

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == raw)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Movies => "movies",
            Tab::Tv => "tv",
            Tab::Documentaries => "documentaries",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Movies => "Movies",
            Tab::Tv => "TV",
            Tab::Documentaries => "Documentaries",
        }
    }
}

impl Tab {
    /// The tab a title belongs on.
    pub fn of(kind: Kind, genre_ids: impl IntoIterator<Item = i64>) -> Self {
        if genre_ids.into_iter().any(|g| g == DOCUMENTARY_GENRE) {
            Tab::Documentaries
        } else if kind == Kind::Tv {
            Tab::Tv
        } else {
            Tab::Movies
        }
    }
}
