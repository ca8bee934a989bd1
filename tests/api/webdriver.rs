//! Just enough of the W3C WebDriver protocol to drive Debian's Chromium through chromedriver:
//! real clicks, typing, cookies and screenshots, with JavaScript on or off.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where screenshots are kept as test artefacts.
pub fn screenshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots")
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: awc::Client,
}

/// True when this machine has no Chromium or chromedriver: the browser test then prints why and
/// skips. Under `tests/run` and CI (`SAGARR_BROWSER_TESTS=required`, or `CI` set) a missing
/// browser is a failure instead, so a green run there always includes the browser.
pub fn unavailable(test: &str) -> bool {
    let driver = std::path::Path::new("/usr/bin/chromedriver").exists()
        || std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("chromedriver").exists())
        });
    let chromium = std::path::Path::new("/usr/bin/chromium").exists();
    if driver && chromium {
        return false;
    }
    let required = std::env::var("SAGARR_BROWSER_TESTS").is_ok_and(|v| v == "required")
        || std::env::var_os("CI").is_some();
    assert!(
        !required,
        "{test}: Chromium or chromedriver is missing; tests/run installs Debian's chromium and chromium-driver"
    );
    eprintln!(
        "skipping {test}: Chromium or chromedriver is missing (./tests/run installs them and runs every browser test)"
    );
    true
}

fn chromedriver() -> &'static str {
    if std::path::Path::new("/usr/bin/chromedriver").exists() {
        "/usr/bin/chromedriver"
    } else {
        "chromedriver"
    }
}

impl Browser {
    /// Starts headless Chromium at `width`×`height`, with JavaScript on or off. Panics with
    /// what to install when chromedriver is missing: `tests/run` installs it.
    pub async fn start(javascript: bool, width: u32, height: u32) -> Self {
        Self::start_with(javascript, width, height, false).await
    }

    /// A phone's screen of `width` CSS pixels, as Chromium's device emulation lays pages out:
    /// a headless window is never narrower than 500 px, so `start` at 320 measures nothing.
    pub async fn phone(javascript: bool, width: u32, height: u32) -> Self {
        Self::start_as(javascript, width, height, false, true).await
    }

    /// [`Browser::phone`], optionally asking pages for their dark colour scheme.
    pub async fn phone_with(javascript: bool, width: u32, height: u32, dark: bool) -> Self {
        Self::start_as(javascript, width, height, dark, true).await
    }

    /// Like [`Browser::start`], optionally asking pages for their dark colour scheme.
    pub async fn start_with(javascript: bool, width: u32, height: u32, dark: bool) -> Self {
        Self::start_as(javascript, width, height, dark, false).await
    }

