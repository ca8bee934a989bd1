//! AI chat providers (docs/upstreams.md, AI): OpenAI, Ollama's native API, and any OpenAI-compatible
//! endpoint (LocalAI, OpenRouter, Ollama's `/v1`). Structured output is negotiated per provider
//! (json_schema, then json_object, then plain text) and the result remembered by the caller.

mod attempt;
pub mod kind;
mod ollama;
mod openai;
mod provider;
pub mod stream;

use std::time::{Duration, Instant};

pub use attempt::{CUT, Reply};
pub use kind::ProviderKind;
pub use provider::{
    Capabilities, OutputMode, Prompt, Provider, THINKING_ROOM, Think, context_for,
    max_answer_tokens,
};
pub use stream::{Ended, Limits, ProgressTx, Written};

use attempt::{Attempt, Unsupported};

use crate::integrations::error::{UpstreamError, UpstreamErrorKind};

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
    for _ in 0..7 {
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
            Err(Attempt::Unsupported(Unsupported::MaxTokens)) if caps.max_tokens => {
                caps.max_tokens = false
            }
            Err(Attempt::Unsupported(Unsupported::ReasoningEffort)) if caps.reasoning_effort => {
                caps.reasoning_effort = false
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

/// `caps` with the longest context the provider's model holds, asked once where the API can
/// say (Ollama's `/api/show`) and then remembered with the rest of the capabilities; unchanged
/// elsewhere, or when it would not say.
pub async fn with_context_length(
    http: &awc::Client,
    provider: &Provider,
    mut caps: Capabilities,
    timeout: Duration,
) -> Capabilities {
    if provider.kind != ProviderKind::Ollama || caps.context_length.is_some() {
        return caps;
    }
    caps.context_length = ollama::context_length(http, provider, timeout)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "could not ask Ollama for the model's context length");
            None
        });
    caps
}

/// Whether an OpenAI-compatible base URL is Ollama's `/v1`, which cannot set the context
/// (`num_ctx`): Ollama answers `GET /api/version` beside it.
pub async fn is_ollama_v1(http: &awc::Client, provider: &Provider, timeout: Duration) -> bool {
    let Some(root) = provider.base_url.trim_end_matches('/').strip_suffix("/v1") else {
        return false;
    };
    let call = crate::integrations::Call {
        service: provider.service(),
        base: &provider.base_url,
        secrets: &[],
        timeout,
    };
    match call
        .send(http.get(format!("{root}/api/version")), None)
        .await
    {
        Ok(answer) if answer.status == 200 => {
            serde_json::from_slice::<serde_json::Value>(&answer.body)
                .is_ok_and(|v| v.get("version").is_some_and(serde_json::Value::is_string))
        }
        _ => false,
    }
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
