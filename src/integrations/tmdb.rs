//! TMDb API v3 (docs/upstreams.md, TMDb): details, search, recommendations, discover, find by
//! external id.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::call::Call;
use super::error::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;

/// Longest we wait on a 429 before trying once more.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(5);

/// A TMDb account: a v3 key (sent as `api_key`) or a v4 read token (`eyJ…`, sent as Bearer).
pub struct Tmdb<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub key: &'a str,
    pub timeout: Duration,
    /// TMDb's `language` for titles, overviews and posters (`TMDB_LANGUAGE`, e.g. `fr-FR`).
    pub language: &'a str,
}

/// The language TMDb is asked in when none is configured.
pub const DEFAULT_LANGUAGE: &str = "en-US";

/// What the details call appends (docs/upstreams.md, TMDb 9): ids, trailers, cast and
/// certifications, in one call.
const APPENDED: &str = "external_ids,videos,credits,release_dates,content_ratings";
/// Cast kept with the cached details.
const CAST_KEPT: usize = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Genre {
    pub id: i64,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Season {
    pub season_number: i64,
    #[serde(default)]
    pub episode_count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExternalIds {
    #[serde(default)]
    pub imdb_id: Option<String>,
    #[serde(default)]
    pub tvdb_id: Option<i64>,
}

/// Movie or TV details, under one set of names (`title` is a show's `name`, and so on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub id: i64,
    #[serde(
        alias = "name",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    pub title: String,
    #[serde(
        alias = "original_name",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    pub original_title: String,
    /// `release_date` or `first_air_date`; TMDb sends `""` when unknown.
    #[serde(alias = "first_air_date", default)]
    pub release_date: Option<String>,
    #[serde(default)]
    pub poster_path: Option<String>,
    #[serde(default)]
    pub genres: Vec<Genre>,
    #[serde(default)]
    pub overview: Option<String>,
    #[serde(default)]
    pub vote_count: Option<i64>,
    #[serde(default)]
    pub seasons: Vec<Season>,
    #[serde(default)]
    pub external_ids: Option<ExternalIds>,
    /// Minutes (movies).
    #[serde(default)]
    pub runtime: Option<i64>,
    #[serde(default)]
    pub number_of_seasons: Option<i64>,
    #[serde(default)]
    pub vote_average: Option<f64>,
    #[serde(default)]
    pub videos: Option<Videos>,
    #[serde(default)]
    pub credits: Option<Credits>,
    /// Movies' certifications, by country.
    #[serde(default)]
    pub release_dates: Option<Listed<CountryReleases>>,
    /// Shows' ratings, by country.
    #[serde(default)]
    pub content_ratings: Option<Listed<CountryRating>>,
    /// Ours, not TMDb's: the language these details were fetched in.
    #[serde(default)]
    pub language: Option<String>,
}

/// TMDb's `{"results": [...]}` wrapper of appended lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listed<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

pub type Videos = Listed<Video>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Video {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub site: String,
    #[serde(
        default,
        rename = "type",
        deserialize_with = "crate::integrations::lenient::string"
    )]
    pub kind: String,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credits {
    #[serde(default)]
    pub cast: Vec<CastMember>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CastMember {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub name: String,
    #[serde(default)]
    pub character: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryReleases {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub iso_3166_1: String,
    #[serde(default)]
    pub release_dates: Vec<Release>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub certification: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountryRating {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub iso_3166_1: String,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub rating: String,
}

impl Details {
    /// The US certification (`PG-13`, `TV-14` …), `None` when TMDb has none.
    pub fn certification(&self) -> Option<String> {
        let movie = self.release_dates.as_ref().and_then(|r| {
            r.results
                .iter()
                .filter(|c| c.iso_3166_1 == "US")
                .flat_map(|c| &c.release_dates)
                .map(|r| r.certification.trim())
                .find(|c| !c.is_empty())
        });
        let show = || {
            self.content_ratings.as_ref().and_then(|r| {
                r.results
                    .iter()
                    .filter(|c| c.iso_3166_1 == "US")
                    .map(|c| c.rating.trim())
                    .find(|c| !c.is_empty())
            })
        };
        movie.or_else(show).map(str::to_owned)
    }

    /// The first YouTube trailer, as a link.
    pub fn trailer_url(&self) -> Option<String> {
        self.videos
            .as_ref()?
            .results
            .iter()
            .find(|v| v.site == "YouTube" && v.kind == "Trailer" && is_video_key(&v.key))
            .map(|v| format!("https://www.youtube.com/watch?v={}", v.key))
    }

    /// The top of the cast, in TMDb's billing order.
    pub fn top_cast(&self) -> Vec<String> {
        self.credits
            .as_ref()
            .map(|c| {
                c.cast
                    .iter()
                    .take(CAST_KEPT)
                    .map(|m| m.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether these came with the appended parts (details cached before did not).
    pub fn has_extras(&self) -> bool {
        self.videos.is_some()
    }

    /// Keeps what we show, so the cache stays small: US certifications, one trailer, the top
    /// of the cast.
    fn trim(&mut self) {
        if let Some(dates) = &mut self.release_dates {
            dates.results.retain(|c| c.iso_3166_1 == "US");
        }
        if let Some(ratings) = &mut self.content_ratings {
            ratings.results.retain(|c| c.iso_3166_1 == "US");
        }
        if let Some(videos) = &mut self.videos {
            videos
                .results
                .retain(|v| v.site == "YouTube" && v.kind == "Trailer");
            videos.results.truncate(1);
        }
        if let Some(credits) = &mut self.credits {
            credits.cast.truncate(CAST_KEPT);
        }
    }

    pub fn year(&self) -> Option<i32> {
        year_of(self.release_date.as_deref())
    }
}

/// One result of a search or recommendations list (`genre_ids`, not `genres`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub id: i64,
    #[serde(
        alias = "name",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    pub title: String,
    #[serde(
        alias = "original_name",
        default,
        deserialize_with = "crate::integrations::lenient::string"
    )]
    pub original_title: String,
    #[serde(alias = "first_air_date", default)]
    pub release_date: Option<String>,
    #[serde(default)]
    pub poster_path: Option<String>,
    #[serde(default)]
    pub genre_ids: Vec<i64>,
    #[serde(default)]
    pub vote_count: Option<i64>,
    #[serde(default)]
    pub overview: Option<String>,
}

impl Summary {
    pub fn year(&self) -> Option<i32> {
        year_of(self.release_date.as_deref())
    }
}

/// A YouTube id is short and URL-safe; anything else is not linked.
fn is_video_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 32
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn year_of(date: Option<&str>) -> Option<i32> {
    date.and_then(|d| d.get(..4)).and_then(|y| y.parse().ok())
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    results: Vec<Summary>,
}

/// `/find` results that matter to us.
#[derive(Debug, Default, Deserialize)]
pub struct Found {
    #[serde(default)]
    pub movie_results: Vec<Summary>,
    #[serde(default)]
    pub tv_results: Vec<Summary>,
}

/// Which external id `/find` should look up.
#[derive(Debug, Clone, Copy)]
pub enum ExternalSource {
    Imdb,
    Tvdb,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    status_message: String,
}

impl Tmdb<'_> {
    fn is_bearer(&self) -> bool {
        self.key.starts_with("eyJ")
    }

    /// GET `path` with `params`, authenticating by the key's form; retries once after a 429.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        if self.key.is_empty() {
            return Err(UpstreamError::not_configured(Service::Tmdb));
        }
        let secrets = [self.key];
        let call = Call {
            service: Service::Tmdb,
            base: self.base,
            secrets: &secrets,
            timeout: self.timeout,
        };
        let mut query: Vec<(&str, &str)> = params.to_vec();
        if !self.is_bearer() {
            query.push(("api_key", self.key));
        }
        let query = serde_urlencoded::to_string(&query)
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))?;
        let url = format!("{}{path}?{query}", self.base);
        for attempt in 0..2 {
            let mut request = self
                .http
                .get(&url)
                .insert_header(("Accept", "application/json"));
            if self.is_bearer() {
                request = request.insert_header(("Authorization", format!("Bearer {}", self.key)));
            }
            let answer = call.send(request, None).await?;
            let message = || {
                serde_json::from_slice::<ErrorBody>(&answer.body)
                    .map(|b| super::error::scrub(&b.status_message, call.secrets))
                    .unwrap_or_default()
            };
            return match answer.status {
                200 => call.parse(&answer.body),
                401 => Err(call.error(UpstreamErrorKind::KeyRefused)),
                404 => Err(call.error(UpstreamErrorKind::NotFound)),
                429 if attempt == 0 => {
                    let wait =
                        Duration::from_secs(answer.retry_after.unwrap_or(1)).min(MAX_RETRY_WAIT);
                    actix_web::rt::time::sleep(wait).await;
                    continue;
                }
                429 => Err(call.error(UpstreamErrorKind::RateLimited {
                    retry_after: answer.retry_after,
                })),
                status => Err(call.error(UpstreamErrorKind::Failed {
                    status,
                    message: message(),
                })),
            };
        }
        Err(call.error(UpstreamErrorKind::RateLimited { retry_after: None }))
    }

    fn language(&self) -> &str {
        if self.language.is_empty() {
            DEFAULT_LANGUAGE
        } else {
            self.language
        }
    }

    /// `/movie/{id}` or `/tv/{id}` with ids, trailers, cast and certifications appended, in
    /// the configured language. TMDb filters the appended videos by that language, so English
    /// ones are asked for too (`include_video_language`, as Overseerr does): most titles have
    /// only an English trailer.
    pub async fn details(&self, kind: Kind, id: i64) -> Result<Details, UpstreamError> {
        let language = self.language();
        let video_languages = match language.split('-').next() {
            Some(lang) if !lang.is_empty() && lang != "en" => format!("{lang},en"),
            _ => "en".to_owned(),
        };
        let mut details: Details = self
            .get(
                &format!("/{kind}/{id}"),
                &[
                    ("append_to_response", APPENDED),
                    ("language", language),
                    ("include_video_language", &video_languages),
                ],
            )
            .await?;
        details.trim();
        details.language = Some(self.language().to_owned());
        Ok(details)
    }

    /// Whether cached `details` can stand for a fetch now: same language, extras included.
    pub fn still_fits(&self, details: &Details) -> bool {
        details.has_extras() && details.language.as_deref() == Some(self.language())
    }

    /// `/search/movie` or `/search/tv`, first page, narrowed to `year` when given.
    pub async fn search(
        &self,
        kind: Kind,
        query: &str,
        year: Option<i32>,
    ) -> Result<Vec<Summary>, UpstreamError> {
        let year = year.map(|y| y.to_string());
        let mut params = vec![
            ("query", query),
            ("include_adult", "false"),
            ("language", self.language()),
            ("page", "1"),
        ];
        if let Some(year) = year.as_deref() {
            params.push((
                if kind == Kind::Movie {
                    "primary_release_year"
                } else {
                    "first_air_date_year"
                },
                year,
            ));
        }
        Ok(self
            .get::<Page>(&format!("/search/{kind}"), &params)
            .await?
            .results)
    }

    /// TMDb's recommendations for a title (first page).
    pub async fn recommendations(
        &self,
        kind: Kind,
        id: i64,
    ) -> Result<Vec<Summary>, UpstreamError> {
        Ok(self
            .get::<Page>(
                &format!("/{kind}/{id}/recommendations"),
                &[("language", self.language()), ("page", "1")],
            )
            .await?
            .results)
    }

    /// Titles TMDb finds similar (first page).
    pub async fn similar(&self, kind: Kind, id: i64) -> Result<Vec<Summary>, UpstreamError> {
        Ok(self
            .get::<Page>(
                &format!("/{kind}/{id}/similar"),
                &[("language", self.language()), ("page", "1")],
            )
            .await?
            .results)
    }

    /// `/discover/movie` or `/discover/tv` for one genre, the most voted first (first page).
    pub async fn discover(&self, kind: Kind, genre: i64) -> Result<Vec<Summary>, UpstreamError> {
        let genre = genre.to_string();
        Ok(self
            .get::<Page>(
                &format!("/discover/{kind}"),
                &[
                    ("with_genres", genre.as_str()),
                    ("sort_by", "vote_count.desc"),
                    ("include_adult", "false"),
                    ("language", self.language()),
                    ("page", "1"),
                ],
            )
            .await?
            .results)
    }

    /// `/discover/{kind}`, most voted first, within a US certification (`certification.lte`,
    /// movies and shows alike), optionally of a genre.
    pub async fn discover_within(
        &self,
        kind: Kind,
        certification: &str,
        genre: Option<i64>,
    ) -> Result<Vec<Summary>, UpstreamError> {
        let genre = genre.map(|g| g.to_string());
        let mut params = vec![
            ("certification_country", "US"),
            ("certification.lte", certification),
            ("sort_by", "vote_count.desc"),
            ("include_adult", "false"),
            ("language", self.language()),
            ("page", "1"),
        ];
        if let Some(genre) = &genre {
            params.push(("with_genres", genre.as_str()));
        }
        Ok(self
            .get::<Page>(&format!("/discover/{kind}"), &params)
            .await?
            .results)
    }

    /// `/find/{id}` by IMDb or TVDB id.
    pub async fn find(&self, source: ExternalSource, id: &str) -> Result<Found, UpstreamError> {
        let source = match source {
            ExternalSource::Imdb => "imdb_id",
            ExternalSource::Tvdb => "tvdb_id",
        };
        self.get(&format!("/find/{id}"), &[("external_source", source)])
            .await
    }
}
