//! One configured AI provider, what it accepted last time, and the prompt it is sent.

use serde::{Deserialize, Serialize};

use super::kind::ProviderKind;
use crate::integrations::error::{Service, UpstreamError, UpstreamErrorKind};
use crate::secrets::Secret;

/// One configured provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub kind: ProviderKind,
    pub base_url: String,
    pub api_key: Secret,
    pub model: String,
    /// `AI_THINK`: whether a thinking model is asked not to think.
    pub think: Think,
}

/// `AI_THINK` (docs/configuration.md): reasoning models (qwen3, deepseek-r1, gpt-oss) think
/// before they answer, for minutes on a CPU. `Off` asks them not to: `think: false` on Ollama's
/// native API, `reasoning_effort: "none"` on OpenAI-style APIs (Ollama's `/v1` maps it to the
/// same), dropped when a provider refuses it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Think {
    /// The model's own default (Ollama thinks by default since 0.12.4).
    #[default]
    Auto,
    Off,
}

impl Think {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "" | "auto" => Some(Self::Auto),
            "off" => Some(Self::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Off => "off",
        }
    }
}

impl Provider {
    /// A key that identifies this provider for remembering its capabilities.
    pub fn identity(&self) -> String {
        format!("{}|{}|{}", self.kind.as_str(), self.base_url, self.model)
    }

    pub(super) fn service(&self) -> Service {
        Service::Ai(self.kind)
    }

    pub(super) fn error(&self, kind: UpstreamErrorKind) -> UpstreamError {
        UpstreamError::new(self.service(), kind)
    }

    pub(super) fn check(&self) -> Result<(), UpstreamError> {
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
    pub(super) fn weaker(self) -> Option<Self> {
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
    /// Whether it takes a cap on the answer's length (`max_tokens`).
    #[serde(default = "accepted")]
    pub max_tokens: bool,
    /// Whether it takes `reasoning_effort` (asked only with `AI_THINK=off`).
    #[serde(default = "accepted")]
    pub reasoning_effort: bool,
    /// Ollama: the model's own longest context (`/api/show`), once asked.
    #[serde(default)]
    pub context_length: Option<u64>,
}

fn accepted() -> bool {
    true
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            mode: OutputMode::JsonSchema,
            temperature: true,
            max_tokens: true,
            reasoning_effort: true,
            context_length: None,
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
    /// About how many tokens the answer should take (`engine::estimate`): sizes `max_tokens`
    /// and Ollama's context. `None`: no cap is sent.
    pub answer_tokens: Option<u64>,
}

/// The context Ollama gives a model when the request does not set `num_ctx` (since 0.6.7;
/// 2,048 before).
pub const OLLAMA_DEFAULT_CONTEXT: u64 = 4_096;

/// Tokens kept free for a model's thinking when `AI_THINK` is `auto`: thinking counts against
/// `max_tokens` and the context like the answer does.
pub const THINKING_ROOM: u64 = 4_096;

/// The cap on an answer expected to take `answer` tokens: half again as headroom, and room to
/// think unless thinking is off.
pub fn max_answer_tokens(answer: u64, think: Think) -> u64 {
    let thinking = if think == Think::Off {
        0
    } else {
        THINKING_ROOM
    };
    answer + answer / 2 + 256 + thinking
}

/// Ollama's `num_ctx` for a prompt of `prompt` tokens and an answer capped at `answer`: both,
/// rounded up to a multiple of 1,024, never below Ollama's own 4,096 default and never above
/// the model's own `limit` (`/api/show`). Without it Ollama runs every model at 4,096 tokens and
/// silently cuts the *start* of a longer prompt.
pub fn context_for(prompt: u64, answer: u64, limit: Option<u64>) -> u64 {
    let wanted = (prompt + answer)
        .div_ceil(1_024)
        .saturating_mul(1_024)
        .max(OLLAMA_DEFAULT_CONTEXT);
    limit.map_or(wanted, |limit| wanted.min(limit))
}

impl Prompt {
    /// A rough, generous count of the prompt's tokens: one per three bytes (English text runs
    /// at about four; ids and punctuation at less).
    pub fn tokens(&self) -> u64 {
        ((self.system.len() + self.user.len()) as u64).div_ceil(3) + 16
    }

    /// Ollama's `num_ctx` for this prompt (see [`context_for`]).
    pub fn context_tokens(&self, think: Think, limit: Option<u64>) -> u64 {
        context_for(self.tokens(), self.max_tokens(think).unwrap_or(0), limit)
    }

    /// Whether the prompt and its answer fit a model whose context holds `limit` tokens.
    pub fn fits(&self, think: Think, limit: u64) -> bool {
        self.tokens() + self.max_tokens(think).unwrap_or(0) <= limit
    }

    /// The cap sent as `max_tokens` (OpenAI-compatible) or `num_predict` (Ollama).
    pub fn max_tokens(&self, think: Think) -> Option<u64> {
        self.answer_tokens
            .map(|answer| max_answer_tokens(answer, think))
    }
}
