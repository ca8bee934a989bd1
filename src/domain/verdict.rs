//! What a user said of a title, once: the one record the history page shows and edits, and
//! what keeps the title off his rows.

/// A user's record of a title. Stored as the `preferences` table's (`action`, `rating`) pair,
/// which its CHECKs keep to the pairs below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Seen it, thumbs up.
    Liked,
    /// Seen it, thumbs down.
    Disliked,
    Skipped,
    Requested,
    Watchlisted,
}

impl Verdict {
    /// Seen it, with the card's thumbs: `1` liked, `-1` disliked, anything else nothing.
    pub fn seen(rating: &str) -> Option<Self> {
        match rating {
            "1" => Some(Self::Liked),
            "-1" => Some(Self::Disliked),
            _ => None,
        }
    }

    /// The stored `action` column.
    pub fn action(self) -> &'static str {
        match self {
            Self::Liked | Self::Disliked => "seen",
            Self::Skipped => "skip",
            Self::Requested => "request",
            Self::Watchlisted => "watchlist",
        }
    }

    /// The stored `rating` column.
    pub fn rating(self) -> i32 {
        match self {
            Self::Liked => 1,
            Self::Disliked | Self::Skipped => -1,
            Self::Requested | Self::Watchlisted => 2,
        }
    }

    /// From the stored pair; `None` for an action the table's CHECK refuses.
    pub fn from_stored(action: &str, rating: i32) -> Option<Self> {
        match (action, rating) {
            ("seen", r) if r > 0 => Some(Self::Liked),
            ("seen", _) => Some(Self::Disliked),
            ("skip", _) => Some(Self::Skipped),
            ("request", _) => Some(Self::Requested),
            ("watchlist", _) => Some(Self::Watchlisted),
            _ => None,
        }
    }

    /// Seen it (either thumb): what the taste and a group's page count as watched.
    pub fn is_seen(self) -> bool {
        matches!(self, Self::Liked | Self::Disliked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verdict_reads_back_what_it_stores_and_nothing_else_is_read() {
        for verdict in [
            Verdict::Liked,
            Verdict::Disliked,
            Verdict::Skipped,
            Verdict::Requested,
            Verdict::Watchlisted,
        ] {
            assert_eq!(
                Verdict::from_stored(verdict.action(), verdict.rating()),
                Some(verdict)
            );
        }
        assert_eq!(Verdict::from_stored("seen", 2), Some(Verdict::Liked));
        assert_eq!(Verdict::from_stored("hidden", 1), None);
        assert_eq!(Verdict::seen("1"), Some(Verdict::Liked));
        assert_eq!(Verdict::seen("-1"), Some(Verdict::Disliked));
        assert_eq!(Verdict::seen("0"), None);
    }
}
