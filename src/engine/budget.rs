//! The month's AI use against `AI_MONTHLY_TOKEN_BUDGET` (docs/recommendations.md "The AI
//! budget"): when the month began, what each day and each user used, where the month is heading
//! at the current rate, and what refreshing everyone would cost. Read from the runs' recorded
//! tokens, so any past month can be drawn without new data.

use chrono::{DateTime, Datelike, Local, TimeZone};
use diesel::SqliteConnection;

use crate::db;

/// The start of the calendar month holding `now`, in the local time zone (`TZ`), as a Unix time.
pub fn month_start_of(now: DateTime<Local>) -> i64 {
    Local
        .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .earliest()
        .map_or(0, |start| start.timestamp())
}

/// The start of this calendar month.
pub fn month_start() -> i64 {
    month_start_of(Local::now())
}

fn days_in_month(now: DateTime<Local>) -> u32 {
    let (year, month) = (now.year(), now.month());
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    chrono::NaiveDate::from_ymd_opt(next_year, next_month, 1)
        .and_then(|next| next.pred_opt())
        .map_or(30, |last| last.day())
}

/// Prompt and answer tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tokens {
    pub prompt: i64,
    pub answer: i64,
}

impl Tokens {
    pub fn total(self) -> i64 {
        self.prompt + self.answer
    }

    fn add(&mut self, prompt: i32, answer: i32) {
        self.prompt += i64::from(prompt);
        self.answer += i64::from(answer);
    }

    /// What they cost at `(prompt, answer)` prices per million tokens.
    pub fn cost(self, (prompt, answer): (f64, f64)) -> f64 {
        (self.prompt as f64 * prompt + self.answer as f64 * answer) / 1_000_000.0
    }
}

/// This month's use, day by day and user by user.
#[derive(Debug, Clone)]
pub struct MonthUsage {
    /// The month's name and year, `December 2026`.
    pub month: String,
    /// The month's short name, `Dec`.
    pub short_month: String,
    /// Day of the month today (1-based) and the month's length.
    pub today: u32,
    pub days: u32,
    /// One entry per day of the month.
    pub per_day: Vec<Tokens>,
    /// Users by use, most first.
    pub per_user: Vec<(String, Tokens)>,
    pub budget: Option<u64>,
}

impl MonthUsage {
    pub fn total(&self) -> Tokens {
        let mut all = Tokens::default();
        for day in &self.per_day {
            all.prompt += day.prompt;
            all.answer += day.answer;
        }
        all
    }

    /// Tokens by the month's end if every remaining day uses what the days so far did.
    pub fn projection(&self) -> i64 {
        self.total().total() * i64::from(self.days) / i64::from(self.today.max(1))
    }

    /// Tokens left in the budget (0 once spent); `None` without a budget.
    pub fn left(&self) -> Option<i64> {
        let budget = i64::try_from(self.budget?).unwrap_or(i64::MAX);
        Some((budget - self.total().total()).max(0))
    }
}

/// The month holding `now`, from the runs' recorded tokens.
pub fn month_usage(
    conn: &mut SqliteConnection,
    now: DateTime<Local>,
    budget: Option<u64>,
) -> diesel::QueryResult<MonthUsage> {
    let days = days_in_month(now);
    let mut per_day = vec![Tokens::default(); days as usize];
    let mut per_user: Vec<(String, Tokens)> = Vec::new();
    for (user, finished_at, prompt, answer) in db::runs::usage_since(conn, month_start_of(now))? {
        let day = Local
            .timestamp_opt(finished_at, 0)
            .single()
            .map_or(1, |t| t.day());
        if let Some(slot) = per_day.get_mut(day.saturating_sub(1) as usize) {
            slot.add(prompt, answer);
        }
        match per_user.iter_mut().find(|(name, _)| *name == user) {
            Some((_, tokens)) => tokens.add(prompt, answer),
            None => {
                let mut tokens = Tokens::default();
                tokens.add(prompt, answer);
                per_user.push((user, tokens));
            }
        }
    }
    per_user.sort_by_key(|(name, t)| (std::cmp::Reverse(t.total()), name.clone()));
    Ok(MonthUsage {
        month: now.format("%B %Y").to_string(),
        short_month: now.format("%b").to_string(),
        today: now.day(),
        days,
        per_day,
        per_user,
        budget,
    })
}

/// Tokens one refresh is expected to use: the average of the last 20 that asked the AI, or,
/// before any did, the answer asked for and a typical prompt.
pub fn per_refresh(
    conn: &mut SqliteConnection,
    rows_per_kind: usize,
    items_per_row: usize,
) -> diesel::QueryResult<i64> {
    const TYPICAL_PROMPT: i64 = 1_500;
    Ok(match db::runs::tokens_per_refresh(conn, 20)? {
        Some(measured) => measured,
        None => {
            super::estimate::answer_tokens(rows_per_kind, items_per_row).1 as i64 + TYPICAL_PROMPT
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_their_lengths() {
        let at = |y, m, d| Local.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
        assert_eq!(days_in_month(at(2026, 2, 10)), 28);
        assert_eq!(days_in_month(at(2028, 2, 10)), 29);
        assert_eq!(days_in_month(at(2026, 12, 6)), 31);
        assert!(month_start_of(at(2026, 12, 6)) <= at(2026, 12, 1).timestamp());
    }

    #[test]
    fn the_projection_runs_the_current_rate_to_the_months_end() {
        let mut usage = MonthUsage {
            month: String::new(),
            short_month: String::new(),
            today: 10,
            days: 30,
            per_day: vec![Tokens::default(); 30],
            per_user: Vec::new(),
            budget: Some(5_000),
        };
        usage.per_day[0] = Tokens {
            prompt: 600,
            answer: 400,
        };
        usage.per_day[9] = Tokens {
            prompt: 500,
            answer: 500,
        };
        assert_eq!(usage.total().total(), 2_000);
        assert_eq!(usage.projection(), 6_000);
        assert_eq!(usage.left(), Some(3_000));
        assert!((usage.total().cost((1.0, 2.0)) - 0.0029).abs() < 1e-9);
    }
}
