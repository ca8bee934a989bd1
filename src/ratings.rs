//! Certifications on one ladder, and the per-user limit that every list obeys: US movie
//! certifications, with TV ratings matched onto them (docs/http.md `rating-limit`).

/// The limits the admin can pick, lowest first.
pub const LIMITS: &[&str] = &[
    "G", "PG", "PG-13", "R", "NC-17", "TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA",
];

/// A certification's step on the ladder (G = 1 … NC-17 = 5); `None` for what is not on it.
pub fn rank(certification: &str) -> Option<u8> {
    Some(match certification.trim() {
        "G" | "TV-Y" | "TV-G" => 1,
        "PG" | "TV-Y7" | "TV-PG" => 2,
        "PG-13" | "TV-14" => 3,
        "R" | "TV-MA" => 4,
        "NC-17" => 5,
        _ => return None,
    })
}

/// Parses what the admin sent: a known certification, or empty for none.
pub fn parse_limit(raw: &str) -> Result<Option<&'static str>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    LIMITS
        .iter()
        .find(|l| l.eq_ignore_ascii_case(raw))
        .map(|l| Some(*l))
        .ok_or_else(|| {
            format!(
                "\"{raw}\" is not a rating limit: use {}, or empty for none.",
                LIMITS.join(", ")
            )
        })
}

/// Whether a title certified `certification` may be shown under `limit`. Without a limit,
/// everything; with one, only what is known and at or below it.
pub fn allows(limit: Option<&str>, certification: Option<&str>) -> bool {
    match limit.and_then(rank) {
        None => true,
        Some(max) => certification.and_then(rank).is_some_and(|r| r <= max),
    }
}

/// The limit a Plex share filter means (Tautulli's `filter_movies` / `filter_tv`, as the owner
/// set them on plex.tv: `contentRating=G%2CPG`, `contentRating!=R%2CNC-17`, parts joined by
/// `|`): the strictest of the two, as a step on the ladder's movie names. `None`: no rating
/// restriction in either.
pub fn from_plex_filters(filters: &[&str]) -> Option<&'static str> {
    filters
        .iter()
        .filter_map(|filter| highest_allowed(filter))
        .min()
        .map(|rank| LADDER[usize::from(rank) - 1])
}

/// The strictest of several users' limits (a kid in a group limits the group); `None` when
/// nobody has one.
pub fn strictest<'a>(limits: impl IntoIterator<Item = Option<&'a str>>) -> Option<&'a str> {
    limits
        .into_iter()
        .flatten()
        .filter_map(|l| Some((rank(l)?, l)))
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, l)| l)
}

/// What TMDb's `certification.lte` takes for a limit: US movie certifications for films, US
/// TV ratings for shows, at the limit's step of the ladder.
pub fn tmdb_certification(limit: &str, tv: bool) -> Option<&'static str> {
    let step = usize::from(rank(limit)?);
    let tv_ladder = ["TV-G", "TV-PG", "TV-14", "TV-MA", "TV-MA"];
    Some(if tv {
        tv_ladder[step - 1]
    } else {
        LADDER[step - 1]
    })
}

/// The ladder's steps by their movie names.
const LADDER: [&str; 5] = ["G", "PG", "PG-13", "R", "NC-17"];

fn highest_allowed(filter: &str) -> Option<u8> {
    let decoded = percent_encoding::percent_decode_str(filter).decode_utf8_lossy();
    for part in decoded.split('|') {
        if let Some(allowed) = part.trim().strip_prefix("contentRating=") {
            return allowed.split(',').filter_map(rank).max().or(Some(1));
        }
        if let Some(excluded) = part.trim().strip_prefix("contentRating!=") {
            let lowest = excluded.split(',').filter_map(rank).min()?;
            return Some(lowest.saturating_sub(1).max(1));
        }
    }
    None
}

/// Where a Plex Home managed user starts (plex.tv's `restricted`: docs/upstreams.md, plex.tv).
/// plex.tv's account answer says only that he is managed, not which restriction profile he has
/// (neither python-plexapi nor Overseerr reads one), so he starts at PG; the admin can change it.
pub const MANAGED_USER_START: &str = "PG";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_hides_what_is_above_it_and_what_is_unknown() {
        assert!(allows(Some("PG"), Some("G")));
        assert!(allows(Some("PG"), Some("TV-PG")));
        assert!(!allows(Some("PG"), Some("PG-13")));
        assert!(!allows(Some("PG"), Some("TV-MA")));
        assert!(!allows(Some("PG"), None), "unknown is hidden");
        assert!(!allows(Some("PG"), Some("NR")));
        assert!(allows(None, None), "no limit, no filter");
        assert!(allows(Some("TV-14"), Some("PG-13")));
        assert_eq!(parse_limit("pg-13"), Ok(Some("PG-13")));
        assert_eq!(parse_limit(""), Ok(None));
        assert!(parse_limit("X").is_err());
    }

    #[test]
    fn the_strictest_limit_of_a_group_holds() {
        assert_eq!(strictest([None, Some("R"), Some("TV-PG")]), Some("TV-PG"));
        assert_eq!(strictest([None, None]), None);
        assert_eq!(strictest([Some("PG-13")]), Some("PG-13"));
    }

    #[test]
    fn a_plex_share_filter_means_its_strictest_rating() {
        assert_eq!(from_plex_filters(&["contentRating=G%2CPG", ""]), Some("PG"));
        assert_eq!(
            from_plex_filters(&["contentRating=G%2CPG%2CPG-13", "contentRating=TV-Y%2CTV-G"]),
            Some("G"),
            "the stricter of movies and TV"
        );
        assert_eq!(
            from_plex_filters(&["contentRating!=R%2CNC-17"]),
            Some("PG-13")
        );
        assert_eq!(
            from_plex_filters(&["label=kids|contentRating=PG"]),
            Some("PG")
        );
        assert_eq!(from_plex_filters(&["", ""]), None);
        assert_eq!(from_plex_filters(&["label=kids"]), None);
    }
}
