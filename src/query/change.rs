//! "What changed": a window against the previous window of the same length
//! (`TimeWindow::previous`), for the overview's activity and the cost
//! report, with the change in percent.
//!
//! Built on queries every engine answers (`activity_totals`, whose default
//! sums `activity_trend`, and `cost_summary`), so the console can ask the
//! same questions as the CLI; the conformance test holds PgEngine's direct
//! counts to LiveEngine's sums.

use super::{ActivityBucket, CostSummary, Counting, QueryEngine, TimeWindow};
use crate::error::Result;
use serde::{Deserialize, Serialize};

/// The change from `previous` to `current` in percent of `previous`,
/// rounded to one decimal (`10 → 15` is `50.0`, `10 → 5` is `-50.0`);
/// `None` when `previous` is 0 (no base to compare with).
pub fn change_percent(current: i64, previous: i64) -> Option<f64> {
    if previous == 0 {
        return None;
    }
    let percent = (current as f64 - previous as f64) * 100.0 / previous as f64;
    Some((percent * 10.0).round() / 10.0)
}

/// Rows created in a window, per table: the activity trend's five
/// dimensions summed (sessions by `started_at`, the others by
/// `created_at`; only rows inside the window).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityTotals {
    pub sessions: i64,
    pub contexts: i64,
    pub tasks: i64,
    pub ai_requests: i64,
    pub tool_executions: i64,
}

impl ActivityTotals {
    /// The sum of a window's trend buckets.
    pub fn from_buckets(buckets: &[ActivityBucket]) -> Self {
        buckets.iter().fold(Self::default(), |t, b| ActivityTotals {
            sessions: t.sessions + b.sessions,
            contexts: t.contexts + b.contexts,
            tasks: t.tasks + b.tasks,
            ai_requests: t.ai_requests + b.ai_requests,
            tool_executions: t.tool_executions + b.tool_executions,
        })
    }

    /// The five dimensions with their JSON names, in trend order.
    pub fn dimensions(&self) -> [(&'static str, i64); 5] {
        [
            ("sessions", self.sessions),
            ("contexts", self.contexts),
            ("tasks", self.tasks),
            ("ai_requests", self.ai_requests),
            ("tool_executions", self.tool_executions),
        ]
    }
}

/// A figure of a window beside the same figure of the previous window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Compared<T> {
    pub window: TimeWindow,
    pub previous_window: TimeWindow,
    pub current: T,
    pub previous: T,
}

/// Activity in `window` and in the window before it.
pub async fn activity_change(
    engine: &dyn QueryEngine,
    window: &TimeWindow,
) -> Result<Compared<ActivityTotals>> {
    let previous_window = window.previous();
    let (current, previous) = futures::try_join!(
        engine.activity_totals(window),
        engine.activity_totals(&previous_window)
    )?;
    Ok(Compared {
        window: *window,
        previous_window,
        current,
        previous,
    })
}

/// Spend in `window` and in the window before it, as the platform counts
/// (synthetic rows left out).
pub async fn cost_change(
    engine: &dyn QueryEngine,
    window: &TimeWindow,
) -> Result<Compared<CostSummary>> {
    cost_change_counting(engine, window, Counting::PLATFORM).await
}

/// [`cost_change`] counted as `counting` says, both windows alike.
pub async fn cost_change_counting(
    engine: &dyn QueryEngine,
    window: &TimeWindow,
    counting: Counting,
) -> Result<Compared<CostSummary>> {
    let previous_window = window.previous();
    let (current, previous) = futures::try_join!(
        engine.cost_summary_counting(window, counting),
        engine.cost_summary_counting(&previous_window, counting)
    )?;
    Ok(Compared {
        window: *window,
        previous_window,
        current,
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_is_a_rounded_percentage_of_the_previous_value() {
        assert_eq!(change_percent(15, 10), Some(50.0));
        assert_eq!(change_percent(5, 10), Some(-50.0));
        assert_eq!(change_percent(10, 10), Some(0.0));
        assert_eq!(change_percent(0, 3), Some(-100.0));
        assert_eq!(change_percent(1, 3), Some(-66.7));
        assert_eq!(change_percent(2, 3), Some(-33.3));
        assert_eq!(change_percent(7, 0), None);
        assert_eq!(change_percent(0, 0), None);
        assert_eq!(change_percent(36_000, 1_000_000), Some(-96.4));
    }

    #[test]
    fn totals_sum_the_buckets() {
        let t = chrono::DateTime::UNIX_EPOCH;
        let bucket = |n: i64| ActivityBucket {
            bucket_start: t,
            sessions: n,
            contexts: 2 * n,
            tasks: 3 * n,
            ai_requests: 4 * n,
            tool_executions: 5 * n,
        };
        let totals = ActivityTotals::from_buckets(&[bucket(1), bucket(2)]);
        assert_eq!(
            totals.dimensions(),
            [
                ("sessions", 3),
                ("contexts", 6),
                ("tasks", 9),
                ("ai_requests", 12),
                ("tool_executions", 15)
            ]
        );
    }
}
