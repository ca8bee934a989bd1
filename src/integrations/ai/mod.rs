//! AI chat providers (docs/upstreams.md, AI): OpenAI, Ollama's native API, and any OpenAI-compatible
//! endpoint (LocalAI, OpenRouter, Ollama's `/v1`). Structured output is negotiated per provider
//! (json_schema, then json_object, then plain text) and the result remembered by the caller.

mod ollama;
mod openai;
pub mod stream;

use std::time::{Duration, Instant};

pub use stream::{Ended, Limits, ProgressTx, Written};

use serde::{Deserialize, Serialize};

use super::{Service, UpstreamError, UpstreamErrorKind};

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderKind {
    OpenAi,
    Ollama,
    OpenAiCompatible,
}

impl ProviderKind {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "openai" => Some(Self::OpenAi),
            "ollama" => Some(Self::Ollama),
            "openai-compatible" => Some(Self::OpenAiCompatible),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenAi => "openai",
            Self::Ollama => "ollama",
            Self::OpenAiCompatible => "openai-compatible",
        }
    }

    /// The name used in messages: "OpenAI refused the API key".
    pub fn label(self) -> &'static str {
        match self {
            Self::OpenAi => "OpenAI",
            Self::Ollama => "Ollama",
            Self::OpenAiCompatible => "The AI endpoint",
        }
    }

    /// The default base URLs (docs/configuration.md); an OpenAI-compatible endpoint has none.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::OpenAi => "https://api.openai.com/v1",
            Self::Ollama => "http://localhost:11434",
            Self::OpenAiCompatible => "",
        }
    }
}

/// One configured provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub kind: ProviderKind,
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

impl Provider {
    /// A key that identifies this provider for remembering its capabilities.
    pub fn identity(&self) -> String {
        format!("{}|{}|{}", self.kind.as_str(), self.base_url, self.model)
    }

    fn service(&self) -> Service {
        Service::Ai(self.kind)
    }

    fn error(&self, kind: UpstreamErrorKind) -> UpstreamError {
        UpstreamError::new(self.service(), kind)
    }

    fn check(&self) -> Result<(), UpstreamError> {
        if self.base_url.is_empty() || self.model.is_empty() {
            return Err(UpstreamError::not_configured(self.service()));
        }
        Ok(())
    }
}

/// How a provider is asked for JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputMode {
    JsonSchema,
    JsonObject,
    Plain,
}

impl OutputMode {
    fn weaker(self) -> Option<Self> {
        match self {
            Self::JsonSchema => Some(Self::JsonObject),
            Self::JsonObject => Some(Self::Plain),
            Self::Plain => None,
        }
    }
}

/// What a provider accepted last time; start with the strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub mode: OutputMode,
    pub temperature: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            mode: OutputMode::JsonSchema,
            temperature: true,
        }
    }
}

/// One chat request: a system and a user message, and the JSON schema wanted back.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub system: String,
    pub user: String,
    pub schema_name: &'static str,
    pub schema: serde_json::Value,
    pub temperature: f64,
}

/// An answer, with what it cost.
#[derive(Debug, Clone)]
pub struct Reply {
    pub content: String,
    pub model: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub elapsed: Duration,
    /// `length` when the answer was cut off.
    pub finish_reason: Option<String>,
    /// What the provider accepted, to remember for next time.
    pub capabilities: Capabilities,
    /// How the answer ended: done, or cut by a clock after some complete rows.
    pub ended: Ended,
}

/// Why one attempt failed: a request the provider refused for its shape (so a weaker shape
/// may work), or a real failure.
enum Attempt {
    Unsupported(Unsupported),
    Failed(UpstreamError),
}

enum Unsupported {
    Mode,
    Temperature,
}

/// Asks `provider` once, streaming the answer, stepping down the output mode or dropping
/// `temperature` when the provider refuses them. `progress` hears of each complete row.
pub async fn complete(
    http: &awc::Client,
    provider: &Provider,
    prompt: &Prompt,
    start: Capabilities,
    limits: Limits,
    progress: Option<&ProgressTx>,
) -> Result<Reply, UpstreamError> {
    provider.check()?;
    let mut caps = start;
    let began = Instant::now();
    for _ in 0..5 {
        let remaining = Limits {
            silence: limits.silence,
            max: limits.max.saturating_sub(began.elapsed()),
        };
        let attempt = match provider.kind {
            ProviderKind::Ollama => {
                ollama::chat(http, provider, prompt, caps, remaining, progress).await
            }
            _ => openai::chat(http, provider, prompt, caps, remaining, progress).await,
        };
        match attempt {
            Ok(mut reply) => {
                reply.elapsed = began.elapsed();
                reply.capabilities = caps;
                return Ok(reply);
            }
            Err(Attempt::Unsupported(Unsupported::Temperature)) if caps.temperature => {
                caps.temperature = false
            }
            Err(Attempt::Unsupported(Unsupported::Mode)) => match caps.mode.weaker() {
                Some(mode) => caps.mode = mode,
                None => break,
            },
            Err(Attempt::Unsupported(_)) => break,
            Err(Attempt::Failed(error)) => return Err(error),
        }
    }
    Err(provider.error(UpstreamErrorKind::Unexpected(
        "it refused every request shape Sagarr knows".to_owned(),
    )))
}

