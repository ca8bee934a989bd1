//! `TestApp`: a running Sagarr with its own data dir, fake plex.tv and fake Tautulli, and a
//! browser-like client that keeps cookies and never follows redirects.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use actix_web::dev::ServerHandle;
use actix_web::web::Bytes;
use awc::http::StatusCode;
use sagarr::config::Config;
use sagarr::fakes::Flavor;
use sagarr::fakes::ai::FakeAi;
use sagarr::fakes::overseerr::FakeOverseerr;
use sagarr::fakes::plex::{FakeAccount, FakePlex};
use sagarr::fakes::tautulli::{FakeTautulli, LibraryItem};
use sagarr::fakes::tmdb::FakeTmdb;
use sagarr::media::Kind;
use sagarr::startup::Application;
use tempfile::TempDir;

pub const TAUTULLI_KEY: &str = "tautulli-key-0123456789abcdef0123";
pub const OVERSEERR_KEY: &str = "overseerr-key-MTYwMDAwMDAwMDAwMA==";
pub const TMDB_KEY: &str = "0123456789abcdef0123456789abcdef";
pub const OPENAI_KEY: &str = "sk-test-0123456789abcdefghij";
pub const OPENAI_MODEL: &str = "gpt-4o-mini";
pub const OLLAMA_MODEL: &str = "llama3.1:8b";
/// Upstream timeout in tests, so "slow past the timeout" takes seconds, not minutes.
pub const TIMEOUT_SECONDS: u64 = 2;

/// How the app's Tautulli is set up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TautulliSetup {
    Fake,
    Down,
    Unset,
}

/// Which AI the app is configured with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AiSetup {
    None,
    OpenAi,
    /// The fake OpenAI first, the fake Ollama as fallback.
    OpenAiThenOllama,
    /// The fake Ollama, native API, alone.
    Ollama,
    /// The fake OpenAI server as an OpenAI-compatible endpoint (LiteLLM, llama.cpp, vLLM).
    OpenAiCompatible,
}

#[derive(Clone)]
pub struct Options {
    pub tautulli: TautulliSetup,
    pub ai: AiSetup,
    pub extra_env: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            tautulli: TautulliSetup::Fake,
            ai: AiSetup::None,
            extra_env: Vec::new(),
        }
    }
}

/// A response read in full.
pub struct Page {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
}

/// Every fake upstream of one test.
pub struct Fakes {
    pub plex: FakePlex,
    pub tautulli: FakeTautulli,
    pub tmdb: FakeTmdb,
    pub overseerr: FakeOverseerr,
    pub openai: FakeAi,
    pub ollama: FakeAi,
}

impl Fakes {
    pub fn start() -> Self {
        let plex = FakePlex::start().expect("fake plex.tv starts");
        let tautulli = FakeTautulli::start(TAUTULLI_KEY).expect("fake Tautulli starts");
        for account in [owner(), friend(), stranger()] {
            plex.add_account(account);
        }
        tautulli.add_user(owner().id, "Owner", true);
        tautulli.add_user(friend().id, "Friend", true);
        let overseerr =
            FakeOverseerr::start(OVERSEERR_KEY, owner().id).expect("fake Overseerr starts");
        overseerr.add_user(friend().id, "friend");
        Self {
            plex,
            tautulli,
            tmdb: FakeTmdb::start(TMDB_KEY).expect("fake TMDb starts"),
            overseerr,
            openai: FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL])
                .expect("fake OpenAI starts"),
            ollama: FakeAi::start(Flavor::Ollama, None, &[OLLAMA_MODEL])
                .expect("fake Ollama starts"),
        }
    }

    pub async fn stop(&self) {
        self.plex.stop().await;
        self.tautulli.stop().await;
        self.tmdb.stop().await;
        self.overseerr.stop().await;
        self.openai.stop().await;
        self.ollama.stop().await;
    }
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub fakes: Fakes,
    pub data_dir: TempDir,
    pub app: actix_web::web::Data<sagarr::state::AppState>,
    handle: ServerHandle,
    client: awc::Client,
    cookies: RefCell<BTreeMap<String, String>>,
    pub options: Options,
}

