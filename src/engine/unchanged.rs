//! Whether the nightly needs a new AI answer for a user (docs/recommendations.md "The
//! nightly"): only when his taste fingerprint changed since the run that made his rows, or that
//! run is older than `SAGARR_REFRESH_UNCHANGED_DAYS`. Costs one `get_history` call, whose page
//! the refresh then starts from.

use std::time::Duration;

use crate::db;
use crate::integrations::tautulli::HistoryPage;

use super::fingerprint::{AskedShape, Fingerprint, HistoryMark};
use super::{Context, HISTORY_PAGE, availability, prepare};

/// What the nightly should do for one user, and why (the CLI prints it, the log keeps it).
#[derive(Debug)]
pub enum Verdict {
    /// Refresh in full, starting from `first_page` when it was read.
    Refresh {
        why: String,
        first_page: Option<HistoryPage>,
    },
    /// Keep his rows; their availability was re-checked (`rechecked` titles asked).
    Unchanged { why: String, rechecked: i32 },
}

/// Decides for `user_id` at `now` (unix seconds; injected so tests can move the clock).
pub async fn check(
    ctx: &Context,
    http: &awc::Client,
    user_id: i32,
    now: i64,
    unchanged_for: Duration,
) -> Verdict {
    let refresh = |why: String| Verdict::Refresh {
        why,
        first_page: None,
    };
    let last = db::run(&ctx.pool, move |c| Ok(db::runs::last_good(c, user_id)?)).await;
    let (stored, finished_at) = match last {
        Ok(Some(last)) => last,
        Ok(None) => return refresh("no refresh has made rows yet".to_owned()),
        Err(error) => return refresh(format!("the last refresh could not be read ({error})")),
    };
    let Some(earlier) = stored.as_deref().and_then(Fingerprint::decode) else {
        return refresh(
            "the last refresh kept no fingerprint (it was incomplete, or older than this version)"
                .to_owned(),
        );
    };
    let age = now - finished_at;
    if age > i64::try_from(unchanged_for.as_secs()).unwrap_or(i64::MAX) {
        return refresh(format!(
            "unchanged, but the rows are {} old (SAGARR_REFRESH_UNCHANGED_DAYS is {})",
            ago(age),
            unchanged_for.as_secs() / 86_400
        ));
    }
    let (user, upstreams) = match prepare(ctx, user_id).await {
        Ok(found) => found,
        Err(message) => return refresh(message),
    };
    // Without Tautulli the refresh fails and says so; it is not for this check to hide that.
    let Some(tautulli) = upstreams.tautulli(http) else {
        return refresh("Tautulli is not set up".to_owned());
    };
    let tautulli_user = user.tautulli_user_id.unwrap_or(user.plex_id);
    let first_page = match tautulli.history_page(tautulli_user, 0, HISTORY_PAGE).await {
        Ok(page) => page,
        Err(error) => return refresh(format!("the history could not be read ({error})")),
    };
    let records = db::run(&ctx.pool, move |c| {
        Ok(db::preferences::all_for(c, user_id)?)
    })
    .await;
    let records = match records {
        Ok(records) => records,
        Err(error) => return refresh(format!("the records could not be read ({error})")),
    };
    let now_print = Fingerprint::of(
        &HistoryMark::of(&first_page),
        &records,
        user.rating_limit.as_deref(),
        &upstreams.ai,
        AskedShape::of(&ctx.config),
    );
    let changes = now_print.changes_since(&earlier);
    if !changes.is_empty() {
        return Verdict::Refresh {
            why: format!("{} changed", changes.join(", ")),
            first_page: Some(first_page),
        };
    }
    let rechecked = availability::check_stored(&ctx.pool, upstreams.overseerr(http), user_id).await;
    Verdict::Unchanged {
        why: format!("unchanged since the rows were made {} ago", ago(age)),
        rechecked,
    }
}

/// `3 days`, `5 hours`, `12 minutes`.
fn ago(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let (n, unit) = if seconds >= 2 * 86_400 {
        (seconds / 86_400, "day")
    } else if seconds >= 2 * 3600 {
        (seconds / 3600, "hour")
    } else {
        (seconds / 60, "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::ago;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(ago(59), "0 minutes");
        assert_eq!(ago(60), "1 minute");
        assert_eq!(ago(3 * 3600), "3 hours");
        assert_eq!(ago(8 * 86_400 + 5), "8 days");
    }
}
