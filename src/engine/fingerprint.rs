//! A user's taste fingerprint (docs/recommendations.md "The nightly"): what a new AI answer
//! would be made from, reduced to four short hashes. Equal fingerprints mean the AI would be
//! asked the same question, so the nightly does not ask it.
//!
//! - history: the first page of `get_history` (newest first): its newest row and the count.
//!   A new play, a resumed one (grouped into the same row with a new `stopped` and
//!   `group_count`) or a deleted one changes it, and it comes from the call a refresh makes
//!   anyway.
//! - records: every rating, skip, request and watchlist add.
//! - limit: the rating limit the admin set.
//! - ai: each provider's kind, address and model, and the shape of rows asked for.

use sha2::{Digest, Sha256};

use crate::db::preferences::Preference;
use crate::integrations::ai::{Provider, Think};
use crate::integrations::tautulli::HistoryPage;

/// The four parts, each a hex hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    history: String,
    records: String,
    limit: String,
    ai: String,
}

/// How many rows of how many titles the AI is asked for: part of the AI settings.
#[derive(Debug, Clone, Copy)]
pub struct AskedShape {
    pub rows_per_kind: usize,
    pub items_per_row: usize,
}

impl AskedShape {
    /// What a refresh under `config` asks for: the cards shown and the reserve.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            rows_per_kind: config.rows_per_kind,
            items_per_row: config.items_per_row + super::RESERVE_PER_ROW,
        }
    }
}

fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The history part, read off the first `get_history` page (newest first): its count and its
/// newest row, so a new play, a resumed one or a deleted one changes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryMark(String);

impl HistoryMark {
    pub fn of(first_page: &HistoryPage) -> Self {
        let newest = first_page.data.first().map(|row| {
            format!(
                "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
                row.row_id,
                row.rating_key,
                row.date,
                row.stopped,
                row.percent_complete,
                row.watched_status,
                row.group_count,
                row.media_type,
            )
        });
        Self(hash(&format!(
            "{:?}|{}",
            first_page.records_filtered,
            newest.unwrap_or_default()
        )))
    }
}

impl Fingerprint {
    /// Of the history's mark, the records, the rating limit and the AI settings.
    pub fn of(
        history: &HistoryMark,
        records: &[Preference],
        rating_limit: Option<&str>,
        providers: &[Provider],
        shape: AskedShape,
    ) -> Self {
        let mut records: Vec<String> = records
            .iter()
            .map(|r| {
                let (rating, action) = (r.verdict.rating(), r.verdict.action());
                format!("{}:{}:{rating}:{action}", r.kind, r.tmdb_id)
            })
            .collect();
        records.sort_unstable();
        // Thinking turned off changes the answer; `auto` keeps the fingerprints made before.
        let ai: Vec<String> = providers
            .iter()
            .map(|p| match p.think {
                Think::Auto => p.identity(),
                Think::Off => format!("{}|think=off", p.identity()),
            })
            .collect();
        Self {
            history: history.0.clone(),
            records: hash(&records.join(",")),
            limit: hash(rating_limit.unwrap_or("")),
            ai: hash(&format!(
                "{}|{}x{}",
                ai.join(","),
                shape.rows_per_kind,
                shape.items_per_row
            )),
        }
    }

    /// The stored form: `h=…;r=…;l=…;a=…`.
    pub fn encode(&self) -> String {
        format!(
            "h={};r={};l={};a={}",
            self.history, self.records, self.limit, self.ai
        )
    }

    /// The stored form read back; `None` for an empty or unknown one.
    pub fn decode(stored: &str) -> Option<Self> {
        let mut parts = stored.split(';').map(|p| p.split_once('='));
        match (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) {
            (
                Some(Some(("h", history))),
                Some(Some(("r", records))),
                Some(Some(("l", limit))),
                Some(Some(("a", ai))),
                None,
            ) => Some(Self {
                history: history.to_owned(),
                records: records.to_owned(),
                limit: limit.to_owned(),
                ai: ai.to_owned(),
            }),
            _ => None,
        }
    }

    /// What changed since `earlier`, as the admin reads it; empty when nothing did.
    pub fn changes_since(&self, earlier: &Self) -> Vec<&'static str> {
        [
            (self.history != earlier.history, "watch history"),
            (self.records != earlier.records, "ratings and skips"),
            (self.limit != earlier.limit, "rating limit"),
            (self.ai != earlier.ai, "AI settings"),
        ]
        .into_iter()
        .filter_map(|(changed, what)| changed.then_some(what))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Verdict;
    use crate::integrations::ai::ProviderKind;