    async fn start_as(javascript: bool, width: u32, height: u32, dark: bool, phone: bool) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start chromedriver ({e}). Run the tests with tests/run, which installs Debian's chromium and chromium-driver")
            });
        let base = format!("http://127.0.0.1:{port}");
        let http = awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().expect("profile dir").keep();
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", format!("--window-size={width},{height}"),
                     format!("--user-data-dir={}", profile.display())],
        });
        if !javascript {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        if phone {
            options["mobileEmulation"] = json!({"deviceMetrics":
                {"width": width, "height": height, "pixelRatio": 2, "touch": true}});
        }
        if dark && let Some(args) = options["args"].as_array_mut() {
            args.push(json!("--force-dark-mode"));
            args.push(json!("--blink-settings=preferredColorScheme=0"));
        }
        let mut browser = Self {
            driver,
            base,
            session: String::new(),
            http,
        };
        let created = browser
            .call("POST", "/session", json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}}))
            .await;
        browser.session = created["value"]["sessionId"]
            .as_str()
            .expect("a WebDriver session")
            .to_owned();
        browser
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        match self.try_call(method, path, body).await {
            Ok(json) => json,
            Err(error) => panic!("WebDriver {method} {path}: {error}"),
        }
    }

    async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url),
        };
        let mut response = if method == "GET" || method == "DELETE" {
            request.send().await
        } else {
            request.send_json(&body).await
        }
        .expect("chromedriver answers");
        let json: Value = response
            .json()
            .limit(64 << 20)
            .await
            .expect("WebDriver JSON");
        match json["value"]["error"].as_str() {
            Some(error) => Err(format!("{error}: {}", json["value"]["message"])),
            None => Ok(json),
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", &self.path("/url"), json!({"url": url}))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call("GET", &self.path("/url"), Value::Null).await["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.call("GET", &self.path("/source"), Value::Null).await["value"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching `css`, waiting up to 5 s for it to appear.
    pub async fn find(&self, css: &str) -> String {
        for _ in 0..100 {
            let url = format!("{}{}", self.base, self.path("/element"));
            let mut response = self
                .http
                .post(url)
                .send_json(&json!({"using": "css selector", "value": css}))
                .await
                .expect("chromedriver answers");
            let json: Value = response.json().await.expect("WebDriver JSON");
            if let Some(id) = json["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no element matches {css} in:\n{}", self.source().await);
    }

    /// Whether anything matches `css` right now.
    pub async fn exists(&self, css: &str) -> bool {
        let json = self
            .call(
                "POST",
                &self.path("/elements"),
                json!({"using": "css selector", "value": css}),
            )
            .await;
        json["value"].as_array().is_some_and(|a| !a.is_empty())
    }

    /// Waits up to 5 s for nothing to match `css`.
    pub async fn wait_gone(&self, css: &str) {
        for _ in 0..100 {
            if !self.exists(css).await {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} is still there");
    }

    /// Waits up to 5 s for the current URL to end with `suffix`.
    pub async fn wait_for_url(&self, suffix: &str) {
        for _ in 0..100 {
            if self.url().await.ends_with(suffix) {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the URL is {}, not …{suffix}", self.url().await);
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &self.path(&format!("/element/{id}/click")),
            json!({}),
        )
        .await;
    }

    /// Replaces the text of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            "POST",
            &self.path(&format!("/element/{id}/clear")),
            json!({}),
        )
        .await;
        self.call(
            "POST",
            &self.path(&format!("/element/{id}/value")),
            json!({"text": text}),
        )
        .await;
    }

    /// The visible text of the element matching `css`. HTMX (or a form's navigation) may
    /// replace the element between finding and reading it, so a stale element is looked up
    /// again; Chromium reports a node of the page just left as "does not belong to the
    /// document".
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..20 {
            let id = self.find(css).await;
            match self
                .try_call(
                    "GET",
                    &self.path(&format!("/element/{id}/text")),
                    Value::Null,
                )
                .await
            {
                Ok(json) => return json["value"].as_str().unwrap_or_default().to_owned(),
                Err(e)
                    if e.starts_with("stale element reference")
                        || e.contains("does not belong to the document") =>
                {
                    continue;
                }
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
        panic!("{css} kept going stale");
    }

    /// Waits up to 5 s for the element matching `css` to contain `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) {
        for _ in 0..100 {
            if self.text(css).await.contains(text) {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{css} never showed {text:?}; it shows {:?}",
            self.text(css).await
        );
    }

    /// Runs `script` in the page (JavaScript on only) and returns its value.
    pub async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.path("/execute/sync"),
            json!({"script": script, "args": []}),
        )
        .await["value"]
            .clone()
    }

    /// Runs `script` as an asynchronous WebDriver script: it gets a callback as its last
    /// argument and the call returns what it is given. Works with JavaScript off too (the
    /// page's own scripts stay off; WebDriver's run all the same).
    pub async fn script_async(&self, script: &str) -> Value {
        self.call(
            "POST",
            &self.path("/execute/async"),
            json!({"script": script, "args": []}),
        )
        .await["value"]
            .clone()
    }

    /// Presses and releases one key, as a keyboard would, on whatever has the focus
    /// (WebDriver key codes: "\u{E004}" Tab, "\u{E007}" Enter, "\u{E00C}" Escape, " " Space).
    pub async fn press(&self, key: &str) {
        self.call(
            "POST",
            &self.path("/actions"),
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]}]}),
        )
        .await;
    }

    pub async fn cookie(&self, name: &str) -> Option<String> {
        let json = self.call("GET", &self.path("/cookie"), Value::Null).await;
        json["value"]
            .as_array()?
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str())
            .map(str::to_owned)
    }

    /// Sets a cookie for the current page's host (navigate there first).
    pub async fn set_cookie(&self, name: &str, value: &str) {
        self.call(
            "POST",
            &self.path("/cookie"),
            json!({"cookie": {"name": name, "value": value, "path": "/", "httpOnly": true}}),
        )
        .await;
    }

    /// Saves a PNG of the viewport under target/screenshots/ and returns its path.
    pub async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let json = self
            .call("GET", &self.path("/screenshot"), Value::Null)
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(json["value"].as_str().unwrap_or_default())
            .expect("PNG");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    pub async fn quit(mut self) {
        let path = self.path("");
        let _ = self
            .http
            .delete(format!("{}{path}", self.base))
            .send()
            .await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
