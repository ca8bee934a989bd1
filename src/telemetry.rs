//! Logging to stderr, filtered by `SAGARR_LOG` (tracing env-filter syntax), stamped in `TZ`.
//! ERROR is for Sagarr's own faults: actix's HTTP parser reports every malformed request a
//! client sends at ERROR, so those lines are said again at INFO, as the client's mistake.

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::time::ChronoLocal;
use tracing_subscriber::layer::{Context, Filter, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Where actix-http reports a request it could not parse (a client's mistake).
const PARSER: &str = "actix_http::h1::dispatcher";

/// Installs the global subscriber; a bad filter is reported against `SAGARR_LOG`.
pub fn init(filter: &str) -> Result<(), crate::config::ConfigError> {
    let filter = EnvFilter::try_new(filter).map_err(|e| crate::config::ConfigError {
        variable: "SAGARR_LOG",
        message: format!("`{filter}` is not a log filter ({e}); try info or sagarr=debug"),
    })?;
    let output = tracing_subscriber::fmt::layer()
        .with_timer(ChronoLocal::rfc_3339())
        .with_writer(std::io::stderr)
        .with_filter(NotTheParsersErrors);
    // Ignore the error when a subscriber is already set (tests start several apps).
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .with(ClientMistakes)
        .try_init();
    Ok(())
}

/// Lets everything through but the HTTP parser's ERROR lines.
struct NotTheParsersErrors;

impl<S> Filter<S> for NotTheParsersErrors {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: &Context<'_, S>) -> bool {
        !is_parser_error(meta)
    }
}

fn is_parser_error(meta: &tracing::Metadata<'_>) -> bool {
    *meta.level() == Level::ERROR && meta.target().starts_with(PARSER)
}

/// Says the HTTP parser's ERROR lines again at INFO: a malformed request is the client's.
struct ClientMistakes;

impl<S: Subscriber> Layer<S> for ClientMistakes {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if !is_parser_error(event.metadata()) {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        tracing::info!(target: "sagarr::http", reason = %message.0, "refused a malformed request");
    }
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}
