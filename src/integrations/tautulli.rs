//! Tautulli API v2 (docs/upstreams.md, Tautulli): one envelope, errors as HTTP 400 with `result: error`.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::call::Call;
use super::error::{Service, UpstreamError, UpstreamErrorKind};
use super::lenient;
use crate::media::Kind;

/// A Tautulli install: its URL as opened in a browser (HTTP root included) and API key.
pub struct Tautulli<'a> {
    pub http: &'a awc::Client,
    pub base: &'a str,
    pub api_key: &'a str,
    pub timeout: std::time::Duration,
}

#[derive(Deserialize)]
struct Envelope {
    response: EnvelopeBody,
}

#[derive(Deserialize)]
struct EnvelopeBody {
    result: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    data: serde_json::Value,
}

/// A row of `get_users`. `user_id` is the Plex account id; 0 is the built-in `Local` user.
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub is_active: Option<i64>,
    /// The owner's share restrictions on plex.tv (`contentRating=G%2CPG`); empty: none.
    #[serde(default, deserialize_with = "lenient::string")]
    pub filter_movies: String,
    #[serde(default, deserialize_with = "lenient::string")]
    pub filter_tv: String,
}

impl User {
    /// The rating limit the owner's restriction on plex.tv means for him (`crate::ratings`).
    pub fn plex_rating_limit(&self) -> Option<&'static str> {
        crate::ratings::from_plex_filters(&[&self.filter_movies, &self.filter_tv])
    }
}

impl User {
    /// A real, active account of the server (never the `Local` user).
    pub fn is_active_account(&self) -> bool {
        self.is_active == Some(1) && self.user_id.is_some_and(|id| id > 0)
    }
}

impl Tautulli<'_> {
    /// Runs `cmd` and returns its `data`, checking `response.result` whatever the HTTP status.
    async fn command<T: DeserializeOwned>(
        &self,
        cmd: &str,
        params: &[(&str, &str)],
    ) -> Result<T, UpstreamError> {
        if self.base.is_empty() || self.api_key.is_empty() {
            return Err(UpstreamError::not_configured(Service::Tautulli));
        }
        let secrets = [self.api_key];
        let call = Call {
            service: Service::Tautulli,
            base: self.base,
            secrets: &secrets,
            timeout: self.timeout,
        };
        let mut query = vec![("apikey", self.api_key), ("cmd", cmd)];
        query.extend_from_slice(params);
        let query = serde_urlencoded::to_string(&query)
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))?;
        let url = format!("{}/api/v2?{query}", self.base.trim_end_matches('/'));
        let answer = call
            .send(
                self.http
                    .get(url)
                    .insert_header(("Accept", "application/json")),
                None,
            )
            .await?;

        if answer.status == 429 {
            return Err(call.error(UpstreamErrorKind::RateLimited {
                retry_after: answer.retry_after,
            }));
        }
        let envelope = match serde_json::from_slice::<Envelope>(&answer.body) {
            Ok(envelope) => envelope.response,
            Err(_) if answer.status >= 400 => {
                return Err(call.error(UpstreamErrorKind::Failed {
                    status: answer.status,
                    message: String::new(),
                }));
            }
            Err(e) => {
                return Err(call.error(UpstreamErrorKind::Unexpected(format!(
                    "not Tautulli's API: {e}"
                ))));
            }
        };
        if envelope.result != "success" {
            let message =
                super::error::scrub(envelope.message.as_deref().unwrap_or(""), call.secrets);
            let kind = if message.contains("apikey") || message.contains("API key") {
                UpstreamErrorKind::KeyRefused
            } else {
                UpstreamErrorKind::Failed {
                    status: answer.status,
                    message,
                }
            };
            return Err(call.error(kind));
        }
        serde_json::from_value(envelope.data)
            .map_err(|e| call.error(UpstreamErrorKind::Unexpected(e.to_string())))
    }

    /// `get_users`: every non-deleted user, the `Local` user included.
    pub async fn users(&self) -> Result<Vec<User>, UpstreamError> {
        self.command("get_users", &[]).await
    }

    /// `refresh_users_list`: makes Tautulli re-read the server's shared users from plex.tv now
    /// (it does so on its own only every 12 hours by default). Tautulli answers `success` even
    /// when plex.tv could not be reached, with `data: false` (api2.py): only `data: true` is a
    /// refresh.
    pub async fn refresh_users_list(&self) -> Result<(), UpstreamError> {
        let refreshed = self
            .command::<serde_json::Value>("refresh_users_list", &[])
            .await?;
        if refreshed != serde_json::Value::Bool(true) {
            return Err(UpstreamError::new(
                Service::Tautulli,
                UpstreamErrorKind::Unexpected(
                    "it could not reach plex.tv to refresh its users (refresh_users_list answered \
                     data: false)"
                        .to_owned(),
                ),
            ));
        }
        Ok(())
    }

    /// `server_status`: whether Tautulli reaches the Plex server right now. While it does not,
    /// `get_metadata` answers `data: {}` for every item, as for a deleted one.
    pub async fn plex_connected(&self) -> Result<bool, UpstreamError> {
        #[derive(Deserialize)]
        struct Status {
            #[serde(default)]
            connected: bool,
        }
        let status: Status = self.command("server_status", &[]).await?;
        Ok(status.connected)
    }

    /// `get_tautulli_info`: a cheap call that proves the URL and key.
    pub async fn info(&self) -> Result<Info, UpstreamError> {
        self.command("get_tautulli_info", &[]).await
    }

    /// One page of a user's finished movie and episode plays, newest first. Tautulli's own
    /// defaults for `grouping` and `include_activity` come from its settings, so both are set.
    pub async fn history_page(
        &self,
        user_id: i64,
        start: usize,
        length: usize,
    ) -> Result<HistoryPage, UpstreamError> {
        let (user_id, start, length) = (user_id.to_string(), start.to_string(), length.to_string());
        self.command(
            "get_history",
            &[
                ("user_id", &user_id),
                ("media_type", "movie,episode"),
                ("include_activity", "0"),
                ("grouping", "1"),
                ("order_column", "date"),
                ("order_dir", "desc"),
                ("start", &start),
                ("length", &length),
            ],
        )
        .await
    }

    /// `get_metadata` reduced to the external ids of the movie, or of the episode's or
    /// season's show. `None` when Tautulli answered `data: {}`: the item is gone, *or* Tautulli
    /// cannot reach Plex right now ([`Self::plex_connected`] tells which).
    pub async fn external_ids(&self, rating_key: &str) -> Result<Option<ItemIds>, UpstreamError> {
        let data: Metadata = self
            .command("get_metadata", &[("rating_key", rating_key)])
            .await?;
        Ok(data.into_ids())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Info {
    #[serde(default)]
    pub tautulli_version: Option<String>,
}

/// A page of `get_history`.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryPage {
    #[serde(
        rename = "recordsFiltered",
        default,
        deserialize_with = "lenient::opt_i64"
    )]
    pub records_filtered: Option<i64>,
    #[serde(default)]
    pub data: Vec<HistoryRow>,
}

