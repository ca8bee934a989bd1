//! The AI providers against the fake AI: negotiation, usage, errors, and the fallback chain.

use std::time::Duration;

use sagarr::fakes::ai::FakeAi;
use sagarr::fakes::{Fault, Flavor};
use sagarr::integrations::UpstreamErrorKind;
use sagarr::integrations::ai::{
    self, Capabilities, OutputMode, Prompt, Provider, ProviderKind, Think,
};

use crate::helpers::{OLLAMA_MODEL, OPENAI_KEY, OPENAI_MODEL};

const LIMITS: ai::Limits = ai::Limits {
    silence: TIMEOUT,
    max: TIMEOUT,
};
const TIMEOUT: Duration = Duration::from_secs(2);

fn prompt() -> Prompt {
    Prompt {
        system: "Answer in JSON.".into(),
        user: "Suggest something.".into(),
        schema_name: "recommendations",
        schema: serde_json::json!({"type": "object", "properties": {"categories": {"type": "array"}}}),
        temperature: 0.7,
        answer_tokens: None,
    }
}

fn openai(fake: &FakeAi, key: &str) -> Provider {
    Provider {
        kind: ProviderKind::OpenAi,
        base_url: fake.openai_base(),
        api_key: key.into(),
        model: OPENAI_MODEL.into(),
        think: Think::Auto,
    }
}

#[actix_web::test]
async fn openai_gets_the_schema_and_reports_usage() {
    let fake = FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL]).unwrap();
    fake.push_reply(r#"{"categories": []}"#);
    let http = awc::Client::default();
    let reply = ai::complete(
        &http,
        &openai(&fake, OPENAI_KEY),
        &prompt(),
        Capabilities::default(),
        LIMITS,
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.content, r#"{"categories": []}"#);
    assert_eq!((reply.prompt_tokens, reply.completion_tokens), (52, 31));
    assert_eq!(
        reply.capabilities,
        Capabilities {
            mode: OutputMode::JsonSchema,
            temperature: true,
            ..Capabilities::default()
        }
    );
    let sent = &fake.requests()[0];
    assert_eq!(sent["response_format"]["type"], "json_schema");
    assert_eq!(
        sent["response_format"]["json_schema"]["name"],
        "recommendations"
    );
    assert_eq!(sent["temperature"], 0.7);
    assert_eq!(
        ai::models(&http, &openai(&fake, OPENAI_KEY), TIMEOUT)
            .await
            .unwrap(),
        vec![OPENAI_MODEL]
    );
}

#[actix_web::test]
async fn a_model_without_structured_output_or_temperature_is_asked_more_simply() {
    let fake = FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL]).unwrap();
    fake.reject_json_schema(true);
    fake.reject_temperature(true);
    let http = awc::Client::default();
    let reply = ai::complete(
        &http,
        &openai(&fake, OPENAI_KEY),
        &prompt(),
        Capabilities::default(),
        LIMITS,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        reply.capabilities,
        Capabilities {
            mode: OutputMode::JsonObject,
            temperature: false,
            ..Capabilities::default()
        }
    );
    let last = fake.requests().pop().unwrap();
    assert_eq!(last["response_format"]["type"], "json_object");
    assert!(last.get("temperature").is_none());

    // Remembered capabilities go straight to the shape that works: one request.
    let before = fake.requests().len();
    ai::complete(
        &http,
        &openai(&fake, OPENAI_KEY),
        &prompt(),
        reply.capabilities,
        LIMITS,
        None,
    )
    .await
    .unwrap();
    assert_eq!(fake.requests().len(), before + 1);
}

