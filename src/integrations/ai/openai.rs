//! OpenAI's chat completions API, which OpenRouter, LocalAI and Ollama's `/v1` also speak.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{Attempt, Capabilities, OutputMode, Prompt, Provider, Reply, classify, send_failure};
use crate::integrations::{Call, UpstreamError, UpstreamErrorKind};

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    model: String,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize, Default)]
struct Usage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

#[derive(Deserialize)]
struct ModelList {
    #[serde(default)]
    data: Vec<ModelEntry>,
}

#[derive(Deserialize)]
struct ModelEntry {
    id: String,
}

fn request(
    http: &awc::Client,
    provider: &Provider,
    path: &str,
    method: awc::http::Method,
) -> awc::ClientRequest {
    let mut request = http
        .request(
            method,
            format!("{}{path}", provider.base_url.trim_end_matches('/')),
        )
        .insert_header(("Accept", "application/json"));
    if !provider.api_key.is_empty() {
        request = request.insert_header(("Authorization", format!("Bearer {}", provider.api_key)));
    }
    request
}

pub(super) async fn chat(
    http: &awc::Client,
    provider: &Provider,
    prompt: &Prompt,
    caps: Capabilities,
    timeout: Duration,
) -> Result<Reply, Attempt> {
    let mut body = json!({
        "model": provider.model,
        "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
    });
    if caps.temperature {
        body["temperature"] = json!(prompt.temperature);
    }
    match caps.mode {
        OutputMode::JsonSchema => {
            body["response_format"] = json!({"type": "json_schema",
                "json_schema": {"name": prompt.schema_name, "schema": prompt.schema, "strict": false}});
        }
        OutputMode::JsonObject => body["response_format"] = json!({"type": "json_object"}),
        OutputMode::Plain => {}
    }
    let secrets = [provider.api_key.as_str()];
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &secrets,
        timeout,
    };
    let answer = call
        .send(
            request(http, provider, "/chat/completions", awc::http::Method::POST),
            Some(&body),
        )
        .await
        .map_err(|e| send_failure(provider, e))?;
    if answer.status != 200 {
        return Err(classify(
            provider,
            answer.status,
            &answer.body,
            answer.retry_after,
        ));
    }
    let completion: Completion = call.parse(&answer.body).map_err(Attempt::Failed)?;
    let usage = completion.usage.unwrap_or_default();
    let choice = completion.choices.into_iter().next().ok_or_else(|| {
        Attempt::Failed(provider.error(UpstreamErrorKind::Unexpected(
            "the answer had no choices".to_owned(),
        )))
    })?;
    let content = match (choice.message.content, choice.message.refusal) {
        (Some(content), _) if !content.is_empty() => content,
        (_, Some(refusal)) => {
            return Err(Attempt::Failed(
                provider.error(UpstreamErrorKind::Refused(refusal)),
            ));
        }
        _ => String::new(),
    };
    Ok(Reply {
        content,
        model: if completion.model.is_empty() {
            provider.model.clone()
        } else {
            completion.model
        },
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        elapsed: Duration::ZERO,
        finish_reason: choice.finish_reason,
        capabilities: caps,
    })
}

pub(super) async fn models(
    http: &awc::Client,
    provider: &Provider,
    timeout: Duration,
) -> Result<Vec<String>, UpstreamError> {
    let secrets = [provider.api_key.as_str()];
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &secrets,
        timeout,
    };
    let answer = call
        .send(
            request(http, provider, "/models", awc::http::Method::GET),
            None,
        )
        .await?;
    if answer.status != 200 {
        return Err(
            match classify(provider, answer.status, &answer.body, answer.retry_after) {
                Attempt::Failed(e) => e,
                Attempt::Unsupported(_) => provider.error(UpstreamErrorKind::Failed {
                    status: answer.status,
                    message: String::new(),
                }),
            },
        );
    }
    let list: ModelList = call.parse(&answer.body)?;
    Ok(list.data.into_iter().map(|m| m.id).collect())
}
