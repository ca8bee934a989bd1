//! Ollama's native chat API: streamed NDJSON, the schema as `format`, options for temperature.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::attempt::{Attempt, Reply, send_failure};
use super::provider::{Capabilities, OutputMode, Prompt, Provider};
use super::stream::{self, Ended, Limits, Line, ProgressTx};
use crate::integrations::call::Call;
use crate::integrations::error::{UpstreamError, UpstreamErrorKind};

/// One NDJSON object of a streamed chat (or the whole answer when not streamed).
#[derive(Deserialize, Default)]
struct ChatResponse {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    model: String,
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    done_reason: Option<String>,
    #[serde(default)]
    prompt_eval_count: u64,
    #[serde(default)]
    eval_count: u64,
    /// A failure after streaming started comes as a last `{"error": "…"}` line.
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
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
    limits: Limits,
    progress: Option<&ProgressTx>,
) -> Result<Reply, Attempt> {
    let mut body = json!({
        "model": provider.model,
        "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
        "stream": true,
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
        timeout: limits.silence.min(limits.max),
    };
    let url = format!("{}/api/chat", provider.base_url.trim_end_matches('/'));
    let started = Instant::now();
    let response = call
        .open(http.post(url), &body)
        .await
        .map_err(|e| send_failure(provider, e))?;
    let ndjson = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-ndjson"));
    if response.status() != 200 || !ndjson {
        let body = super::attempt::whole_body(provider, &call, response, limits, started).await?;
        let whole: ChatResponse = call.parse(&body).map_err(Attempt::Failed)?;
        return Ok(reply(
            provider,
            caps,
            whole.model,
            whole.message.map(|m| m.content).unwrap_or_default(),
            whole.prompt_eval_count,
            whole.eval_count,
            whole.done_reason,
            Ended::Done,
        ));
    }

    let mut last = ChatResponse::default();
    let streamed = stream::read(provider, response, limits, started, progress, |line| {
        if line.is_empty() {
            return Line::Nothing;
        }
        let Ok(chunk) = serde_json::from_str::<ChatResponse>(line) else {
            return Line::Nothing;
        };
        if let Some(error) = chunk.error {
            return Line::Error(error);
        }
        let piece = chunk
            .message
            .as_ref()
            .map(|m| m.content.clone())
            .unwrap_or_default();
        if chunk.done {
            last = chunk;
            // The last object carries the counts; its content, if any, still counts.
            return if piece.is_empty() {
                Line::Done
            } else {
                Line::Content(piece)
            };
        }
        if last.model.is_empty() {
            last.model = chunk.model;
        }
        Line::Content(piece)
    })
    .await
    .map_err(Attempt::Failed)?;
    let streamed = super::attempt::settle(provider, streamed, limits)?;
    let completion_tokens = if last.eval_count > 0 {
        last.eval_count
    } else {
        streamed.written.pieces
    };
    Ok(reply(
        provider,
        caps,
        last.model,
        streamed.content,
        last.prompt_eval_count,
        completion_tokens,
        last.done_reason,
        streamed.ended,
    ))
}

#[allow(clippy::too_many_arguments)]
fn reply(
    provider: &Provider,
    caps: Capabilities,
    model: String,
    content: String,
    prompt_tokens: u64,
    completion_tokens: u64,
    finish_reason: Option<String>,
    ended: Ended,
) -> Reply {
    Reply {
        content,
        model: if model.is_empty() {
            provider.model.clone()
        } else {
            model
        },
        prompt_tokens,
        completion_tokens,
        elapsed: Duration::ZERO,
        finish_reason,
        capabilities: caps,
        ended,
    }
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
