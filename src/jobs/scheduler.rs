//! The nightly refresh: a clokwerk thread ticks every minute in UTC (clokwerk panics on local
//! DST changes, docs/architecture.md "Crates") and decides against the local clock whether `SAGARR_REFRESH_AT`
//! has come; `nightly` then queues the night's refreshes.

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use clokwerk::{Scheduler, TimeUnits};
use tokio::sync::mpsc;

/// Decides when the nightly run is due, from local wall-clock times (injected, for tests).
#[derive(Debug, Clone)]
pub struct NightlyClock {
    at: NaiveTime,
    last_fired: Option<NaiveDate>,
}

impl NightlyClock {
    /// A clock created after today's time has passed waits for tomorrow: nothing runs at start-up.
    pub fn new(at: NaiveTime, now: NaiveDateTime) -> Self {
        Self {
            at,
            last_fired: (now.time() >= at).then_some(now.date()),
        }
    }

    /// True once a day, at the first tick at or after the configured time. A time skipped by a
    /// DST change fires at the next tick; a repeated hour fires once.
    pub fn due(&mut self, now: NaiveDateTime) -> bool {
        if now.time() >= self.at && self.last_fired != Some(now.date()) {
            self.last_fired = Some(now.date());
            return true;
        }
        false
    }
}

/// Starts the clock thread; every due tick sends `()` on `tx`. Keep the handle: dropping it
/// stops the thread.
pub fn start(at: NaiveTime, tx: mpsc::UnboundedSender<()>) -> clokwerk::ScheduleHandle {
    let mut clock = NightlyClock::new(at, chrono::Local::now().naive_local());
    let mut scheduler = Scheduler::with_tz(chrono::Utc);
    scheduler.every(1.minutes()).run(move || {
        if clock.due(chrono::Local::now().naive_local()) {
            let _ = tx.send(());
        }
    });
    scheduler.watch_thread(Duration::from_secs(5))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: (i32, u32, u32), time: (u32, u32)) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(date.0, date.1, date.2)
            .unwrap()
            .and_hms_opt(time.0, time.1, 0)
            .unwrap()
    }

    #[test]
    fn fires_once_a_day_at_the_configured_local_time() {
        let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        let mut clock = NightlyClock::new(three, at((2026, 11, 24), (1, 0)));
        assert!(!clock.due(at((2026, 11, 24), (2, 59))));
        assert!(clock.due(at((2026, 11, 24), (3, 0))));
        assert!(!clock.due(at((2026, 11, 24), (3, 1))), "once a day");
        assert!(!clock.due(at((2026, 11, 25), (2, 0))));
        assert!(
            clock.due(at((2026, 11, 25), (3, 5))),
            "a late tick still fires"
        );
    }

    #[test]
    fn nothing_fires_at_start_up_after_the_time() {
        let three = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        let mut clock = NightlyClock::new(three, at((2026, 11, 24), (10, 0)));
        assert!(!clock.due(at((2026, 11, 24), (10, 1))));
        assert!(clock.due(at((2026, 11, 25), (3, 0))));
    }

    #[test]
    fn a_time_skipped_by_dst_fires_at_the_next_tick() {
        // 02:30 does not exist on a spring-forward night: the clock jumps from 01:59 to 03:00.
        let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let mut clock = NightlyClock::new(half_past_two, at((2027, 3, 28), (1, 0)));
        assert!(!clock.due(at((2027, 3, 28), (1, 59))));
        assert!(clock.due(at((2027, 3, 28), (3, 0))));
    }
}
