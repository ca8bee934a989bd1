//! Ollama's native chat API: `stream: false`, the schema as `format`, options for temperature.

use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::{Attempt, Capabilities, OutputMode, Prompt, Provider, Reply, classify, send_failure};
use crate::integrations::{Call, UpstreamError, UpstreamErrorKind};

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    model: String,
    message: Message,
    #[serde(default)]
    done_reason: Option<String>,
    #[serde(default)]
    prompt_eval_count: u64,
    #[serde(default)]
    eval_count: u64,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: String,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default)]
    models: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    name: String,
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
        "stream": false,
    });
    match caps.mode {
        OutputMode::JsonSchema => body["format"] = prompt.schema.clone(),
        OutputMode::JsonObject => body["format"] = json!("json"),
        OutputMode::Plain => {}
    }
    if caps.temperature {
        body["options"] = json!({"temperature": prompt.temperature});
    }
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &[],
        timeout,
    };
    let url = format!("{}/api/chat", provider.base_url.trim_end_matches('/'));
    let answer = call
        .send(http.post(url), Some(&body))
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
    let response: ChatResponse = call.parse(&answer.body).map_err(Attempt::Failed)?;
    Ok(Reply {
        content: response.message.content,
        model: if response.model.is_empty() {
            provider.model.clone()
        } else {
            response.model
        },
        prompt_tokens: response.prompt_eval_count,
        completion_tokens: response.eval_count,
        elapsed: Duration::ZERO,
        finish_reason: response.done_reason,
        capabilities: caps,
    })
}

pub(super) async fn models(
    http: &awc::Client,
    provider: &Provider,
    timeout: Duration,
) -> Result<Vec<String>, UpstreamError> {
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &[],
        timeout,
    };
    let url = format!("{}/api/tags", provider.base_url.trim_end_matches('/'));
    let answer = call.send(http.get(url), None).await?;
    if answer.status != 200 {
        return Err(provider.error(UpstreamErrorKind::Failed {
            status: answer.status,
            message: String::new(),
        }));
    }
    let tags: Tags = call.parse(&answer.body)?;
    Ok(tags.models.into_iter().map(|m| m.name).collect())
}
