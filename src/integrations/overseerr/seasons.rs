//! Which seasons of a show a request asks Overseerr for: 1 to 3 that exist and that it does
//! not have or expect already, and why there are none when so.

use std::collections::HashMap;

/// Why no TV season was left to ask for, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeasonsPresent {
    /// The seasons looked at (among 1 to 3 that exist).
    pub seasons: Vec<i64>,
    /// Every one of them is available on Plex (else some are requested or on their way).
    pub all_on_plex: bool,
    /// Every one of them is requested or being processed, none on Plex yet.
    pub all_requested: bool,
}

impl SeasonsPresent {
    /// "Seasons 1–3 are already on Plex", "Season 1 is already requested", …
    pub fn message(&self) -> String {
        let what = match self.seasons.as_slice() {
            [one] => format!("Season {one} is"),
            [first, .., last] => format!("Seasons {first}–{last} are"),
            [] => "Its seasons are".to_owned(),
        };
        let state = if self.all_on_plex {
            "already on Plex"
        } else if self.all_requested {
            "already requested"
        } else {
            "already on Plex or requested"
        };
        format!("{what} {state}.")
    }
}

/// What Overseerr knows of a show's seasons (`GET /tv/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TvSeasons {
    /// Season numbers TMDb lists (Specials, season 0, included when TMDb has them).
    pub existing: Vec<i64>,
    /// `mediaInfo.seasons[].status` by season number (absent: never seen, missing).
    pub status: HashMap<i64, i64>,
    /// Seasons in a non-declined, non-4K request of anyone.
    pub requested: Vec<i64>,
}

/// How a TV request should go: the seasons to ask for, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TvPlan {
    Ask(Vec<i64>),
    NothingMissing(SeasonsPresent),
    /// The show has no season 1 to 3 at all (yet).
    NoSeasons,
}

impl TvSeasons {
    /// Ask only for the seasons among 1 to 3 that exist and that Overseerr does not have as
    /// available, partly available, requested or processing: it drops those anyway, but counts
    /// every asked season against the user's TV quota.
    pub fn plan(&self) -> TvPlan {
        let wanted = seasons_to_request(self.existing.iter().copied());
        if wanted.is_empty() {
            return TvPlan::NoSeasons;
        }
        // 1 unknown; Seerr's 7 deleted may be asked for again. Anything else is there or coming.
        let present = |n: &i64| {
            self.requested.contains(n) || self.status.get(n).is_some_and(|s| !matches!(s, 1 | 7))
        };
        let missing: Vec<i64> = wanted.iter().copied().filter(|n| !present(n)).collect();
        if !missing.is_empty() {
            return TvPlan::Ask(missing);
        }
        let on_plex = |n: &i64| self.status.get(n) == Some(&5);
        TvPlan::NothingMissing(SeasonsPresent {
            all_on_plex: wanted.iter().all(on_plex),
            all_requested: !wanted.iter().any(on_plex),
            seasons: wanted,
        })
    }
}

/// TV requests ask for seasons 1 to 3 that exist, never season 0 (Specials).
fn seasons_to_request(existing: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut seasons: Vec<i64> = existing
        .into_iter()
        .filter(|n| (1..=3).contains(n))
        .collect();
    seasons.sort_unstable();
    seasons.dedup();
    seasons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tv_requests_ask_for_seasons_one_to_three_that_exist() {
        assert_eq!(seasons_to_request([0, 1, 2, 3, 4, 5]), vec![1, 2, 3]);
        assert_eq!(seasons_to_request([0, 1]), vec![1]);
        assert_eq!(seasons_to_request([0]), Vec::<i64>::new());
    }

    fn show(status: &[(i64, i64)], requested: &[i64]) -> TvSeasons {
        TvSeasons {
            existing: vec![0, 1, 2, 3, 4],
            status: status.iter().copied().collect(),
            requested: requested.to_vec(),
        }
    }

    #[test]
    fn tv_requests_ask_only_for_missing_seasons() {
        assert_eq!(show(&[(1, 5)], &[]).plan(), TvPlan::Ask(vec![2, 3]));
        assert_eq!(show(&[(1, 5), (2, 1)], &[3]).plan(), TvPlan::Ask(vec![2]));
        let TvPlan::NothingMissing(all) = show(&[(1, 5), (2, 5), (3, 5)], &[]).plan() else {
            panic!("asked for seasons on Plex")
        };
        assert_eq!(all.message(), "Seasons 1–3 are already on Plex.");
        let TvPlan::NothingMissing(asked) = show(&[(1, 2)], &[2, 3]).plan() else {
            panic!("asked for requested seasons")
        };
        assert_eq!(asked.message(), "Seasons 1–3 are already requested.");
        let one = TvSeasons {
            existing: vec![1],
            status: [(1, 5)].into_iter().collect(),
            requested: vec![],
        };
        let TvPlan::NothingMissing(one) = one.plan() else {
            panic!()
        };
        assert_eq!(one.message(), "Season 1 is already on Plex.");
    }
}
