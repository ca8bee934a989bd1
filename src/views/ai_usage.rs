//! The admin page's "AI use this month" (`partials/ai_usage.html`): a small server-rendered
//! chart (inline SVG, no chart library) of tokens per day against the budget and the month-end
//! projection, and the same numbers as tables, per day and per user, for screen readers and
//! for pages without JavaScript or images.

use askama::Template;

use crate::engine::budget::{MonthUsage, Tokens};

/// The chart's drawing area, in SVG units.
const LEFT: f64 = 56.0;
const RIGHT: f64 = 632.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 186.0;

#[derive(Template)]
#[template(path = "partials/ai_usage.html")]
pub struct UsageView {
    pub month: String,
    pub summary: String,
    pub cost: Option<String>,
    pub bars: Vec<Bar>,
    pub budget_y: Option<String>,
    pub projection: Option<Line>,
    pub top_label: String,
    pub days: u32,
    pub day_rows: Vec<DayRow>,
    pub user_rows: Vec<UserRow>,
    pub priced: bool,
}

/// One day's bar: it spans from the month's use before the day to after it, so its height is
/// the day's tokens and its top the month so far.
pub struct Bar {
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
    pub label: String,
}

pub struct Line {
    pub x1: String,
    pub y1: String,
    pub x2: String,
    pub y2: String,
}

pub struct DayRow {
    pub day: String,
    pub tokens: String,
    pub so_far: String,
}

pub struct UserRow {
    pub name: String,
    pub tokens: String,
    pub share: String,
    pub cost: String,
}

/// `1234567` as `1,234,567`.
pub fn digits(n: i64) -> String {
    let raw = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A short axis label: `2 M`, `1.5 M`, `600 k`, `950`.
fn compact(n: i64) -> String {
    let trim = |v: f64| {
        let s = format!("{v:.1}");
        s.strip_suffix(".0").map_or(s.clone(), str::to_owned)
    };
    match n {
        n if n >= 1_000_000 => format!("{} M", trim(n as f64 / 1_000_000.0)),
        n if n >= 1_000 => format!("{} k", trim(n as f64 / 1_000.0)),
        n => n.to_string(),
    }
}

fn money(amount: f64) -> String {
    format!("{amount:.2}")
}

fn at(v: f64) -> String {
    format!("{v:.1}")
}

impl UsageView {
    pub fn new(usage: &MonthUsage, prices: Option<(f64, f64)>) -> Self {
        let total = usage.total();
        let used = total.total();
        let projection = usage.projection();
        let budget = usage.budget.map(|b| i64::try_from(b).unwrap_or(i64::MAX));
        let top = [Some(used), Some(projection), budget]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0)
            .max(1) as f64
            * 1.05;
        let y = |tokens: i64| BOTTOM - (tokens as f64 / top) * (BOTTOM - TOP);
        let step = (RIGHT - LEFT) / f64::from(usage.days.max(1));
        let day_x = |day: u32| LEFT + f64::from(day.saturating_sub(1)) * step;
        let mut bars = Vec::new();
        let mut day_rows = Vec::new();
        let mut so_far = 0;
        for (i, tokens) in usage.per_day.iter().enumerate() {
            let day = i as u32 + 1;
            if day > usage.today {
                break;
            }
            let before = so_far;
            so_far += tokens.total();
            let label = format!(
                "{} {day}: {} tokens",
                usage.short_month,
                digits(tokens.total())
            );
            if tokens.total() > 0 {
                bars.push(Bar {
                    x: at(day_x(day) + 1.0),
                    y: at(y(so_far)),
                    width: at((step - 2.0).max(1.0)),
                    height: at((y(before) - y(so_far)).max(1.0)),
                    label,
                });
            }
            day_rows.push(DayRow {
                day: format!("{} {day}", usage.short_month),
                tokens: digits(tokens.total()),
                so_far: digits(so_far),
            });
        }
        let projection_line = (usage.today < usage.days).then(|| Line {
            x1: at(day_x(usage.today) + step),
            y1: at(y(used)),
            x2: at(RIGHT),
            y2: at(y(projection)),
        });
        let share = |t: Tokens| {
            if used > 0 {
                format!("{}%", (t.total() * 100 + used / 2) / used)
            } else {
                "0%".to_owned()
            }
        };
        let user_rows = usage
            .per_user
            .iter()
            .map(|(name, tokens)| UserRow {
                name: name.clone(),
                tokens: digits(tokens.total()),
                share: share(*tokens),
                cost: prices.map(|p| money(tokens.cost(p))).unwrap_or_default(),
            })
            .collect();
        let mut summary = match budget {
            Some(budget) => format!(
                "{} of {} tokens used in {} ({}%).",
                digits(used),
                digits(budget),
                usage.month,
                used.saturating_mul(100) / budget.max(1)
            ),
            None => format!(
                "{} tokens used in {} (no monthly budget set).",
                digits(used),
                usage.month
            ),
        };
        summary.push_str(&format!(
            " At this rate, {} by the month's end",
            digits(projection)
        ));
        summary.push_str(match budget {
            Some(budget) if projection > budget => {
                ": over the budget; once it is spent, rows come from TMDb alone."
            }
            Some(_) => ", within the budget.",
            None => ".",
        });
        let cost = prices.map(|p| {
            let projected = total.cost(p) * f64::from(usage.days) / f64::from(usage.today.max(1));
            format!(
                "At your prices: {} so far, {} by the month's end.",
                money(total.cost(p)),
                money(projected)
            )
        });
        Self {
            month: usage.month.clone(),
            summary,
            cost,
            bars,
            budget_y: budget.map(|b| at(y(b))),
            projection: projection_line,
            top_label: compact((top / 1.05) as i64),
            days: usage.days,
            day_rows,
            user_rows,
            priced: prices.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(digits(0), "0");
        assert_eq!(digits(999), "999");
        assert_eq!(digits(1_234_567), "1,234,567");
        assert_eq!(digits(-1000), "-1,000");
        assert_eq!(compact(2_000_000), "2 M");
        assert_eq!(compact(1_500_000), "1.5 M");
        assert_eq!(compact(600_000), "600 k");
        assert_eq!(compact(950), "950");
    }
}
