//! The AI as real models behave: answers stream, a slow model that keeps writing is heard out,
//! a silent one is cut off at AI_TIMEOUT_SECONDS, and AI_MAX_SECONDS caps the whole answer
//! while keeping its complete rows. Progress shows while it writes; tokens and time are kept.

use std::time::{Duration, Instant};

use crate::helpers::{
    AiSetup, GOOD_ANSWER, Options, TestApp, friend, friend_with_history_in, owner,
};

/// The friend signed in after his first refresh, with extra environment.
pub async fn app_with(ai: AiSetup, env: Vec<(&'static str, String)>) -> TestApp {
    let options = Options {
        ai,
        extra_env: env,
        ..Options::default()
    };
    friend_with_history_in(options, None).await
}

/// Asks for a refresh and waits for it, noting every step `/refresh/status` showed.
pub async fn refresh_watching(app: &TestApp) -> (serde_json::Value, Vec<String>) {
    let page = app.post("/refresh", &[]).await;
    assert_eq!(page.status, awc::http::StatusCode::SEE_OTHER);
    let mut steps = Vec::new();
    for _ in 0..600 {
        let status = app.refresh_status().await;
        if let Some(step) = status["step"].as_str()
            && steps.last().is_none_or(|s: &String| s != step)
        {
            steps.push(step.to_owned());
        }
        if status["state"] != "queued" && status["state"] != "running" {
            return (status, steps);
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the refresh never finished: {steps:?}");
}

#[actix_web::test]
async fn a_model_that_writes_steadily_past_the_silence_limit_is_heard_out() {
    // AI_TIMEOUT_SECONDS is 2 in tests; this answer takes 6 s, never silent for long.
    let app = app_with(AiSetup::OpenAi, vec![]).await;
    app.fakes.openai.stream_over(Duration::from_secs(6));
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let started = Instant::now();
    let (status, steps) = refresh_watching(&app).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "it really was slow"
    );
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Found") && !message.contains("TMDb alone"),
        "the AI's answer was used: {status}"
    );
    assert!(
        steps.iter().any(|s| s == "AI writing: 1 of 14 rows")
            && steps.iter().any(|s| s == "AI writing: 2 of 14 rows"),
        "progress while it writes: {steps:?}"
    );
    let sent = app.fakes.openai.requests();
    let last = sent.last().unwrap();
    assert_eq!(last["stream"], true);
    assert_eq!(last["stream_options"]["include_usage"], true);
    let run = &app.runs()[0];
    assert_eq!(run.completion_tokens, 31, "the usage chunk is read");
    assert!(
        run.ai_ms >= 5_000,
        "the AI's time is recorded: {} ms",
        run.ai_ms
    );

    // The admin sees what the configured answer costs at that measured speed.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin
            .body
            .contains("The configured answer is 14 rows of 12 titles, about 5,208 tokens")
            && admin.body.contains("gpt-4o-mini&#39;s measured"),
        "{}",
        admin.body
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_model_that_goes_silent_is_cut_off_at_the_silence_limit() {
    let app = app_with(AiSetup::OpenAi, vec![]).await;
    app.fakes.openai.go_silent_after(3);
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let started = Instant::now();
    let (status, _) = refresh_watching(&app).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(20),
        "cut off after the 2 s of silence, not the hour the model would stay quiet: {waited:?}"
    );
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("TMDb alone") && message.contains("went silent for 2 s"),
        "{status}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_answer_cap_keeps_the_complete_rows_and_ollama_streams_too() {
    // Ollama (the fallback) streams NDJSON; OpenAI fails first.
    let app = app_with(
        AiSetup::OpenAiThenOllama,
        vec![
            ("AI_MAX_SECONDS", "6".to_owned()),
            ("AI_TIMEOUT_SECONDS", "3".to_owned()),
        ],
    )
    .await;
    app.fakes
        .openai
        .set_fault(sagarr::fakes::Fault::ServerError);
    // Two of the three rows are complete within the 6 s cap (at about 3 and 5 s of 8).
    app.fakes.ollama.stream_over(Duration::from_secs(8));
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let (status, steps) = refresh_watching(&app).await;
    let message = status["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Ollama was still writing after 6 s (AI_MAX_SECONDS)")
            && message.contains("complete rows were kept"),
        "{status}"
    );
    assert!(
        steps.iter().any(|s| s.starts_with("AI writing: 1 of")),
        "{steps:?}"
    );
    let movies = app.rows(&friend(), "movies");
    assert_eq!(
        movies[0].title, "Slow-burn sci-fi",
        "the first, complete row"
    );
    assert_eq!(app.rows(&friend(), "tv")[0].title, "Dark family sagas");
    assert!(
        app.rows(&friend(), "documentaries")
            .iter()
            .all(|r| r.title != "Real stories"),
        "the row still being written when the cap came is not kept"
    );
    let sent = app.fakes.ollama.requests();
    assert_ne!(sent.last().unwrap()["stream"], false);
    let run = &app.runs()[0];
    assert!(
        run.completion_tokens > 50 && run.ai_ms >= 6_000,
        "cut off before Ollama's own counts, the tokens are counted from the pieces received: {} in {} ms",
        run.completion_tokens,
        run.ai_ms
    );
    app.stop().await;
}