/// The owner of the server (first to sign in) and a friend it is shared with.
pub fn owner() -> FakeAccount {
    FakeAccount::new(13_692_262, "Owner")
}

pub fn friend() -> FakeAccount {
    FakeAccount::new(22_526_914, "Friend")
}

pub fn stranger() -> FakeAccount {
    FakeAccount::new(99_000_001, "Stranger")
}

pub fn config_for(data_dir: &Path, fakes: &Fakes, options: &Options) -> Config {
    let env = env_for(data_dir, fakes, options);
    let mut config = Config::from_lookup(|name| {
        env.iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .expect("test configuration is valid");
    config.workers = 1;
    // Tests trigger refreshes themselves; the clock would fire only at 03:00 anyway.
    config.nightly_clock = false;
    config
}

/// The environment a test app runs with (also handed to the binary in CLI tests).
pub fn env_for(data_dir: &Path, fakes: &Fakes, options: &Options) -> Vec<(&'static str, String)> {
    let (plex, tautulli) = (&fakes.plex, &fakes.tautulli);
    let mut env: Vec<(&str, String)> = vec![
        ("SAGARR_BIND", "127.0.0.1:0".into()),
        ("SAGARR_DATA_DIR", data_dir.display().to_string()),
        ("PLEX_TV_URL", plex.url.clone()),
        ("PLEX_DISCOVER_URL", plex.url.clone()),
        ("PLEX_AUTH_URL", format!("{}/auth", plex.url)),
        ("TMDB_API_URL", fakes.tmdb.url.clone()),
        ("TMDB_API_KEY", TMDB_KEY.into()),
        ("OVERSEERR_URL", fakes.overseerr.url.clone()),
        ("OVERSEERR_API_KEY", OVERSEERR_KEY.into()),
        (
            "SAGARR_UPSTREAM_TIMEOUT_SECONDS",
            TIMEOUT_SECONDS.to_string(),
        ),
        ("AI_TIMEOUT_SECONDS", TIMEOUT_SECONDS.to_string()),
        // Tests refresh again at once; the spacing has its own test (tests/api/attacks.rs).
        ("SAGARR_REFRESH_SPACING_SECONDS", "0".into()),
    ];
    match options.tautulli {
        TautulliSetup::Fake => {
            env.push(("TAUTULLI_URL", tautulli.url.clone()));
            env.push(("TAUTULLI_API_KEY", TAUTULLI_KEY.into()));
        }
        TautulliSetup::Down => {
            env.push(("TAUTULLI_URL", sagarr::fakes::closed_port_url()));
            env.push(("TAUTULLI_API_KEY", TAUTULLI_KEY.into()));
        }
        TautulliSetup::Unset => {}
    }
    match options.ai {
        AiSetup::None => {}
        AiSetup::Ollama => {
            env.push(("AI_PROVIDER", "ollama".into()));
            env.push(("AI_BASE_URL", fakes.ollama.url.clone()));
            env.push(("AI_MODEL", OLLAMA_MODEL.into()));
        }
        AiSetup::OpenAi | AiSetup::OpenAiThenOllama | AiSetup::OpenAiCompatible => {
            let provider = if options.ai == AiSetup::OpenAiCompatible {
                "openai-compatible"
            } else {
                "openai"
            };
            env.push(("AI_PROVIDER", provider.into()));
            env.push(("AI_BASE_URL", fakes.openai.openai_base()));
            env.push(("AI_API_KEY", OPENAI_KEY.into()));
            env.push(("AI_MODEL", OPENAI_MODEL.into()));
        }
    }
    if options.ai == AiSetup::OpenAiThenOllama {
        env.push(("AI_FALLBACK_PROVIDER", "ollama".into()));
        env.push(("AI_FALLBACK_BASE_URL", fakes.ollama.url.clone()));
        env.push(("AI_FALLBACK_MODEL", OLLAMA_MODEL.into()));
    }
    env.extend(options.extra_env.iter().cloned());
    env
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start(Fakes::start(), data_dir, options)
    }

    fn start(fakes: Fakes, data_dir: TempDir, options: Options) -> Self {
        let config = config_for(data_dir.path(), &fakes, &options);
        let app = Application::build(config).expect("app starts");
        let port = app.port();
        let handle = app.handle();
        let state = app.state();
        actix_web::rt::spawn(app.run_until_stopped());
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            fakes,
            data_dir,
            app: state,
            handle,
            client: awc::Client::builder().disable_redirects().finish(),
            cookies: RefCell::new(BTreeMap::new()),
            options,
        }
    }

    /// Stops the server and starts a new one on the same data dir and fakes, keeping cookies:
    /// a restart as the owner would do it.
    pub async fn restart(self) -> Self {
        self.handle.stop(true).await;
        let cookies = self.cookies.clone();
        let restarted = Self::start(self.fakes, self.data_dir, self.options);
        *restarted.cookies.borrow_mut() = cookies.into_inner();
        restarted
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn session_cookie(&self) -> Option<String> {
        self.cookies
            .borrow()
            .get(sagarr::auth::session::COOKIE_NAME)
            .cloned()
    }

    pub fn set_session_cookie(&self, value: &str) {
        self.cookies.borrow_mut().insert(
            sagarr::auth::session::COOKIE_NAME.to_owned(),
            value.to_owned(),
        );
    }

    pub fn forget_cookies(&self) {
        self.cookies.borrow_mut().clear();
    }

    /// Sends `request` with our cookies, stores the cookies it sets, and reads the body.
    pub async fn send(&self, request: awc::ClientRequest, form: Option<&[(&str, &str)]>) -> Page {
        let request = request.insert_header(("Cookie", self.cookie_header()));
        let mut response = match form {
            Some(fields) => request.send_form(&fields.to_vec()).await,
            None => request.send().await,
        }
        .expect("request reaches the app");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let removed = value.is_empty() || text.contains("Max-Age=0");
                let mut jar = self.cookies.borrow_mut();
                if removed {
                    jar.remove(name);
                } else {
                    jar.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body: Bytes = response.body().limit(4 << 20).await.expect("body reads");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: String::from_utf8_lossy(&body).into(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(self.client.get(self.url(path)), None).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        self.send(request, None).await
    }

    /// A form post as a same-origin browser sends it.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(path, form, &[("Origin", &self.address.clone())])
            .await
    }

    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self.client.post(self.url(path));
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        self.send(request, Some(form)).await
    }

    /// A same-origin HTMX `POST`, as the page's buttons send it.
    pub async fn htmx_post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        self.post_with(
            path,
            form,
            &[("Origin", &self.address.clone()), ("HX-Request", "true")],
        )
        .await
    }

    /// Starts the Plex sign-in: `/auth/plex` must redirect to the Plex auth page.
    pub async fn start_sign_in(&self) -> Page {
        let page = self.get("/auth/plex").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        page
    }

    /// The whole sign-in as `account`: start, confirm on (fake) plex.tv, come back.
    pub async fn sign_in_as(&self, account: &FakeAccount) -> Page {
        self.start_sign_in().await;
        self.fakes.plex.authorize_latest_pin(account);
        self.get("/auth/plex/callback").await
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in_as(&self, account: &FakeAccount) {
        let page = self.sign_in_as(account).await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-in as {} failed: {}",
            account.username,
            page.body
        );
        assert_eq!(page.location(), Some("/"));
    }

    /// The stored role of a Plex account, straight from the database.
    pub fn role_of(&self, account: &FakeAccount) -> Option<String> {
        let mut conn = self.app.ctx.pool.get().expect("db connection");
        sagarr::db::users::find_by_plex_id(&mut conn, account.id)
            .expect("query")
            .map(|u| u.role.as_str().to_owned())
    }

    /// Stops only the app (for tests that already stopped a fake).
    pub async fn handle_stop(&self) {
        self.handle.stop(true).await;
    }

    pub async fn stop(&self) {
        self.handle.stop(true).await;
        self.fakes.stop().await;
    }

    /// The stored user row of a Plex account.
    pub fn user(&self, account: &FakeAccount) -> Option<sagarr::db::users::User> {
        let mut conn = self.app.ctx.pool.get().expect("db connection");
        sagarr::db::users::find_by_plex_id(&mut conn, account.id).expect("query")
    }

    /// The refresh status as `GET /refresh/status` answers it.
    pub async fn refresh_status(&self) -> serde_json::Value {
        let page = self
            .get_with("/refresh/status", &[("Accept", "application/json")])
            .await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        serde_json::from_str(&page.body).expect("status JSON")
    }

    /// Waits (up to 20 s) for the signed-in user's refresh to finish, and returns its status.
    pub async fn wait_for_refresh(&self) -> serde_json::Value {
        for _ in 0..400 {
            let status = self.refresh_status().await;
            if status["state"] != "queued" && status["state"] != "running" {
                return status;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "the refresh never finished: {}",
            self.refresh_status().await
        );
    }

    /// Asks for a refresh as the signed-in user and waits for it.
    pub async fn refresh_and_wait(&self) -> serde_json::Value {
        let page = self.post("/refresh", &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        self.wait_for_refresh().await
    }

    /// The rows stored for `account` on `tab`.
    pub fn rows(&self, account: &FakeAccount, tab: &str) -> Vec<sagarr::engine::rows::Row> {
        let Some(user) = self.user(account) else {
            return Vec::new();
        };
        let mut conn = self.app.ctx.pool.get().expect("db connection");
        match sagarr::db::recommendations::load(&mut conn, user.id, tab).expect("query") {
            Some((json, _)) => serde_json::from_str(&json).expect("stored rows parse"),
            None => Vec::new(),
        }
    }

    /// Every card on every tab of `account`, as (kind, tmdb id).
    pub fn all_cards(&self, account: &FakeAccount) -> Vec<(sagarr::media::Kind, i64)> {
        ["movies", "tv", "documentaries"]
            .iter()
            .flat_map(|tab| self.rows(account, tab))
            .flat_map(|row| row.cards.into_iter().map(|c| (c.kind, c.tmdb_id)))
            .collect()
    }

    /// The cards of the rows the AI's answer made (not those TMDb filled short tabs with).
    pub fn ai_cards(&self, account: &FakeAccount) -> Vec<(sagarr::media::Kind, i64)> {
        ["movies", "tv", "documentaries"]
            .iter()
            .flat_map(|tab| self.rows(account, tab))
            .filter(|row| !row.filled)
            .flat_map(|row| row.cards.into_iter().map(|c| (c.kind, c.tmdb_id)))
            .collect()
    }

    /// The recorded refresh runs, newest first.
    pub fn runs(&self) -> Vec<sagarr::db::runs::RunRow> {
        let mut conn = self.app.ctx.pool.get().expect("db connection");
        sagarr::db::runs::recent(&mut conn, 100).expect("query")
    }

    /// Runs the binary with `args` on this app's data dir and fakes, as an admin would beside
    /// the server: its exit code and everything it printed (stdout, then stderr).
    pub async fn command(&self, args: &'static [&'static str]) -> (Option<i32>, String) {
        let env = env_for(self.data_dir.path(), &self.fakes, &self.options);
        let out = actix_web::web::block(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"))
                .args(args)
                .env_clear()
                .envs(env)
                .env("SAGARR_LOG", "warn")
                .output()
                .expect("binary runs")
        })
        .await
        .expect("the command's thread");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), printed)
    }

    /// Waits (up to 5 s) until `check` holds, for work the app does in the background.
    pub async fn eventually(&self, what: &str, check: impl Fn(&Self) -> bool) {
        for _ in 0..100 {
            if check(self) {
                return;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }
}

/// A real server's binary that `tests/run` installs under `target/` (LiteLLM, Traefik), or
/// `None` to skip with a reason. Under `tests/run` and CI (`required_by` set to `required`, or
/// `CI` set) a missing one fails the test instead.
pub fn installed(relative: &str, required_by: &str, test: &str) -> Option<std::path::PathBuf> {
    let binary = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if binary.exists() {
        return Some(binary);
    }
    let required = std::env::var(required_by).is_ok_and(|v| v == "required")
        || std::env::var_os("CI").is_some();
    assert!(
        !required,
        "{test}: {relative} is missing; tests/run installs it"
    );
    eprintln!("skipping {test}: {relative} is missing (./tests/run installs it)");
    None
}

// Fixtures several test files share: a history, a good AI answer, users with rows.

/// The friend's history: Arrival, The Matrix twice, half of Blade Runner 2049, and two
/// episodes of Game of Thrones.
pub fn watch_history(tautulli: &FakeTautulli) {
    let id = friend().id;
    let movie = |key: &str, title: &str, year: i64, tmdb_id: i64| {
        tautulli.add_item(
            key,
            LibraryItem::Movie {
                title: title.into(),
                year,
                tmdb_id,
            },
        );
    };
    movie("100", "Arrival", 2016, 329865);
    movie("101", "The Matrix", 1999, 603);
    movie("102", "Blade Runner 2049", 2017, 335984);
    tautulli.add_item(
        "1219",
        LibraryItem::Show {
            title: "Game of Thrones".into(),
            year: 2011,
            tmdb_id: 1399,
        },
    );
    for (key, episode) in [("2001", 1), ("2002", 2)] {
        tautulli.add_item(
            key,
            LibraryItem::Episode {
                show: "Game of Thrones".into(),
                show_rating_key: "1219".into(),
                show_tmdb_id: 1399,
                season: 1,
                episode,
            },
        );
        tautulli.add_play(id, key, 100, 1_790_000_000 + episode);
    }
    tautulli.add_play(id, "100", 100, 1_789_000_000);
    tautulli.add_play(id, "101", 100, 1_780_000_000);
    tautulli.add_play(id, "101", 97, 1_785_000_000);
    tautulli.add_play(id, "102", 40, 1_788_000_000);
}

pub const GOOD_ANSWER: &str = r#"{"categories": [
  {"title": "Slow-burn sci-fi", "reason": "You loved Arrival", "kind": "movie", "items": [
    {"title": "Annihilation", "year": 2018, "tmdb_id": 300668, "because": "Arrival"},
    {"title": "Ex Machina", "year": 2015, "because": "You liked The Matrix"},
    {"title": "Interstellar", "year": 2014, "tmdb_id": 157336, "because": "Solaris"}]},
  {"title": "Dark family sagas", "reason": "After Game of Thrones", "kind": "tv", "items": [
    {"title": "Dark", "year": 2017, "because": "Game of Thrones"},
    {"title": "Chernobyl", "year": 2019, "because": "Game of Thrones"}]},
  {"title": "Real stories", "reason": "Documentaries", "kind": "movie", "items": [
    {"title": "Free Solo", "year": 2018, "because": "Arrival"},
    {"title": "Planet Earth II", "year": 2016, "because": "Arrival"}]}
]}"#;

