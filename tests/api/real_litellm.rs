//! Sagarr against a real OpenAI-compatible gateway: LiteLLM's proxy (PyPI `litellm[proxy]`,
//! installed by `tests/run` into `target/litellm`), not a fake. One refresh end to end through
//! LiteLLM's own streaming code, and LiteLLM killed mid-answer.
//!
//! Plain `cargo test` without it skips with a reason; under `tests/run` and CI
//! (`SAGARR_LITELLM_TESTS=required`, or `CI` set) a missing LiteLLM is a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sagarr::fakes::Flavor;
use sagarr::fakes::ai::FakeAi;
use serde_json::Value;

use crate::helpers::{
    GOOD_ANSWER, OPENAI_KEY, OPENAI_MODEL, Options, TestApp, friend, owner, watch_history,
};

const MASTER_KEY: &str = "sk-sagarr-litellm-0123456789";

/// The proxy's binary, or why this test is skipped (a failure where it is required).
fn litellm(test: &str) -> Option<PathBuf> {
    crate::helpers::installed("target/litellm/bin/litellm", "SAGARR_LITELLM_TESTS", test)
}

/// A running LiteLLM proxy on loopback, stopped (killed) when dropped.
struct LiteLlm {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl LiteLlm {
    /// Starts the proxy with two models: `sagarr-mock` answers `mock_answer` through LiteLLM's
    /// own streaming code; `sagarr-relay` forwards to `relay_base` (the fake OpenAI).
    fn start(binary: &Path, mock_answer: &str, relay_base: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = serde_json::json!({
            "model_list": [
                {"model_name": "sagarr-mock", "litellm_params": {
                    "model": "openai/sagarr-mock", "api_key": "sk-unused", "mock_response": mock_answer}},
                {"model_name": "sagarr-relay", "litellm_params": {
                    "model": format!("openai/{OPENAI_MODEL}"), "api_base": relay_base, "api_key": OPENAI_KEY}}
            ],
            "general_settings": {"master_key": MASTER_KEY},
            "litellm_settings": {"telemetry": false, "num_retries": 0}
        });
        // JSON is YAML: LiteLLM reads it as its config file.
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, config.to_string()).expect("config written");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let log = std::fs::File::create(dir.path().join("litellm.log")).expect("log file");
        let child = Command::new(binary)
            .args(["--config", &path.display().to_string()])
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .current_dir(dir.path())
            // Offline: the cost map ships with the package; nothing is reported anywhere.
            .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            .env("LITELLM_TELEMETRY", "False")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("log file")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("LiteLLM starts");
        Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }

    /// Waits until the proxy answers its liveliness check (it takes some seconds to start).
    async fn ready(&mut self) {
        let http = awc::Client::default();
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(120) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("LiteLLM exited at start ({status}): {}", self.log());
            }
            let probe = http
                .get(format!("{}/health/liveliness", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if probe.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("LiteLLM never became ready: {}", self.log());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("litellm.log")).unwrap_or_default()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LiteLlm {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The model LiteLLM relays to: a fake OpenAI of its own, since the app's fakes start after
/// the proxy whose address the app needs.
fn relay_model() -> FakeAi {
    FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL]).expect("the relay's model")
}

/// The app with the friend's history, its AI the proxy's `model`; the owner is admin.
async fn app_through(proxy: &LiteLlm, model: &str) -> TestApp {
    let app = TestApp::spawn_with(Options {
        extra_env: vec![
            ("AI_PROVIDER", "openai-compatible".to_owned()),
            ("AI_BASE_URL", format!("{}/v1", proxy.url)),
            ("AI_API_KEY", MASTER_KEY.to_owned()),
            ("AI_MODEL", model.to_owned()),
            ("AI_TIMEOUT_SECONDS", "20".to_owned()),
        ],
        ..Options::default()
    })
    .await;
    watch_history(&app.fakes.tautulli);
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    app.forget_cookies();
    app
}

fn message(status: &Value) -> &str {
    status["message"].as_str().unwrap_or_default()
}

#[actix_web::test]
async fn a_refresh_through_a_real_litellm_gets_the_ai_rows_and_its_usage() {
    let Some(binary) = litellm("real_litellm::a_refresh") else {
        return;
    };
    let relay = relay_model();
    let mut proxy = LiteLlm::start(&binary, GOOD_ANSWER, &relay.openai_base());
    proxy.ready().await;
    let app = app_through(&proxy, "sagarr-mock").await;
    app.signed_in_as(&friend()).await;
    let status = app.wait_for_refresh().await;
    assert!(
        message(&status).starts_with("Found") && !message(&status).contains("TMDb alone"),
        "{status}\n{}",
        proxy.log()
    );
    let movies = app.rows(&friend(), "movies");
    assert_eq!(movies[0].title, "Slow-burn sci-fi", "the AI's own row");
    let run = &app.runs()[0];
    assert!(
        run.prompt_tokens > 0 && run.completion_tokens > 0,
        "tokens from LiteLLM's usage chunk: {} + {}",
        run.prompt_tokens,
        run.completion_tokens
    );
    app.stop().await;
    relay.stop().await;
}

#[actix_web::test]
async fn litellm_killed_mid_answer_is_a_cut_that_keeps_the_complete_rows_and_says_so() {
    let Some(binary) = litellm("real_litellm::killed") else {
        return;
    };
    let relay = relay_model();
    let mut proxy = LiteLlm::start(&binary, GOOD_ANSWER, &relay.openai_base());
    proxy.ready().await;
    let app = app_through(&proxy, "sagarr-relay").await;
    // The model behind LiteLLM writes for 20 s; LiteLLM dies once two rows are through.
    relay.stream_over(Duration::from_secs(20));
    relay.push_reply(GOOD_ANSWER);
    app.signed_in_as(&friend()).await;
    let started = Instant::now();
    loop {
        let status = app.refresh_status().await;
        let step = status["step"].as_str().unwrap_or_default();
        if step.starts_with("AI writing: 2 of") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "two rows never came through: {status}\n{}",
            proxy.log()
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    proxy.kill();
    let status = app.wait_for_refresh().await;
    let said = message(&status);
    assert!(
        said.contains("stopped mid-answer") && said.contains("its 2 complete rows were kept"),
        "the cut is named: {status}"
    );
    assert_eq!(
        app.rows(&friend(), "tv")[0].title,
        "Dark family sagas",
        "the complete rows were kept"
    );
    app.stop().await;
    relay.stop().await;
}
