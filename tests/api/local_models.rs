//! The AI as people run it in 2026 (docs/recommendations.md "Thinking and context", docs/upstreams.md
//! "The AI", its "Real OpenAI-compatible servers"): models that think before they answer,
//! Ollama's context, answers that stop early and say why, servers that refuse `json_schema`
//! with a 500, text around the JSON, and an admin Test that checks what the model answered.

use std::time::{Duration, Instant};

use sagarr::fakes::ai::{Ending, Thinking};
use serde_json::{Value, json};

use crate::helpers::{AiSetup, GOOD_ANSWER, Options, TestApp, owner};
use crate::streaming::{app_with, refresh_watching};

fn message(status: &Value) -> &str {
    status["message"].as_str().unwrap_or_default()
}

/// The three rows of [`GOOD_ANSWER`], as the AI's.
fn from_the_ai(status: &Value) {
    let said = message(status);
    assert!(
        said.starts_with("Found") && !said.contains("TMDb alone"),
        "the AI's answer was used: {status}"
    );
}

/// The last chat request the fake received.
fn last_request(requests: &[Value]) -> &Value {
    requests.last().expect("the AI was asked")
}

#[actix_web::test]
async fn a_model_that_thinks_longer_than_the_silence_limit_is_heard_out_in_each_dialect() {
    // AI_TIMEOUT_SECONDS is 2 in tests; each model thinks for 4 s before its first word.
    for (ai, field) in [
        (AiSetup::Ollama, Thinking::OllamaNative),
        (AiSetup::OpenAiCompatible, Thinking::Reasoning),
        (AiSetup::OpenAiCompatible, Thinking::ReasoningContent),
    ] {
        let app = app_with(ai, vec![]).await;
        let fake = if ai == AiSetup::Ollama {
            &app.fakes.ollama
        } else {
            &app.fakes.openai
        };
        fake.think_for(Duration::from_secs(4), field);
        fake.push_reply(GOOD_ANSWER);
        let (status, steps) = refresh_watching(&app).await;
        from_the_ai(&status);
        assert!(
            steps.iter().any(|s| s == "AI thinking"),
            "{field:?}: the status says it thinks: {steps:?}"
        );
        let run = &app.runs()[0];
        assert!(
            run.ai_think_ms >= 3_500,
            "{field:?}: the thinking time is kept: {} ms",
            run.ai_think_ms
        );
        assert!(
            !app.rows(&crate::helpers::friend(), "movies").is_empty(),
            "{field:?}"
        );
        app.stop().await;
    }
}

#[actix_web::test]
async fn ai_max_seconds_still_caps_a_model_that_only_thinks() {
    let app = app_with(AiSetup::Ollama, vec![("AI_MAX_SECONDS", "3".to_owned())]).await;
    app.fakes
        .ollama
        .think_for(Duration::from_secs(30), Thinking::OllamaNative);
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let started = Instant::now();
    let (status, _) = refresh_watching(&app).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(
        message(&status).contains("TMDb alone") && message(&status).contains("within 3 s"),
        "{status}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn ai_think_off_asks_ollama_and_openai_style_servers_not_to_think() {
    let app = app_with(AiSetup::Ollama, vec![("AI_THINK", "off".to_owned())]).await;
    app.fakes
        .ollama
        .think_for(Duration::from_secs(4), Thinking::OllamaNative);
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let (status, steps) = refresh_watching(&app).await;
    from_the_ai(&status);
    let requests = app.fakes.ollama.requests();
    assert_eq!(last_request(&requests)["think"], false);
    assert!(!steps.iter().any(|s| s == "AI thinking"), "{steps:?}");
    assert_eq!(app.runs()[0].ai_think_ms, 0);

    // The admin page shows the setting, where it comes from, and what it means.
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    assert!(
        admin.body.contains(
            r#"<option value="off" selected>Off: ask thinking models not to think</option>"#
        ),
        "{}",
        admin.body
    );
    assert!(
        admin.body.contains("Thinking is off (AI_THINK=off)."),
        "{}",
        admin.body
    );
    app.stop().await;

    let app = app_with(
        AiSetup::OpenAiCompatible,
        vec![("AI_THINK", "off".to_owned())],
    )
    .await;
    app.fakes
        .openai
        .think_for(Duration::from_secs(4), Thinking::Reasoning);
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, steps) = refresh_watching(&app).await;
    from_the_ai(&status);
    let requests = app.fakes.openai.requests();
    assert_eq!(last_request(&requests)["reasoning_effort"], "none");
    assert!(!steps.iter().any(|s| s == "AI thinking"), "{steps:?}");
    app.stop().await;
}