/// A history row. For an episode, `rating_key`/`title` are the episode's and the show is
/// `grandparent_*`; empty numbers arrive as `""`.
#[derive(Debug, Clone, Deserialize)]
pub struct HistoryRow {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub media_type: String,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub rating_key: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub grandparent_rating_key: Option<String>,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub title: String,
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    pub grandparent_title: String,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub year: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub date: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub percent_complete: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_f64")]
    pub watched_status: Option<f64>,
    /// The row's id (of the group's first play when grouped); with `stopped` and
    /// `group_count` it tells a resumed play from the same one (`engine::fingerprint`).
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub row_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub stopped: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    pub group_count: Option<i64>,
}

impl HistoryRow {
    /// The rating key that identifies the title: the movie's, or the episode's show's.
    pub fn title_key(&self) -> Option<&str> {
        match self.media_type.as_str() {
            "episode" => self.grandparent_rating_key.as_deref(),
            _ => self.rating_key.as_deref(),
        }
    }

    /// Watched by Tautulli's own threshold (85 % by default).
    pub fn is_watched(&self) -> bool {
        self.watched_status.is_some_and(|w| w >= 1.0)
    }
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    parent_title: Option<String>,
    #[serde(default)]
    grandparent_title: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    year: Option<i64>,
    #[serde(default, deserialize_with = "lenient::opt_i64")]
    parent_year: Option<i64>,
    #[serde(default)]
    guid: Option<String>,
    #[serde(default, deserialize_with = "crate::integrations::lenient::strings")]
    guids: Vec<String>,
    #[serde(default)]
    parent_guid: Option<String>,
    #[serde(default, deserialize_with = "crate::integrations::lenient::strings")]
    parent_guids: Vec<String>,
    #[serde(default)]
    grandparent_guid: Option<String>,
    #[serde(default, deserialize_with = "crate::integrations::lenient::strings")]
    grandparent_guids: Vec<String>,
}

/// External ids of a library title (the show, for an episode or a show).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemIds {
    pub kind: Option<Kind>,
    pub title: String,
    pub year: Option<i64>,
    pub tmdb: Option<i64>,
    pub imdb: Option<String>,
    pub tvdb: Option<i64>,
}

