//! How long the configured answer should take at the provider's measured speed, for the admin
//! page: a CPU-only local model writes 5-10 tokens a second, so the answer size decides whether
//! a refresh takes seconds or a quarter of an hour (docs/recommendations.md "Streaming").

use std::time::Duration;

use crate::db::runs::AiHabits;
use crate::integrations::ai::{Provider, ProviderKind, Think, context_for, max_answer_tokens};

/// About how many tokens one title costs in the reply format (title, year, id, because, JSON).
pub const TOKENS_PER_TITLE: usize = 31;

/// The answer asked of the AI: rows and titles, from `SAGARR_ROWS_PER_KIND`/`ITEMS_PER_ROW`.
pub fn answer_tokens(rows_per_kind: usize, items_per_row: usize) -> (usize, usize) {
    let rows = rows_per_kind * 2 + 2;
    (rows, rows * items_per_row * TOKENS_PER_TITLE)
}

/// One line for the admin: the answer's size, the measured speed (completion tokens and
/// milliseconds over recent runs) and the time it means, against the two clocks.
pub fn describe(
    rows_per_kind: usize,
    items_per_row: usize,
    measured: Option<(i64, i64)>,
    model: &str,
    silence: Duration,
    max: Duration,
) -> String {
    let (rows, tokens) = answer_tokens(rows_per_kind, items_per_row);
    let size = format!(
        "The configured answer is {rows} rows of {items_per_row} titles, about {} tokens.",
        thousands(tokens)
    );
    let Some((done, ms)) = measured.filter(|(t, ms)| *t > 0 && *ms > 0) else {
        return format!(
            "{size} {model}'s speed is not measured yet: each refresh records it. The AI may stay silent \
             {} s (AI_TIMEOUT_SECONDS) and write for {} s in all (AI_MAX_SECONDS).",
            silence.as_secs(),
            max.as_secs()
        );
    };
    let per_second = done as f64 * 1000.0 / ms as f64;
    let expected = Duration::from_secs_f64(tokens as f64 / per_second);
    let verdict = if expected > max {
        format!(
            " That is longer than AI_MAX_SECONDS ({} s): raise it, or ask for fewer rows \
             (SAGARR_ROWS_PER_KIND) or titles (SAGARR_ITEMS_PER_ROW).",
            max.as_secs()
        )
    } else {
        format!(" AI_MAX_SECONDS allows {} s.", max.as_secs())
    };
    format!(
        "{size} At {model}'s measured {per_second:.1} tokens/s it takes about {}.{verdict}",
        minutes(expected)
    )
}

/// What a local model costs beyond its writing, for the admin: its thinking (measured) and,
/// on Ollama, the context Sagarr asks for against what the model holds.
pub fn describe_local(
    provider: &Provider,
    habits: AiHabits,
    model_limit: Option<u64>,
    rows_per_kind: usize,
    items_per_row: usize,
) -> String {
    let mut said = String::new();
    let model = &provider.model;
    match (habits.thought, provider.think) {
        (0, Think::Off) => said.push_str(" Thinking is off (AI_THINK=off)."),
        (0, Think::Auto) if provider.kind == ProviderKind::Ollama => said.push_str(
            " A model that thinks (qwen3, deepseek-r1, gpt-oss) does so before every answer by \
             default (AI_THINK=auto); AI_THINK=off skips it.",
        ),
        (0, Think::Auto) => {}
        (thought, think) => {
            said.push_str(&format!(
                " {model} thought for about {} before writing, in {thought} of its recent answers",
                minutes(Duration::from_millis(habits.think_ms.max(0) as u64))
            ));
            said.push_str(if think == Think::Off {
                ": AI_THINK=off is set, but this provider has no way to turn thinking off."
            } else {
                " (AI_THINK=auto); AI_THINK=off skips that."
            });
        }
    }
    if provider.kind != ProviderKind::Ollama {
        return said;
    }
    let answer = answer_tokens(rows_per_kind, items_per_row).1 as u64;
    let max = max_answer_tokens(answer, provider.think);
    let prompt = u64::try_from(habits.prompt_tokens).unwrap_or(0);
    let limit = model_limit.map_or_else(String::new, |limit| {
        format!("; {model} holds {}", thousands(limit as usize))
    });
    if prompt == 0 {
        said.push_str(&format!(
            " Sagarr sizes Ollama's context (num_ctx) to the prompt and up to {} tokens of answer{}{limit}.",
            thousands(max as usize),
            if provider.think == Think::Off { "" } else { " and thinking" }
        ));
        return said;
    }
    let context = context_for(prompt, max, model_limit);
    said.push_str(&format!(
        " Sagarr asks Ollama for a context (num_ctx) of {} tokens: the prompt (about {}) and up to {} for the answer{}{limit}.",
        thousands(context as usize),
        thousands(prompt as usize),
        thousands(max as usize),
        if provider.think == Think::Off { "" } else { " and thinking" }
    ));
    if model_limit.is_some_and(|limit| prompt + max > limit) {
        said.push_str(
            " That does not fit, so rows are asked with fewer titles; a model with a longer \
             context gives fuller rows.",
        );
    }
    said
}

fn minutes(d: Duration) -> String {
    match d.as_secs() {
        s if s < 90 => format!("{s} s"),
        s => format!("{} min", (s + 30) / 60),
    }
}

pub fn thousands(n: usize) -> String {
    match n {
        n if n >= 1000 => format!("{},{:03}", n / 1000, n % 1000),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpu_model_is_told_in_minutes_and_warned_past_the_cap() {
        let at = |tokens_per_s: i64, max: u64| {
            describe(
                6,
                8,
                Some((tokens_per_s * 100, 100_000)),
                "llama3.1:8b",
                Duration::from_secs(120),
                Duration::from_secs(max),
            )
        };
        let slow = at(7, 900);
        assert!(
            slow.contains("14 rows of 8 titles, about 3,472 tokens"),
            "{slow}"
        );
        assert!(slow.contains("7.0 tokens/s it takes about 8 min"), "{slow}");
        assert!(slow.contains("AI_MAX_SECONDS allows 900 s"), "{slow}");
        assert!(at(2, 900).contains("longer than AI_MAX_SECONDS"));
        assert!(at(100, 900).contains("about 34 s"));
        assert!(
            describe(
                6,
                8,
                None,
                "m",
                Duration::from_secs(1),
                Duration::from_secs(2)
            )
            .contains("not measured yet")
        );
    }
}