/// Like [`friend_with_history`], with any options (extra environment, say).
pub async fn friend_with_history_in(options: Options, first_answer: Option<&str>) -> TestApp {
    let app = TestApp::spawn_with(options).await;
    watch_history(&app.fakes.tautulli);
    if let Some(answer) = first_answer {
        app.fakes.openai.push_reply(answer);
    }
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app
}

/// The friend signed in with his rows: Dark is on Plex, everything else missing.
pub async fn friend_with_rows() -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.fakes
        .overseerr
        .set_status(Kind::Tv, 70523, 5, &[(1, 5), (2, 5), (3, 5)]);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app.eventually("the friend's Overseerr id", |app| {
        app.user(&friend())
            .is_some_and(|u| u.overseerr_user_id.is_some())
    })
    .await;
    app
}

/// The friend after his first refresh on [`LIMITS_ANSWER`], two cards shown per row, with `available`
/// on Plex by then.
pub async fn friend_with_picks(
    extra_env: Vec<(&'static str, String)>,
    available: &[(Kind, i64)],
) -> TestApp {
    let mut env = vec![("SAGARR_ITEMS_PER_ROW", "2".to_owned())];
    env.extend(extra_env);
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        extra_env: env,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    for (kind, id) in available {
        let seasons: &[(i64, i64)] = if *kind == Kind::Tv { &[(1, 5)] } else { &[] };
        app.fakes.overseerr.set_status(*kind, *id, 5, seasons);
    }
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(LIMITS_ANSWER);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app
}

/// As the owner, sets the friend's rating limit; then signs the friend back in.
pub async fn limit_friend(app: &TestApp, limit: &str) {
    let friend_id = app.user(&friend()).unwrap().id;
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let page = app
        .post(
            &format!("/admin/users/{friend_id}/rating-limit"),
            &[("limit", limit)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.forget_cookies();
    app.signed_in_as(&friend()).await;
}

/// Owner and friend with histories and rows; the friend is signed in.
pub async fn two_with_rows(extra_env: Vec<(&'static str, String)>) -> TestApp {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAi,
        extra_env,
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    owner_history(&app);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app.fakes.openai.push_reply(GOOD_ANSWER);
    app.signed_in_as(&friend()).await;
    app.wait_for_refresh().await;
    app
}

/// Says yes (or no) to Watch together as whoever is signed in, with JavaScript off.
pub async fn share(app: &TestApp, on: bool) {
    let page = app
        .post("/me/together", &[("share", if on { "on" } else { "off" })])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location(), Some("/me"));
}

/// The AI's answer: a long sci-fi row (R and PG-13), a PG row, TV-MA shows and documentaries
/// (one unrated).
pub const LIMITS_ANSWER: &str = r#"{"categories": [
  {"title": "Slow-burn sci-fi", "reason": "You loved Arrival", "kind": "movie", "items": [
    {"title": "Annihilation", "year": 2018, "because": "Arrival"},
    {"title": "Ex Machina", "year": 2015, "because": "The Matrix"},
    {"title": "Interstellar", "year": 2014, "because": "Arrival"},
    {"title": "Inception", "year": 2010, "because": "The Matrix"},
    {"title": "Dune", "year": 2021, "because": "Blade Runner 2049"}]},
  {"title": "Gentle wonders", "reason": "For any evening", "kind": "movie", "items": [
    {"title": "Frozen II", "year": 2019, "because": "Arrival"},
    {"title": "Dune", "year": 1984, "because": "Blade Runner 2049"}]},
  {"title": "Dark family sagas", "reason": "After Game of Thrones", "kind": "tv", "items": [
    {"title": "Dark", "year": 2017, "because": "Game of Thrones"},
    {"title": "Chernobyl", "year": 2019, "because": "Game of Thrones"}]},
  {"title": "Real stories", "reason": "Documentaries", "kind": "movie", "items": [
    {"title": "My Octopus Teacher", "year": 2020, "because": "Arrival"},
    {"title": "Jiro Dreams of Sushi", "year": 2011, "because": "Arrival"},
    {"title": "Free Solo", "year": 2018, "because": "Arrival"}]}
]}"#;

/// The owner's own history: two films the friend never saw.
pub fn owner_history(app: &TestApp) {
    let tautulli = &app.fakes.tautulli;
    for (key, title, year, tmdb_id) in [
        ("500", "Fight Club", 1999, 550),
        ("501", "Pulp Fiction", 1994, 680),
    ] {
        tautulli.add_item(
            key,
            LibraryItem::Movie {
                title: title.into(),
                year,
                tmdb_id,
            },
        );
        tautulli.add_play(owner().id, key, 100, 1_789_500_000);
    }
}
