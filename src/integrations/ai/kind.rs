//! Which API an AI provider speaks, as settings store it and messages name it.

use serde::{Deserialize, Serialize};

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProviderKind {
    OpenAi,
    Ollama,
    OpenAiCompatible,
}

impl ProviderKind {
    /// Every kind, in the order the admin page offers them.
    pub const ALL: [Self; 3] = [Self::OpenAi, Self::Ollama, Self::OpenAiCompatible];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw.trim())
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

    /// What the admin page's provider list calls it.
    pub fn choice(self) -> &'static str {
        match self {
            Self::OpenAi => "OpenAI",
            Self::Ollama => "Ollama",
            Self::OpenAiCompatible => "OpenAI-compatible (LocalAI, OpenRouter, Ollama /v1)",
        }
    }

    /// The stored names, for messages: "openai, ollama, openai-compatible".
    pub fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
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
