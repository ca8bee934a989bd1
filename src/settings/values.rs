//! A setting's value as the app uses it: the value, where it came from, and a section's
//! values by field name.

use std::collections::HashMap;

use crate::integrations::ai::ProviderKind;

/// Where a setting's value came from, shown next to each field on the admin page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Saved,
    Environment,
    Default,
}

impl Source {
    pub fn label(self) -> &'static str {
        match self {
            Self::Saved => "saved here",
            Self::Environment => "from the environment",
            Self::Default => "default",
        }
    }
}

/// A resolved value and its source.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub value: String,
    pub source: Source,
}

/// A section's values by field name, as the app would use them now.
pub type Values = HashMap<&'static str, Resolved>;

/// The value of the field `name` (empty when it has none).
pub(super) fn value<'a>(values: &'a Values, name: &str) -> &'a str {
    values.get(name).map_or("", |r| r.value.as_str())
}

/// A provider's kind and the address its key is sent to: its base URL, or its kind's default.
/// `prefix` is empty for the primary provider, `fallback_` for the fallback.
pub(super) fn ai_address(values: &Values, prefix: &str) -> Option<(ProviderKind, String)> {
    let kind = ProviderKind::parse(value(values, &format!("{prefix}provider")))?;
    let base = value(values, &format!("{prefix}base_url"));
    let base = if base.is_empty() {
        kind.default_base_url()
    } else {
        base
    };
    Some((kind, base.trim_end_matches('/').to_owned()))
}