#[actix_web::test]
async fn ollama_native_streams_and_gets_the_schema_as_format() {
    let fake = FakeAi::start(Flavor::Ollama, None, &[OLLAMA_MODEL]).unwrap();
    let http = awc::Client::default();
    let provider = Provider {
        kind: ProviderKind::Ollama,
        base_url: fake.url.clone(),
        api_key: Default::default(),
        model: OLLAMA_MODEL.into(),
        think: Think::Auto,
    };
    let reply = ai::complete(
        &http,
        &provider,
        &prompt(),
        Capabilities::default(),
        LIMITS,
        None,
    )
    .await
    .unwrap();
    assert_eq!((reply.prompt_tokens, reply.completion_tokens), (34, 12));
    assert_eq!(
        reply.content, r#"{"ok": true}"#,
        "pieced together from the NDJSON lines"
    );
    let sent = &fake.requests()[0];
    assert_eq!(
        sent["stream"], true,
        "streamed, so a slow model is heard out"
    );
    assert_eq!(sent["format"]["type"], "object");
    assert_eq!(sent["options"]["temperature"], 0.7);
    assert_eq!(
        ai::models(&http, &provider, TIMEOUT).await.unwrap(),
        vec![OLLAMA_MODEL]
    );

    fake.reject_json_schema(true);
    let reply = ai::complete(
        &http,
        &provider,
        &prompt(),
        Capabilities::default(),
        LIMITS,
        None,
    )
    .await
    .unwrap();
    assert_eq!(reply.capabilities.mode, OutputMode::JsonObject);
    assert_eq!(fake.requests().last().unwrap()["format"], "json");

    let missing = Provider {
        model: "llama9".into(),
        ..provider
    };
    let err = ai::complete(
        &http,
        &missing,
        &prompt(),
        Capabilities::default(),
        LIMITS,
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ollama failed (HTTP 404): model 'llama9' not found"
    );
}

#[actix_web::test]
async fn ai_errors_name_the_provider_and_reason_without_the_key() {
    let fake = FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL]).unwrap();
    let http = awc::Client::default();
    let complete = |provider: Provider| async move {
        ai::complete(
            &awc::Client::default(),
            &provider,
            &prompt(),
            Capabilities::default(),
            LIMITS,
            None,
        )
        .await
        .unwrap_err()
    };
    assert_eq!(
        complete(openai(&fake, "sk-wrong")).await.to_string(),
        "OpenAI refused the API key"
    );
    fake.set_fault(Fault::RateLimited);
    assert!(matches!(
        complete(openai(&fake, OPENAI_KEY)).await.kind,
        UpstreamErrorKind::RateLimited { .. }
    ));
    fake.set_fault(Fault::ServerError);
    let err = complete(openai(&fake, OPENAI_KEY)).await;
    assert!(
        err.to_string()
            .starts_with("OpenAI failed (HTTP 500): The server had an error"),
        "{err}"
    );
    fake.set_fault(Fault::Malformed);
    assert!(matches!(
        complete(openai(&fake, OPENAI_KEY)).await.kind,
        UpstreamErrorKind::Unexpected(_)
    ));
    fake.set_fault(Fault::Slow(Duration::from_secs(4)));
    let err = complete(openai(&fake, OPENAI_KEY)).await;
    assert!(err.to_string().contains("did not answer within"), "{err}");
    assert!(!format!("{err:?}").contains(OPENAI_KEY));
    drop(http);
}

#[actix_web::test]
async fn the_fallback_answers_when_the_first_provider_fails_and_says_so() {
    let primary = FakeAi::start(Flavor::OpenAi, Some(OPENAI_KEY), &[OPENAI_MODEL]).unwrap();
    let fallback = FakeAi::start(Flavor::Ollama, None, &[OLLAMA_MODEL]).unwrap();
    primary.set_fault(Fault::ServerError);
    let http = awc::Client::default();
    let providers = [
        (openai(&primary, OPENAI_KEY), Capabilities::default()),
        (
            Provider {
                kind: ProviderKind::Ollama,
                base_url: fallback.url.clone(),
                api_key: Default::default(),
                model: OLLAMA_MODEL.into(),
                think: Think::Auto,
            },
            Capabilities::default(),
        ),
    ];
    let answer = ai::complete_with_fallback(&http, &providers, &prompt(), LIMITS)
        .await
        .ok()
        .unwrap();
    assert_eq!(answer.provider_index, 1);
    assert_eq!(answer.failures.len(), 1);
    assert!(
        answer.failures[0]
            .to_string()
            .starts_with("OpenAI failed (HTTP 500)")
    );

    fallback.set_fault(Fault::ServerError);
    let failures = ai::complete_with_fallback(&http, &providers, &prompt(), LIMITS)
        .await
        .err()
        .unwrap();
    assert_eq!(failures.len(), 2);
}