    fn page(rows: serde_json::Value, count: i64) -> HistoryPage {
        serde_json::from_value(serde_json::json!({"recordsFiltered": count, "data": rows})).unwrap()
    }

    fn record(tmdb_id: i64, verdict: Verdict) -> Preference {
        Preference {
            id: 1,
            user_id: 1,
            kind: crate::media::Kind::Movie,
            tmdb_id,
            verdict,
            title: String::new(),
            year: None,
            poster_path: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn openai(model: &str) -> Provider {
        Provider {
            kind: ProviderKind::OpenAi,
            base_url: "https://api.openai.com/v1".into(),
            api_key: "sk-secret".into(),
            model: model.into(),
            think: Think::Auto,
        }
    }

    const SHAPE: AskedShape = AskedShape {
        rows_per_kind: 6,
        items_per_row: 12,
    };

    fn history() -> HistoryPage {
        page(
            serde_json::json!([
                {"row_id": 9, "rating_key": 66340, "date": 1699219089, "stopped": 1699224819,
                 "percent_complete": 93, "watched_status": 1, "group_count": 1, "media_type": "movie"},
                {"row_id": 8, "rating_key": 64064, "date": 1683600870, "media_type": "episode"}
            ]),
            2,
        )
    }

    #[test]
    fn the_same_taste_gives_the_same_fingerprint_and_survives_storage() {
        let records = [
            record(603, Verdict::Disliked),
            record(27205, Verdict::Skipped),
        ];
        let reordered = [
            record(27205, Verdict::Skipped),
            record(603, Verdict::Disliked),
        ];
        let a = Fingerprint::of(
            &HistoryMark::of(&history()),
            &records,
            Some("PG-13"),
            &[openai("m")],
            SHAPE,
        );
        let b = Fingerprint::of(
            &HistoryMark::of(&history()),
            &reordered,
            Some("PG-13"),
            &[openai("m")],
            SHAPE,
        );
        assert_eq!(a, b);
        assert!(a.changes_since(&b).is_empty());
        assert_eq!(Fingerprint::decode(&a.encode()), Some(a.clone()));
        assert_eq!(Fingerprint::decode(""), None);
        assert!(
            !a.encode().contains("sk-secret"),
            "no key in the fingerprint"
        );
    }

    #[test]
    fn each_part_names_its_change() {
        let records = [record(603, Verdict::Disliked)];
        let base = Fingerprint::of(
            &HistoryMark::of(&history()),
            &records,
            None,
            &[openai("m")],
            SHAPE,
        );
        let resumed = page(
            serde_json::json!([{"row_id": 9, "rating_key": 66340, "date": 1699300000, "stopped": 1699301000,
                "percent_complete": 100, "watched_status": 1, "group_count": 2, "media_type": "movie"}]),
            2,
        );
        let cases = [
            (
                Fingerprint::of(
                    &HistoryMark::of(&resumed),
                    &records,
                    None,
                    &[openai("m")],
                    SHAPE,
                ),
                "watch history",
            ),
            (
                Fingerprint::of(
                    &HistoryMark::of(&history()),
                    &[record(603, Verdict::Liked)],
                    None,
                    &[openai("m")],
                    SHAPE,
                ),
                "ratings and skips",
            ),
            (
                Fingerprint::of(
                    &HistoryMark::of(&history()),
                    &records,
                    Some("R"),
                    &[openai("m")],
                    SHAPE,
                ),
                "rating limit",
            ),
            (
                Fingerprint::of(
                    &HistoryMark::of(&history()),
                    &records,
                    None,
                    &[openai("other")],
                    SHAPE,
                ),
                "AI settings",
            ),
        ];
        for (changed, what) in cases {
            assert_eq!(changed.changes_since(&base), vec![what]);
        }
        let mut key_changed = openai("m");
        key_changed.api_key = "sk-new".into();
        assert_eq!(
            Fingerprint::of(
                &HistoryMark::of(&history()),
                &records,
                None,
                &[key_changed],
                SHAPE
            ),
            base,
            "a new key asks the same question"
        );
    }
}
