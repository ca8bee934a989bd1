//! What can go wrong in a refresh, with its cause kept: an upstream (named, with its reason),
//! the database layer, or our own work. `AppError` maps it at the edge (docs/architecture.md
//! "Errors with a trail"); a run tells the user through that mapping, so the words are the same.

use crate::db::DbError;
use crate::integrations::{UpstreamError, UpstreamErrorKind};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    #[error(transparent)]
    Database(#[from] DbError),
    /// Our own failure (a cache entry that would not serialize): `context` names the part.
    #[error("{context}")]
    Internal {
        context: &'static str,
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl EngineError {
    pub fn internal(
        context: &'static str,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Internal {
            context,
            cause: cause.into(),
        }
    }

    /// TMDb (or another upstream) does not know the title asked for.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Upstream(e) if e.kind == UpstreamErrorKind::NotFound)
    }
}

impl From<diesel::result::Error> for EngineError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e.into())
    }
}

/// At the edge: an upstream's failure stays named as it is; the rest are ours.
impl From<EngineError> for crate::error::AppError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Upstream(e) => Self::Upstream(e),
            EngineError::Database(e) => e.into(),
            EngineError::Internal { context, cause } => Self::Internal { context, cause },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;
    use crate::integrations::Service;

    #[test]
    fn the_edge_tells_the_same_words_and_keeps_the_trail() {
        let db = EngineError::from(diesel::result::Error::NotFound);
        let told = AppError::from(db);
        assert!(told.to_string().contains("(database query)"), "{told}");
        let trail = crate::error::error_chain(&told);
        assert!(trail.contains("a query failed"), "{trail}");
        assert!(trail.contains("Record not found"), "{trail}");

        let upstream = EngineError::from(UpstreamError::not_configured(Service::Tmdb));
        assert!(!upstream.is_not_found());
        let said = upstream.to_string();
        assert_eq!(AppError::from(upstream).to_string(), said, "named as it is");
    }
}
