//! One request to a provider and how its answer is sorted: a reply, a request shape the provider
//! refused (so a weaker one may work), or a failure named for the admin. Shared by the OpenAI
//! and Ollama dialects.

use std::time::{Duration, Instant};

use serde::Deserialize;

use super::provider::{Capabilities, Provider};
use super::stream::{self, Ended, Limits};
use crate::integrations::call::{Call, Opened};
use crate::integrations::error::{UpstreamError, UpstreamErrorKind, display_url, scrub};

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
    /// How the answer ended: done, or cut short (a clock, the model's length limit, a broken
    /// stream) after some complete rows.
    pub ended: Ended,
    /// The provider's own words when it broke off inside the stream.
    pub stream_error: Option<String>,
    /// How long the model thought before its first word, when it thought.
    pub thinking: Option<Duration>,
    /// Ollama: the context (`num_ctx`) the answer was asked within.
    pub context: Option<u64>,
}

/// Why one attempt failed: a request the provider refused for its shape (so a weaker shape
/// may work), or a real failure.
pub(super) enum Attempt {
    Unsupported(Unsupported),
    Failed(UpstreamError),
}

pub(super) enum Unsupported {
    Mode,
    Temperature,
    MaxTokens,
    ReasoningEffort,
}

/// A streamed answer as the caller may use it: ended by the provider, or cut short after at
/// least one complete row (those rows are kept). Cut before any row, it is a failure.
pub(super) fn settle(
    provider: &Provider,
    streamed: stream::Streamed,
    limits: Limits,
) -> Result<stream::Streamed, Attempt> {
    let url = display_url(&provider.base_url);
    let nothing_usable = streamed.written.rows == 0;
    match streamed.ended {
        Ended::Broke if nothing_usable => Err(Attempt::Failed(provider.error(
            UpstreamErrorKind::BrokeOff(streamed.error.clone().unwrap_or_default()),
        ))),
        Ended::Cut if nothing_usable => Err(Attempt::Failed(provider.error(
            UpstreamErrorKind::BrokeOff(streamed.error.clone().unwrap_or_else(|| CUT.to_owned())),
        ))),
        Ended::Silent if streamed.written.rows == 0 => {
            Err(Attempt::Failed(provider.error(UpstreamErrorKind::Silent {
                url,
                seconds: limits.silence.as_secs(),
            })))
        }
        // What was left of AI_MAX_SECONDS for this attempt, said in whole seconds.
        Ended::Capped if streamed.written.rows == 0 => Err(Attempt::Failed(provider.error(
            UpstreamErrorKind::TimedOut {
                url,
                seconds: limits.max.as_secs_f64().ceil() as u64,
            },
        ))),
        _ => Ok(streamed),
    }
}

/// What a stream that closed without its last message means, for messages.
pub const CUT: &str = "the stream ended before its last message";

/// Reads an answer that did not stream (an error, or a server that ignored `stream` and sent
/// it whole) within what is left of `limits.max`: the 200 body, or the classified failure.
pub(super) async fn whole_body(
    provider: &Provider,
    call: &Call<'_>,
    response: Opened,
    limits: Limits,
    started: Instant,
) -> Result<actix_web::web::Bytes, Attempt> {
    let call = Call {
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
pub(super) fn classify(
    provider: &Provider,
    status: u16,
    body: &[u8],
    retry_after: Option<u64>,
) -> Attempt {
    let (message, code, param) = error_message(body);
    let lower = message.to_lowercase();
    let secrets = [provider.api_key.expose()];
    let message = scrub(&message, &secrets);
    let names = |field: &str| param.as_deref() == Some(field) || lower.contains(field);
    if status == 400 || status == 422 {
        if names("temperature") {
            return Attempt::Unsupported(Unsupported::Temperature);
        }
        if names("max_tokens") {
            return Attempt::Unsupported(Unsupported::MaxTokens);
        }
        if names("reasoning_effort") {
            return Attempt::Unsupported(Unsupported::ReasoningEffort);
        }
        if names("response_format") || lower.contains("json_schema") || lower.contains("format") {
            return Attempt::Unsupported(Unsupported::Mode);
        }
    }
    // llama-cpp-python refuses `json_schema` with a 500 ("Input should be 'text' or
    // 'json_object'"): a 5xx that names the output format means "mode not supported".
    if status >= 500 && (names("response_format") || lower.contains("json_schema")) {
        return Attempt::Unsupported(Unsupported::Mode);
    }
    Attempt::Failed(provider.error(match status {
        401 | 403 => UpstreamErrorKind::KeyRefused,
        429 if code.as_deref() == Some("insufficient_quota") => UpstreamErrorKind::Refused(message),
        429 => UpstreamErrorKind::RateLimited { retry_after },
        status => UpstreamErrorKind::Failed { status, message },
    }))
}

pub(super) fn send_failure(provider: &Provider, error: UpstreamError) -> Attempt {
    Attempt::Failed(UpstreamError::new(provider.service(), error.kind))
}
