//! OpenAI's chat completions API, which OpenRouter, LocalAI and Ollama's `/v1` also speak.
//! Answers are streamed (server-sent events) so a slow model is heard out.

use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;

use super::attempt::{Attempt, Reply, classify, send_failure};
use super::kind::ProviderKind;
use super::provider::{Capabilities, OutputMode, Prompt, Provider, Think};
use super::stream::{self, Ended, Limits, Line, ProgressTx};
use crate::integrations::call::Call;
use crate::integrations::error::{UpstreamError, UpstreamErrorKind};

#[derive(Deserialize)]
struct Completion {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
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

/// One server-sent event of a streamed completion.
#[derive(Deserialize)]
struct Chunk {
    #[serde(default, deserialize_with = "crate::integrations::lenient::string")]
    model: String,
    #[serde(default)]
    choices: Vec<ChunkChoice>,
    #[serde(default)]
    usage: Option<Usage>,
    /// OpenRouter and others report a failure after the 200 inside the stream.
    #[serde(default)]
    error: Option<StreamError>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    #[serde(default)]
    delta: Delta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
    /// A reasoning model's thinking: `reasoning` on Ollama's `/v1`, `reasoning_content` on
    /// llama.cpp's server, vLLM and DeepSeek. Never part of the answer.
    #[serde(default)]
    reasoning: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
}

impl Delta {
    fn is_thinking(&self) -> bool {
        [&self.reasoning, &self.reasoning_content]
            .into_iter()
            .any(|r| r.as_deref().is_some_and(|r| !r.is_empty()))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StreamError {
    Object {
        #[serde(default)]
        message: Option<String>,
    },
    Text(String),
}

impl StreamError {
    fn message(&self) -> Option<String> {
        match self {
            Self::Object { message } => message.clone(),
            Self::Text(text) => Some(text.clone()),
        }
    }
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the stream reported an error")
    }
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
        request = request.insert_header((
            "Authorization",
            format!("Bearer {}", provider.api_key.expose()),
        ));
    }
    request
}

/// The streamed chat request for `prompt`, asking only for what `caps` says the server takes.
fn chat_body(provider: &Provider, prompt: &Prompt, caps: Capabilities) -> serde_json::Value {
    let mut body = json!({
        "model": provider.model,
        "messages": [{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
        "stream": true,
        "stream_options": {"include_usage": true},
    });
    if caps.temperature {
        body["temperature"] = json!(prompt.temperature);
    }
    // A local server (llama-cpp-python) goes on writing after Sagarr gives up, and serves one
    // request at a time: cap the answer. OpenAI itself bills what is written, and counts a
    // reasoning model's thinking in the cap, so it is not capped.
    if caps.max_tokens
        && provider.kind != ProviderKind::OpenAi
        && let Some(max) = prompt.max_tokens(provider.think)
    {
        body["max_tokens"] = json!(max);
    }
    if provider.think == Think::Off && caps.reasoning_effort {
        body["reasoning_effort"] = json!("none");
    }
    match caps.mode {
        OutputMode::JsonSchema => {
            body["response_format"] = json!({"type": "json_schema",
                "json_schema": {"name": prompt.schema_name, "schema": prompt.schema, "strict": false}});
        }
        OutputMode::JsonObject => body["response_format"] = json!({"type": "json_object"}),
        OutputMode::Plain => {}
    }
    body
}

/// What a stream said besides its content: the model that answered, its usage, why it
/// finished, and a refusal.
#[derive(Default)]
struct Heard {
    model: String,
    usage: Option<Usage>,
    finish_reason: Option<String>,
    refusal: String,
}

impl Heard {
    /// One line of the server-sent events.
    fn line(&mut self, line: &str) -> Line {
        let Some(data) = line.strip_prefix("data:").map(str::trim) else {
            return Line::Nothing; // blank lines, `: keep-alive` comments, `event:` lines
        };
        if data == "[DONE]" {
            return Line::Done;
        }
        let Ok(chunk) = serde_json::from_str::<Chunk>(data) else {
            return Line::Nothing;
        };
        if let Some(error) = chunk.error {
            return Line::Error(error.message().unwrap_or_else(|| error.to_string()));
        }
        if self.model.is_empty() {
            self.model = chunk.model;
        }
        if chunk.usage.is_some() {
            self.usage = chunk.usage;
        }
        let Some(choice) = chunk.choices.into_iter().next() else {
            return Line::Nothing;
        };
        if choice.finish_reason.is_some() {
            self.finish_reason = choice.finish_reason;
        }
        if let Some(r) = &choice.delta.refusal {
            self.refusal.push_str(r);
        }
        match choice.delta.content {
            Some(content) if !content.is_empty() => Line::Content(content),
            _ if choice.delta.is_thinking() => Line::Thinking,
            _ => Line::Nothing,
        }
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
    let body = chat_body(provider, prompt, caps);
    let secrets = [provider.api_key.expose()];
    let call = Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &secrets,
        timeout: limits.silence.min(limits.max),
    };
    let started = Instant::now();
    let response = call
        .open(
            request(http, provider, "/chat/completions", awc::http::Method::POST),
            &body,
        )
        .await
        .map_err(|e| send_failure(provider, e))?;
    if response.status() != 200 || !is_event_stream(&response) {
        let body = super::attempt::whole_body(provider, &call, response, limits, started).await?;
        return whole_answer(provider, &call, &body, caps);
    }

    let mut heard = Heard::default();
    let streamed = stream::read(provider, response, limits, started, progress, |line| {
        heard.line(line)
    })
    .await
    .map_err(Attempt::Failed)?;
    let mut streamed = streamed;
    // Without `[DONE]`, a `finish_reason` still says the model finished; without either, the
    // stream was cut (a proxy or server that died mid-answer).
    let Heard {
        model,
        usage,
        finish_reason,
        refusal,
    } = heard;
    if streamed.ended == Ended::Cut && finish_reason.is_some() {
        streamed.ended = Ended::Done;
    }
    if streamed.ended == Ended::Done && finish_reason.as_deref() == Some("length") {
        streamed.ended = Ended::Length;
    }
    if streamed.content.is_empty() && !refusal.is_empty() {
        return Err(Attempt::Failed(
            provider.error(UpstreamErrorKind::Refused(refusal)),
        ));
    }
    let usage = usage.unwrap_or_default();
    let streamed = super::attempt::settle(provider, streamed, limits)?;
    Ok(Reply {
        content: streamed.content,
        model: if model.is_empty() {
            provider.model.clone()
        } else {
            model
        },
        prompt_tokens: usage.prompt_tokens,
        // Without a usage chunk, each content piece is about one token.
        completion_tokens: if usage.completion_tokens > 0 {
            usage.completion_tokens
        } else {
            streamed.written.pieces
        },
        elapsed: Duration::ZERO,
        finish_reason,
        capabilities: caps,
        ended: streamed.ended,
        stream_error: streamed.error,
        thinking: streamed.thinking,
        context: None,
    })
}

fn is_event_stream(response: &crate::integrations::Opened) -> bool {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// A whole (not streamed) completion.
fn whole_answer(
    provider: &Provider,
    call: &Call<'_>,
    body: &[u8],
    caps: Capabilities,
) -> Result<Reply, Attempt> {
    let completion: Completion = call.parse(body).map_err(Attempt::Failed)?;
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
        ended: if choice.finish_reason.as_deref() == Some("length") {
            Ended::Length
        } else {
            Ended::Done
        },
        finish_reason: choice.finish_reason,
        capabilities: caps,
        stream_error: None,
        thinking: None,
        context: None,
    })
}

pub(super) async fn models(
    http: &awc::Client,
    provider: &Provider,
    timeout: Duration,
) -> Result<Vec<String>, UpstreamError> {
    let secrets = [provider.api_key.expose()];
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
