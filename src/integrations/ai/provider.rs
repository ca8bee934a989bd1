//! One configured AI provider, what it accepted last time, and the prompt it is sent.

use serde::{Deserialize, Serialize};

use super::kind::ProviderKind;
use crate::integrations::error::{Service, UpstreamError, UpstreamErrorKind};

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