#[actix_web::test]
async fn the_admin_page_tells_a_local_model_user_what_thinking_and_context_cost() {
    let app = app_with(AiSetup::Ollama, vec![]).await;
    app.fakes
        .ollama
        .think_for(Duration::from_secs(3), Thinking::OllamaNative);
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    app.forget_cookies();
    app.signed_in_as(&owner()).await;
    let admin = app.get("/admin").await;
    for said in [
        "llama3.1:8b thought for about 3 s before writing",
        "AI_THINK=off skips that",
        "Sagarr asks Ollama for a context (num_ctx) of",
        "llama3.1:8b holds 131,072",
        "llama3.1:8b&#39;s measured",
    ] {
        assert!(admin.body.contains(said), "{said} missing: {}", admin.body);
    }
    app.stop().await;
}

/// An answer as long as a real one: 14 rows of 12 titles, each with its reason.
fn long_answer() -> String {
    let titles: Vec<&sagarr::fakes::catalog::Title> = sagarr::fakes::catalog::TITLES
        .iter()
        .filter(|t| t.kind == sagarr::media::Kind::Movie)
        .collect();
    let rows: Vec<Value> = (0..14)
        .map(|row| {
            let items: Vec<Value> = (0..12)
                .map(|i| {
                    let t = titles[(row * 12 + i) % titles.len()];
                    json!({"title": t.title, "year": t.year(), "tmdb_id": t.tmdb_id,
                        "because": "Arrival, for the same quiet sense of wonder and scale"})
                })
                .collect();
            json!({"title": format!("Row {row}"), "reason": "Close to what you watched most",
                "kind": "movie", "items": items})
        })
        .collect();
    json!({"categories": rows}).to_string()
}