/// The provider's model names, where it lists them.
pub async fn models(
    http: &awc::Client,
    provider: &Provider,
    timeout: Duration,
) -> Result<Vec<String>, UpstreamError> {
    if provider.base_url.is_empty() {
        return Err(UpstreamError::not_configured(provider.service()));
    }
    match provider.kind {
        ProviderKind::Ollama => ollama::models(http, provider, timeout).await,
        _ => openai::models(http, provider, timeout).await,
    }
}

/// A streamed answer as the caller may use it: ended by the provider, or cut by a clock after
/// at least one complete row (those rows are kept). Cut before any row, it is a failure.
fn settle(
    provider: &Provider,
    streamed: stream::Streamed,
    limits: Limits,
) -> Result<stream::Streamed, Attempt> {
    let url = super::display_url(&provider.base_url);
    match streamed.ended {
        Ended::Silent if streamed.written.rows == 0 => {
            Err(Attempt::Failed(provider.error(UpstreamErrorKind::Silent {
                url,
                seconds: limits.silence.as_secs(),
            })))
        }
        Ended::Capped if streamed.written.rows == 0 => Err(Attempt::Failed(provider.error(
            UpstreamErrorKind::TimedOut {
                url,
                seconds: limits.max.as_secs(),
            },
        ))),
        _ => Ok(streamed),
    }
}

/// Reads an answer that did not stream (an error, or a server that ignored `stream` and sent
/// it whole) within what is left of `limits.max`: the 200 body, or the classified failure.
async fn whole_body(
    provider: &Provider,
    call: &super::Call<'_>,
    response: super::Opened,
    limits: Limits,
    started: Instant,
) -> Result<actix_web::web::Bytes, Attempt> {
    let call = super::Call {
        timeout: limits.max.saturating_sub(started.elapsed()),
        ..*call
    };
    let answer = call
        .finish(response)
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
    Ok(answer.body)
}

/// The answer of the first provider that gave one, and which it was (0 primary, 1 fallback).
pub struct ChainReply {
    pub reply: Reply,
    pub provider_index: usize,
    pub failures: Vec<UpstreamError>,
}

/// Tries each provider in order until one answers; returns every failure when none does.
pub async fn complete_with_fallback(
    http: &awc::Client,
    providers: &[(Provider, Capabilities)],
    prompt: &Prompt,
    limits: Limits,
) -> Result<ChainReply, Vec<UpstreamError>> {
    let mut failures = Vec::new();
    for (index, (provider, caps)) in providers.iter().enumerate() {
        match complete(http, provider, prompt, *caps, limits, None).await {
            Ok(reply) => {
                return Ok(ChainReply {
                    reply,
                    provider_index: index,
                    failures,
                });
            }
            Err(error) => {
                tracing::warn!(%error, provider = provider.kind.as_str(), "AI provider failed");
                failures.push(error);
            }
        }
    }
    Err(failures)
}

/// Reads an error message from either OpenAI's `{"error":{"message"}}`, OpenRouter's numeric
/// code variant, or Ollama's `{"error":"…"}`.
fn error_message(body: &[u8]) -> (String, Option<String>, Option<String>) {
    #[derive(Deserialize)]
    struct Wrapper {
        error: Option<serde_json::Value>,
    }
    let Ok(Wrapper { error: Some(error) }) = serde_json::from_slice::<Wrapper>(body) else {
        return (
            String::from_utf8_lossy(body).chars().take(200).collect(),
            None,
            None,
        );
    };
    match error {
        serde_json::Value::String(message) => (message, None, None),
        other => {
            let field = |name: &str| other.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            (
                field("message").unwrap_or_default(),
                field("code"),
                field("param"),
            )
        }
    }
}

/// Sorts a non-2xx answer: a refused request shape, or a failure named for the admin.
fn classify(provider: &Provider, status: u16, body: &[u8], retry_after: Option<u64>) -> Attempt {
    let (message, code, param) = error_message(body);
    let lower = message.to_lowercase();
    let secrets = [provider.api_key.as_str()];
    let message = super::scrub(&message, &secrets);
    if status == 400 || status == 422 {
        if param.as_deref() == Some("temperature") || lower.contains("temperature") {
            return Attempt::Unsupported(Unsupported::Temperature);
        }
        if param.as_deref() == Some("response_format")
            || lower.contains("response_format")
            || lower.contains("json_schema")
            || lower.contains("format")
        {
            return Attempt::Unsupported(Unsupported::Mode);
        }
    }
    Attempt::Failed(provider.error(match status {
        401 | 403 => UpstreamErrorKind::KeyRefused,
        429 if code.as_deref() == Some("insufficient_quota") => UpstreamErrorKind::Refused(message),
        429 => UpstreamErrorKind::RateLimited { retry_after },
        status => UpstreamErrorKind::Failed { status, message },
    }))
}

fn send_failure(provider: &Provider, error: UpstreamError) -> Attempt {
    Attempt::Failed(UpstreamError::new(provider.service(), error.kind))
}
