//! Logging to stderr, filtered by `SAGARR_LOG` (tracing env-filter syntax), stamped in `TZ`.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::time::ChronoLocal;

/// Installs the global subscriber; a bad filter is reported against `SAGARR_LOG`.
pub fn init(filter: &str) -> Result<(), crate::config::ConfigError> {
    let filter = EnvFilter::try_new(filter).map_err(|e| crate::config::ConfigError {
        variable: "SAGARR_LOG",
        message: format!("`{filter}` is not a log filter ({e}); try info or sagarr=debug"),
    })?;
    // Ignore the error when a subscriber is already set (tests start several apps).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_timer(ChronoLocal::rfc_3339())
        .with_writer(std::io::stderr)
        .try_init();
    Ok(())
}