#[actix_web::test]
async fn ollama_is_asked_for_a_context_that_holds_the_prompt_and_the_answer() {
    let app = app_with(AiSetup::Ollama, vec![]).await;
    // Without num_ctx, Ollama's 4,096 tokens cannot hold the prompt and this answer: the start
    // of the prompt would be shifted out, and the answer would be of no use.
    let answer = long_answer();
    app.fakes.ollama.push_reply(&answer);
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    let requests = app.fakes.ollama.requests();
    let sent = last_request(&requests);
    let prompt_chars: usize = sent["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap().len())
        .sum();
    let num_ctx = sent["options"]["num_ctx"].as_u64().unwrap_or(0);
    let num_predict = sent["options"]["num_predict"].as_u64().unwrap_or(0);
    assert!(
        num_predict >= 5_208 && num_ctx >= num_predict + (prompt_chars / 4) as u64,
        "num_ctx {num_ctx} holds the prompt ({prompt_chars} chars) and num_predict {num_predict}"
    );
    assert_eq!(num_ctx % 1_024, 0);
    assert_eq!(
        app.runs()[0].ai_context as u64,
        num_ctx,
        "kept with the run"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_model_whose_context_is_too_small_is_asked_for_fewer_titles_and_the_run_says_so() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::Ollama,
        extra_env: vec![("AI_THINK", "off".to_owned())],
        ..Options::default()
    })
    .await;
    // The model holds 8,192 tokens, as `/api/show` says from the first refresh on.
    app.fakes.ollama.set_context_length(8_192);
    crate::helpers::watch_history(&app.fakes.tautulli);
    app.signed_in_as(&crate::helpers::friend()).await;
    app.wait_for_refresh().await;
    app.fakes.ollama.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    let said = message(&status);
    assert!(
        said.contains("llama3.1:8b's context holds 8,192 tokens, so")
            && said.contains("titles per row were asked for instead of 12"),
        "{status}"
    );
    let requests = app.fakes.ollama.requests();
    let sent = last_request(&requests);
    assert!(
        sent["options"]["num_ctx"].as_u64().unwrap_or(0) <= 8_192,
        "{sent}"
    );
    let prompt = sent["messages"][1]["content"].as_str().unwrap_or_default();
    assert!(
        !prompt.contains("rows of 12 movies"),
        "the prompt asks for fewer titles"
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_answer_that_stopped_at_its_length_limit_keeps_its_rows_and_says_why() {
    for ai in [AiSetup::OpenAiCompatible, AiSetup::Ollama] {
        let app = app_with(ai, vec![]).await;
        let fake = if ai == AiSetup::Ollama {
            &app.fakes.ollama
        } else {
            &app.fakes.openai
        };
        // Two rows complete, the third cut: `finish_reason` / `done_reason` "length".
        let cut = GOOD_ANSWER.find("Real stories").unwrap() / 6;
        fake.end_with(Ending::LengthAfter(cut));
        fake.push_reply(GOOD_ANSWER);
        let (status, _) = refresh_watching(&app).await;
        assert!(
            message(&status).contains(
                "stopped at its length limit after 2 of 14 rows; its 2 complete rows were kept."
            ),
            "{status}"
        );
        assert_eq!(
            app.rows(&crate::helpers::friend(), "tv")[0].title,
            "Dark family sagas"
        );
        app.stop().await;
    }
}

#[actix_web::test]
async fn a_stream_cut_without_its_last_message_is_not_a_normal_success() {
    let app = app_with(AiSetup::OpenAiCompatible, vec![]).await;
    let cut = GOOD_ANSWER.find("Real stories").unwrap() / 6;
    app.fakes.openai.end_with(Ending::CutAfter(cut));
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    assert!(
        message(&status).contains(
            "stopped mid-answer (the stream ended before its last message) after 2 of 14 rows"
        ),
        "{status}"
    );

    // Cut before any complete row: the AI failed, named; TMDb fills in.
    app.fakes.openai.end_with(Ending::CutAfter(3));
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    assert!(
        message(&status).contains("TMDb alone")
            && message(&status)
                .contains("broke off mid-answer: the stream ended before its last message"),
        "{status}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn an_error_inside_the_stream_keeps_the_complete_rows_and_names_the_error() {
    let app = app_with(AiSetup::OpenAiCompatible, vec![]).await;
    let cut = GOOD_ANSWER.find("Real stories").unwrap() / 6;
    // LiteLLM's words when its upstream dropped (docs/upstreams.md).
    let error =
        "litellm.APIConnectionError: APIConnectionError: OpenAIException - Connection error.";
    app.fakes
        .openai
        .end_with(Ending::ErrorAfter(cut, error.to_owned()));
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    let said = message(&status);
    assert!(
        said.contains(&format!(
            "broke off mid-answer ({error}) after 2 of 14 rows"
        )) && said.contains("its 2 complete rows were kept"),
        "{status}"
    );
    assert!(!said.contains("HTTP 200"), "{status}");
    assert_eq!(
        app.rows(&crate::helpers::friend(), "movies")[0].title,
        "Slow-burn sci-fi"
    );
    app.stop().await;
}

#[actix_web::test]
async fn a_server_that_refuses_json_schema_with_a_500_is_asked_for_json_object() {
    let app = app_with(AiSetup::OpenAiCompatible, vec![]).await;
    app.fakes.openai.reject_json_schema_with_500(true);
    app.fakes.openai.usage_like_litellm();
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    let requests = app.fakes.openai.requests();
    let sent = last_request(&requests);
    assert_eq!(sent["response_format"]["type"], "json_object");
    let max_tokens = sent["max_tokens"].as_u64().unwrap_or(0);
    assert!(
        (5_208..20_000).contains(&max_tokens),
        "max_tokens sized to the expected answer: {max_tokens}"
    );
    assert_eq!(
        app.runs()[0].completion_tokens,
        31,
        "LiteLLM's usage chunk is read"
    );
    app.stop().await;
}

#[actix_web::test]
async fn openai_itself_gets_no_answer_cap() {
    let app = app_with(AiSetup::OpenAi, vec![]).await;
    app.fakes.openai.push_reply(GOOD_ANSWER);
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    let requests = app.fakes.openai.requests();
    assert!(last_request(&requests).get("max_tokens").is_none());
    app.stop().await;
}

#[actix_web::test]
async fn json_after_a_think_block_or_a_sentence_is_found() {
    let app = app_with(AiSetup::OpenAiCompatible, vec![]).await;
    app.fakes.openai.push_reply(&format!(
        "<think>They liked Arrival; [movie 278] fits {{maybe}}.</think>\nHere you go: {GOOD_ANSWER}"
    ));
    let before = app.fakes.openai.requests().len();
    let (status, _) = refresh_watching(&app).await;
    from_the_ai(&status);
    assert_eq!(
        app.fakes.openai.requests().len(),
        before + 1,
        "read at the first try: no corrective retry"
    );
    app.stop().await;
}

/// The admin's Test of the saved AI section.
async fn test_ai(app: &TestApp) -> Value {
    let page = app
        .get_with("/api/admin/test/ai", &[("Accept", "application/json")])
        .await;
    serde_json::from_str(&page.body).unwrap_or_default()
}

#[actix_web::test]
async fn the_ai_test_checks_that_the_answer_parses_as_asked() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAiCompatible,
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    let result = test_ai(&app).await;
    assert_eq!(result["ok"], true, "{result}");
    app.fakes
        .openai
        .set_default_reply("Sure! I am working fine, thanks for asking.");
    let result = test_ai(&app).await;
    assert_eq!(result["ok"], false, "{result}");
    assert!(
        result["message"]
            .as_str()
            .is_some_and(|m| m.contains("not with the JSON it was asked for")),
        "{result}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn the_ai_test_says_when_an_openai_compatible_url_is_ollamas_v1() {
    let app = TestApp::spawn_with(Options {
        ai: AiSetup::OpenAiCompatible,
        extra_env: Vec::new(),
        ..Options::default()
    })
    .await;
    app.signed_in_as(&owner()).await;
    app.wait_for_refresh().await;
    let ollama_v1 = format!("{}/v1", app.fakes.ollama.url);
    let page = app
        .htmx_post(
            "/admin/test/ai",
            &[
                ("provider", "openai-compatible"),
                ("base_url", &ollama_v1),
                ("model", crate::helpers::OLLAMA_MODEL),
                ("api_key", "unused-by-ollama"),
            ],
        )
        .await;
    assert!(
        page.body.contains("cannot set the")
            && page.body.contains("context size (num_ctx)")
            && page.body.contains("Choose the Ollama provider"),
        "{}",
        page.body
    );

    // The native provider says what context it asked for, and what the model holds.
    let page = app
        .htmx_post(
            "/admin/test/ai",
            &[
                ("provider", "ollama"),
                ("base_url", &app.fakes.ollama.url),
                ("model", crate::helpers::OLLAMA_MODEL),
                ("api_key", "unused-by-ollama"),
            ],
        )
        .await;
    assert!(
        page.body
            .contains("-token context, llama3.1:8b holds 131,072"),
        "{}",
        page.body
    );
    app.stop().await;
}
