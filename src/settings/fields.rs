//! The admin page's sections and their fields: names, labels, environment variables, kinds
//! and help (docs/configuration.md). Data only; reading, checking and saving them is
//! `settings`'s.

/// A section of the admin page, saved and tested on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Tautulli,
    Overseerr,
    Tmdb,
    Ai,
    Plex,
}

/// One field of a section: its form name, label, environment variable and whether it is secret.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub env: &'static str,
    pub secret: bool,
    pub kind: FieldKind,
    pub help: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Url,
    Text,
    Provider,
    /// A TMDb language tag: `fr`, `fr-FR`, `pt-BR`.
    Language,
    /// One of a few values (stored value, label); empty means the first.
    Choice(&'static [(&'static str, &'static str)]),
    /// A whole number of at least 1; empty for none.
    Count,
    /// A price in any currency, 0 or more, like `0.15`; empty for none.
    Price,
}

const fn field(
    name: &'static str,
    label: &'static str,
    env: &'static str,
    kind: FieldKind,
    help: &'static str,
) -> Field {
    Field {
        name,
        label,
        env,
        secret: false,
        kind,
        help,
    }
}

const fn secret(
    name: &'static str,
    label: &'static str,
    env: &'static str,
    help: &'static str,
) -> Field {
    Field {
        secret: true,
        ..field(name, label, env, FieldKind::Text, help)
    }
}

const TAUTULLI_FIELDS: &[Field] = &[
    field(
        "url",
        "URL",
        "TAUTULLI_URL",
        FieldKind::Url,
        "As you open Tautulli in a browser, with its HTTP root: http://tautulli:8181",
    ),
    secret(
        "api_key",
        "API key",
        "TAUTULLI_API_KEY",
        "Tautulli → Settings → Web Interface → API key",
    ),
];
const OVERSEERR_FIELDS: &[Field] = &[
    field(
        "url",
        "URL",
        "OVERSEERR_URL",
        FieldKind::Url,
        "Overseerr, Jellyseerr or Seerr as opened in a browser: http://overseerr:5055",
    ),
    secret(
        "api_key",
        "API key",
        "OVERSEERR_API_KEY",
        "Settings → General → API Key",
    ),
];
const TMDB_FIELDS: &[Field] = &[
    secret(
        "api_key",
        "API key or read access token",
        "TMDB_API_KEY",
        "themoviedb.org → Settings → API: the v3 key or the v4 token (eyJ…)",
    ),
    field(
        "language",
        "Language",
        "TMDB_LANGUAGE",
        FieldKind::Language,
        "Titles, overviews and posters in this language: en-US (the default), fr-FR, de-DE …",
    ),
];
/// Plex's Discover host, where watchlists live, has moved before (metadata.provider →
/// discover.provider, Aug 2025), so the section keeps its Test. Its address is not a field:
/// every user's Plex token is sent there, so only the environment sets it
/// (`PLEX_DISCOVER_URL`, `Config::upstreams`), never the web page.
const PLEX_FIELDS: &[Field] = &[];
const AI_FIELDS: &[Field] = &[
    field(
        "provider",
        "Provider",
        "AI_PROVIDER",
        FieldKind::Provider,
        "None: recommendations come from TMDb alone",
    ),
    field(
        "base_url",
        "Base URL",
        "AI_BASE_URL",
        FieldKind::Url,
        "Default: https://api.openai.com/v1 for OpenAI, http://localhost:11434 for Ollama",
    ),
    secret("api_key", "API key", "AI_API_KEY", "Not needed for Ollama"),
    field(
        "model",
        "Model",
        "AI_MODEL",
        FieldKind::Text,
        "gpt-4o-mini, llama3.1:8b, openai/gpt-4o-mini …",
    ),
    field(
        "think",
        "Thinking",
        "AI_THINK",
        FieldKind::Choice(&[
            ("auto", "Auto: the model's own default"),
            ("off", "Off: ask thinking models not to think"),
        ]),
        "Reasoning models (qwen3, deepseek-r1, gpt-oss) think before they answer, for minutes on a CPU",
    ),
    field(
        "monthly_token_budget",
        "Monthly token budget",
        "AI_MONTHLY_TOKEN_BUDGET",
        FieldKind::Count,
        "Tokens (prompt and answer) the AI may use in a calendar month; past it, rows come from TMDb alone. Empty: no budget",
    ),
    field(
        "price_input_per_mtok",
        "Price per million prompt tokens",
        "AI_PRICE_INPUT_PER_MTOK",
        FieldKind::Price,
        "Optional, in your currency (0.15 for gpt-4o-mini in dollars): the admin page then shows the month's use in money too",
    ),
    field(
        "price_output_per_mtok",
        "Price per million answer tokens",
        "AI_PRICE_OUTPUT_PER_MTOK",
        FieldKind::Price,
        "Optional, like the one above (0.60 for gpt-4o-mini)",
    ),
    field(
        "fallback_provider",
        "Fallback provider",
        "AI_FALLBACK_PROVIDER",
        FieldKind::Provider,
        "Tried when the first one fails",
    ),
    field(
        "fallback_base_url",
        "Fallback base URL",
        "AI_FALLBACK_BASE_URL",
        FieldKind::Url,
        "",
    ),
    secret(
        "fallback_api_key",
        "Fallback API key",
        "AI_FALLBACK_API_KEY",
        "",
    ),
    field(
        "fallback_model",
        "Fallback model",
        "AI_FALLBACK_MODEL",
        FieldKind::Text,
        "",
    ),
];

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Tautulli,
        Section::Overseerr,
        Section::Tmdb,
        Section::Ai,
        Section::Plex,
    ];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.slug() == raw)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Self::Tautulli => "tautulli",
            Self::Overseerr => "overseerr",
            Self::Tmdb => "tmdb",
            Self::Ai => "ai",
            Self::Plex => "plex",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::Tautulli => "Tautulli",
            Self::Overseerr => "Overseerr",
            Self::Tmdb => "TMDb",
            Self::Ai => "AI",
            Self::Plex => "Plex watchlist",
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Self::Tautulli => TAUTULLI_FIELDS,
            Self::Overseerr => OVERSEERR_FIELDS,
            Self::Tmdb => TMDB_FIELDS,
            Self::Ai => AI_FIELDS,
            Self::Plex => PLEX_FIELDS,
        }
    }

    pub(super) fn key(self, field: &Field) -> String {
        format!("{}.{}", self.slug(), field.name)
    }
}
