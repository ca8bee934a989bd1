//! Every proposed title is checked against TMDb before anyone sees it (docs/recommendations.md).

use super::error::EngineError;
use crate::catalog;
use crate::db::{self, DbPool};
use crate::domain::Ineligible;
use crate::integrations::UpstreamErrorKind;
use crate::integrations::tmdb::{Details, Summary, Tmdb};
use crate::media::Kind;

use super::normalize::normalize;
use super::reply::ProposedItem;

/// How long a title lookup is reused.
const LOOKUP_TTL_SECONDS: i64 = 14 * 86_400;

/// Why a proposed title was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// TMDb has no title of that name (and year).
    Invented,
    /// The id named another title, and the title itself was not found either.
    WrongId,
    /// Already in another row.
    Duplicate,
    /// Not for this user (`domain::Eligibility`), counted by the rule's own reason (`seen`,
    /// `above_limit`).
    #[serde(untagged)]
    Ineligible(Ineligible),
}

/// The outcome of checking one item.
pub enum Checked {
    Found(Kind, Box<Details>),
    Dropped(DropReason),
}

fn years_close(a: Option<i32>, b: Option<i32>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1,
        _ => true,
    }
}

fn names_match(wanted: &str, title: &str, original: &str) -> bool {
    normalize(title) == wanted || normalize(original) == wanted
}

/// Checks `item`, proposed in a row of `row_kind`.
pub async fn check(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    item: &ProposedItem,
    row_kind: Option<Kind>,
) -> Result<Checked, EngineError> {
    let kind = item.kind.or(row_kind).unwrap_or(Kind::Movie);
    let wanted = normalize(&item.title);
    if wanted.is_empty() {
        return Ok(Checked::Dropped(DropReason::Invented));
    }
    if let Some(id) = item.tmdb_id {
        match catalog::details(pool, tmdb, kind, id).await {
            Ok(details)
                if names_match(&wanted, &details.title, &details.original_title)
                    && years_close(item.year, details.year()) =>
            {
                return Ok(Checked::Found(kind, Box::new(details)));
            }
            Ok(_) => {}
            Err(EngineError::Upstream(e)) if e.kind == UpstreamErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    // Then by name, in the proposed kind, then the other (a miniseries named as a movie).
    for candidate_kind in [kind, other(kind)] {
        if let Some(id) = lookup(pool, tmdb, candidate_kind, &wanted, item.year).await? {
            let details = catalog::details(pool, tmdb, candidate_kind, id).await?;
            return Ok(Checked::Found(candidate_kind, Box::new(details)));
        }
    }
    Ok(Checked::Dropped(if item.tmdb_id.is_some() {
        DropReason::WrongId
    } else {
        DropReason::Invented
    }))
}

fn other(kind: Kind) -> Kind {
    match kind {
        Kind::Movie => Kind::Tv,
        Kind::Tv => Kind::Movie,
    }
}

/// The TMDb id of (kind, normalised title, year), asked of TMDb once for all users: first with
/// the year, then without, taking the best exact match on the first page (closest year, then
/// most votes). With a year given, a match more than a year off does not count.
async fn lookup(
    pool: &DbPool,
    tmdb: &Tmdb<'_>,
    kind: Kind,
    wanted: &str,
    year: Option<i32>,
) -> Result<Option<i64>, EngineError> {
    let key = (kind, wanted.to_owned(), year.unwrap_or(0));
    let cache_key = key.clone();
    let fresh_after = db::now() - LOOKUP_TTL_SECONDS;
    let cached = db::run(pool, move |conn| {
        Ok(db::cache::title_lookup(
            conn,
            cache_key.0,
            &cache_key.1,
            cache_key.2,
            fresh_after,
        )?)
    })
    .await?;
    if let Some(found) = cached {
        return Ok(found);
    }
    let mut found = None;
    if year.is_some() {
        found = best_match(&tmdb.search(kind, wanted, year).await?, wanted, year);
    }
    if found.is_none() {
        found = best_match(&tmdb.search(kind, wanted, None).await?, wanted, year);
    }
    db::write(pool, db::Scope::Unshown, move |conn| {
        Ok(db::cache::put_title_lookup(
            conn,
            key.0,
            &key.1,
            key.2,
            found,
            db::now(),
        )?)
    })
    .await?;
    Ok(found)
}

fn best_match(results: &[Summary], wanted: &str, year: Option<i32>) -> Option<i64> {
    results
        .iter()
        .filter(|r| names_match(wanted, &r.title, &r.original_title))
        .filter(|r| years_close(year, r.year()))
        .min_by_key(|r| {
            let distance = match (year, r.year()) {
                (Some(a), Some(b)) => (a - b).abs(),
                _ => 50,
            };
            (distance, -r.vote_count.unwrap_or(0))
        })
        .map(|r| r.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(id: i64, title: &str, date: &str, votes: i64) -> Summary {
        Summary {
            id,
            title: title.into(),
            original_title: title.into(),
            release_date: Some(date.into()),
            poster_path: None,
            genre_ids: vec![],
            vote_count: Some(votes),
            overview: None,
        }
    }

    #[test]
    fn the_closest_year_wins_then_the_most_votes() {
        let results = [
            summary(841, "Dune", "1984-12-14", 2500),
            summary(438631, "Dune", "2021-09-15", 11000),
        ];
        assert_eq!(
            best_match(&results, "dune", Some(2020)),
            Some(438631),
            "a year off by one is kept"
        );
        assert_eq!(best_match(&results, "dune", Some(1984)), Some(841));
        assert_eq!(
            best_match(&results, "dune", None),
            Some(438631),
            "no year: most votes"
        );
        assert_eq!(
            best_match(&results, "dune", Some(2000)),
            None,
            "far from every year"
        );
        assert_eq!(
            best_match(&results, "dune part two", None),
            None,
            "only exact titles"
        );
    }
}
