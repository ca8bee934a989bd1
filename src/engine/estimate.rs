//! How long the configured answer should take at the provider's measured speed, for the admin
//! page: a CPU-only local model writes 5-10 tokens a second, so the answer size decides whether
//! a refresh takes seconds or a quarter of an hour (docs/recommendations.md "Streaming").

use std::time::Duration;

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

fn minutes(d: Duration) -> String {
    match d.as_secs() {
        s if s < 90 => format!("{s} s"),
        s => format!("{} min", (s + 30) / 60),
    }
}

fn thousands(n: usize) -> String {
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
