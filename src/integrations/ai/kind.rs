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
