//! The burn rate: spend in the last hour, today and this month, with the
//! end-of-day and end-of-month projections (see [`BurnRate`] for the exact
//! definitions). Built only on [`QueryEngine::cost_summary`], so every
//! engine (PgEngine, LiveEngine, RemoteEngine) answers it alike.

use super::period::bounds;
use crate::error::Result;
use crate::model::{BudgetPeriod, BurnRate, Microdollars, Timestamp};
use crate::query::{QueryEngine, TimeWindow};
use chrono::Duration;
use chrono_tz::Tz;

/// The window the pace is taken from: the hour before now.
pub fn rate_window(at: Timestamp) -> TimeWindow {
    TimeWindow::last(Duration::hours(1), at)
}

/// `spent + pace × remaining / window`, rounded half up (integers only;
/// nothing remaining leaves `spent`).
pub fn project(
    spent: Microdollars,
    window_spend: Microdollars,
    window: Duration,
    remaining: Duration,
) -> Microdollars {
    let window_us = i128::from(window.num_microseconds().unwrap_or(i64::MAX).max(1));
    let remaining_us = i128::from(remaining.num_microseconds().unwrap_or(0).max(0));
    let extra = (i128::from(window_spend.get()) * remaining_us * 2 + window_us) / (window_us * 2);
    let total = i128::from(spent.get()) + extra;
    Microdollars(total.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
}

/// The burn rate at `at`, day and month in `zone`.
pub async fn burn_rate(engine: &dyn QueryEngine, at: Timestamp, zone: Tz) -> Result<BurnRate> {
    let window = rate_window(at);
    let (day_start, day_end) = bounds(BudgetPeriod::Day, zone, at);
    let (month_start, month_end) = bounds(BudgetPeriod::Month, zone, at);
    let today = TimeWindow {
        start: day_start,
        end: at,
    };
    let month = TimeWindow {
        start: month_start,
        end: at,
    };
    // one after another: a remote server caps the queries a token runs at once
    let pace = engine.cost_summary(&window).await?.total_cost_microdollars;
    let today = engine.cost_summary(&today).await?.total_cost_microdollars;
    let month = engine.cost_summary(&month).await?.total_cost_microdollars;
    Ok(BurnRate {
        burn_rate_at: at,
        timezone: zone.name().to_string(),
        rate_window_start: window.start,
        rate_window_end: window.end,
        rate_window_microdollars: pace,
        spend_per_minute_microdollars: project(
            Microdollars::ZERO,
            pace,
            window.span(),
            Duration::minutes(1),
        ),
        spend_per_hour_microdollars: project(
            Microdollars::ZERO,
            pace,
            window.span(),
            Duration::hours(1),
        ),
        day_start,
        day_end,
        today_microdollars: today,
        projected_day_microdollars: project(today, pace, window.span(), day_end - at),
        month_start,
        month_end,
        month_to_date_microdollars: month,
        projected_month_microdollars: project(month, pace, window.span(), month_end - at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_is_spent_plus_pace_for_the_time_left_rounded_half_up() {
        let h = Duration::hours(1);
        // $6 in the last hour, 2.5 hours left: 10 + 6 × 2.5 = 25
        assert_eq!(
            project(Microdollars(10), Microdollars(6), h, Duration::minutes(150)),
            Microdollars(25)
        );
        // 7 µ$ per hour for one minute = 0.1166… → 0
        assert_eq!(
            project(Microdollars::ZERO, Microdollars(7), h, Duration::minutes(1)),
            Microdollars(0)
        );
        // 30 µ$ per hour for one minute = 0.5 → 1 (half up)
        assert_eq!(
            project(
                Microdollars::ZERO,
                Microdollars(30),
                h,
                Duration::minutes(1)
            ),
            Microdollars(1)
        );
        // nothing left: what was spent
        assert_eq!(
            project(Microdollars(42), Microdollars(1_000), h, Duration::zero()),
            Microdollars(42)
        );
    }
}
