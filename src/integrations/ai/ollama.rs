//! Ollama's native chat API: streamed NDJSON, the schema as `format`, options for temperature.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::attempt::{Attempt, Reply, send_failure};
use super::provider::{Capabilities, OutputMode, Prompt, Provider, Think};
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
    /// A thinking model's reasoning (on by default since Ollama 0.12.4): never the answer.
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    thinking: String,
}

/// `POST /api/show`, the part we read: `model_info` holds `<family>.context_length`.
#[derive(Deserialize)]
struct Show {
    #[serde(default)]
    model_info: serde_json::Map<String, serde_json::Value>,
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

/// The streamed `/api/chat` request for `prompt` within `context` tokens, asking only for
/// what `caps` says the server takes.
fn chat_body(
    provider: &Provider,
    prompt: &Prompt,
    caps: Capabilities,
    context: u64,
) -> serde_json::Value {
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
    if provider.think == Think::Off {
        body["think"] = json!(false);
    }
    let mut options = json!({"num_ctx": context});
    if caps.temperature {
        options["temperature"] = json!(prompt.temperature);
    }
    if let Some(max) = prompt.max_tokens(provider.think) {
        options["num_predict"] = json!(max);
    }
    body["options"] = options;
    body
}

/// One line of the NDJSON stream; `last` keeps the model that answered and the last object
/// (which carries the counts and why it ended).
fn heard(last: &mut ChatResponse, line: &str) -> Line {
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
    let thinking = chunk
        .message
        .as_ref()
        .is_some_and(|m| !m.thinking.is_empty());
    if chunk.done {
        *last = chunk;
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
    if piece.is_empty() && thinking {
        Line::Thinking
    } else {
        Line::Content(piece)
    }
}

pub(super) async fn chat(
    http: &awc::Client,
    provider: &Provider,
    prompt: &Prompt,
    caps: Capabilities,
    limits: Limits,
    progress: Option<&ProgressTx>,
) -> Result<Reply, Attempt> {
    // The context must hold the prompt and the answer, or Ollama cuts the prompt's start (the
    // history, the exclusions, the rating limit) without a word.
    let context = prompt.context_tokens(provider.think, caps.context_length);
    let body = chat_body(provider, prompt, caps, context);
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
        let ended = ended_by(whole.done_reason.as_deref(), Ended::Done);
        let mut answer = reply(
            provider,
            caps,
            whole.model,
            whole.message.map(|m| m.content).unwrap_or_default(),
            whole.prompt_eval_count,
            whole.eval_count,
            whole.done_reason,
            ended,
        );
        answer.context = Some(context);
        return Ok(answer);
    }

    let mut last = ChatResponse::default();
    let streamed = stream::read(provider, response, limits, started, progress, |line| {
        heard(&mut last, line)
    })
    .await
    .map_err(Attempt::Failed)?;
    let mut streamed = streamed;
    // A last object with content ends the read as content: `done` still says it finished.
    if streamed.ended == Ended::Cut && last.done {
        streamed.ended = Ended::Done;
    }
    streamed.ended = ended_by(last.done_reason.as_deref(), streamed.ended);
    let thinking = streamed.thinking;
    let streamed = super::attempt::settle(provider, streamed, limits)?;
    let completion_tokens = if last.eval_count > 0 {
        last.eval_count
    } else {
        streamed.written.pieces
    };
    let mut answer = reply(
        provider,
        caps,
        last.model,
        streamed.content,
        last.prompt_eval_count,
        completion_tokens,
        last.done_reason,
        streamed.ended,
    );
    answer.stream_error = streamed.error;
    answer.thinking = thinking;
    answer.context = Some(context);
    Ok(answer)
}

/// `done_reason: "length"`: the model ran out of room (`num_predict`, or the context).
fn ended_by(done_reason: Option<&str>, ended: Ended) -> Ended {
    match (done_reason, ended) {
        (Some("length"), Ended::Done) => Ended::Length,
        _ => ended,
    }
}

/// The model's own longest context (`POST /api/show`, `model_info["<family>.context_length"]`).
pub(super) async fn context_length(
    http: &awc::Client,
    provider: &Provider,
    timeout: Duration,
) -> Result<Option<u64>, UpstreamError> {
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &[],
        timeout,
    };
    let url = format!("{}/api/show", provider.base_url.trim_end_matches('/'));
    let answer = call
        .send(http.post(url), Some(&json!({"model": provider.model})))
        .await?;
    if answer.status != 200 {
        return Ok(None);
    }
    let show: Show = call.parse(&answer.body)?;
    Ok(show
        .model_info
        .iter()
        .find(|(key, _)| key.ends_with(".context_length"))
        .and_then(|(_, value)| value.as_u64()))
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
        stream_error: None,
        thinking: None,
        context: None,
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