impl Metadata {
    fn into_ids(self) -> Option<ItemIds> {
        let media_type = self.media_type?;
        let mut year = self.year;
        let (kind, guid, guids, title) = match media_type.as_str() {
            "movie" => (Kind::Movie, self.guid, self.guids, self.title),
            "show" => (Kind::Tv, self.guid, self.guids, self.title),
            // A season's show is its parent; an episode's is its grandparent (pmsconnect.py).
            "season" => {
                year = self.parent_year.or(year);
                (
                    Kind::Tv,
                    self.parent_guid,
                    self.parent_guids,
                    self.parent_title,
                )
            }
            "episode" => (
                Kind::Tv,
                self.grandparent_guid,
                self.grandparent_guids,
                self.grandparent_title,
            ),
            _ => {
                return Some(ItemIds {
                    title: self.title.unwrap_or_default(),
                    ..ItemIds::default()
                });
            }
        };
        let mut ids = ItemIds {
            kind: Some(kind),
            title: title.unwrap_or_default(),
            year,
            ..ItemIds::default()
        };
        // New agents list `tmdb://…`, `imdb://…`, `tvdb://…`; legacy agents hide one id in `guid`.
        for id in guids.iter().map(String::as_str).chain(guid.as_deref()) {
            let id = id.split('?').next().unwrap_or(id);
            if let Some(v) = id
                .strip_prefix("tmdb://")
                .or_else(|| id.strip_prefix("com.plexapp.agents.themoviedb://"))
            {
                ids.tmdb = ids
                    .tmdb
                    .or(v.split('/').next().and_then(|n| n.parse().ok()));
            } else if let Some(v) = id
                .strip_prefix("imdb://")
                .or_else(|| id.strip_prefix("com.plexapp.agents.imdb://"))
            {
                ids.imdb = ids.imdb.or(Some(v.to_owned()));
            } else if let Some(v) = id
                .strip_prefix("tvdb://")
                .or_else(|| id.strip_prefix("com.plexapp.agents.thetvdb://"))
            {
                ids.tvdb = ids
                    .tvdb
                    .or(v.split('/').next().and_then(|n| n.parse().ok()));
            }
        }
        Some(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(json: serde_json::Value) -> Option<ItemIds> {
        serde_json::from_value::<Metadata>(json).unwrap().into_ids()
    }

    #[test]
    fn episodes_map_to_their_show() {
        let got = ids(serde_json::json!({"media_type": "episode", "grandparent_title": "Game of Thrones",
            "guids": ["tmdb://1156503"], "grandparent_guids": ["imdb://tt0944947", "tmdb://1399", "tvdb://121361"]}))
        .unwrap();
        assert_eq!(
            (got.kind, got.tmdb, got.tvdb),
            (Some(Kind::Tv), Some(1399), Some(121361))
        );
        assert_eq!(got.title, "Game of Thrones");
    }

    #[test]
    fn seasons_map_to_their_show_through_the_parent_fields() {
        let got = ids(
            serde_json::json!({"media_type": "season", "title": "Season 6",
            "parent_title": "Game of Thrones", "parent_year": "2011", "guids": [],
            "parent_guid": "plex://show/5d9c086c46115600200aa2fe",
            "parent_guids": ["imdb://tt0944947", "tmdb://1399", "tvdb://121361"],
            "grandparent_title": "", "grandparent_guids": []}),
        )
        .unwrap();
        assert_eq!(
            (got.kind, got.tmdb, got.title.as_str(), got.year),
            (Some(Kind::Tv), Some(1399), "Game of Thrones", Some(2011))
        );
    }

    #[test]
    fn legacy_agent_guids_are_parsed() {
        let movie = ids(serde_json::json!({"media_type": "movie", "guid": "com.plexapp.agents.themoviedb://27205?lang=en", "guids": []})).unwrap();
        assert_eq!(movie.tmdb, Some(27205));
        let imdb = ids(serde_json::json!({"media_type": "movie", "guid": "com.plexapp.agents.imdb://tt1375666?lang=en"})).unwrap();
        assert_eq!(imdb.imdb.as_deref(), Some("tt1375666"));
        let show = ids(serde_json::json!({"media_type": "episode", "grandparent_guid": "com.plexapp.agents.thetvdb://121361/6/1?lang=en"})).unwrap();
        assert_eq!((show.kind, show.tvdb), (Some(Kind::Tv), Some(121361)));
    }

    #[test]
    fn a_deleted_item_has_no_ids() {
        assert_eq!(ids(serde_json::json!({})), None);
    }
}
