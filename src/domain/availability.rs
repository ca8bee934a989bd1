//! Whether the server has a title, as Overseerr (or Jellyseerr, Seerr) says, in the words of
//! docs/http.md (`GET /media/{kind}/{id}/status`). How a card shows it is `views::card`'s.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    Available,
    Partial,
    Requested,
    Processing,
    Missing,
    Unknown,
}

impl Availability {
    const ALL: [Self; 6] = [
        Self::Available,
        Self::Partial,
        Self::Requested,
        Self::Processing,
        Self::Missing,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Partial => "partial",
            Self::Requested => "requested",
            Self::Processing => "processing",
            Self::Missing => "missing",
            Self::Unknown => "unknown",
        }
    }

    /// Whether a card wears its badge: a missing or unknown title shows its Request button
    /// instead.
    pub fn on_card(self) -> bool {
        !matches!(self, Self::Missing | Self::Unknown)
    }

    /// Missing titles (and partly available shows) can be requested; so can one Overseerr
    /// could not be asked about, which then says why.
    pub fn requestable(self) -> bool {
        matches!(self, Self::Missing | Self::Partial | Self::Unknown)
    }

    /// What the server has can go on the user's Plex watchlist.
    pub fn on_plex(self) -> bool {
        matches!(self, Self::Available | Self::Partial)
    }

    /// A stored status; anything this build does not know is `Unknown`.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or(Self::Unknown)
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_and_an_unknown_one_is_unknown() {
        for status in Availability::ALL {
            assert_eq!(Availability::from_stored(status.as_str()), status);
        }
        assert_eq!(
            Availability::from_stored("blocklisted"),
            Availability::Unknown
        );
    }
}
