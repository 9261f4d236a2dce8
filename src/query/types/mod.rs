//! Filters and result types of [`super::QueryEngine`].
//!
//! Result structs serialize to the CLI's JSON contract: snake_case fields
//! whose names carry their unit (`total_cost_microdollars`, `avg_time_ms`).
//! Averages are integers (rounded half away from zero, as the platform's
//! own reports round) and rates are fractions in `[0, 1]`
//! computed from integer counts, so every engine produces bit-equal answers.
//!
//! Conventions shared by every query (where a type's doc is silent):
//! a `limit` of 0 means no limit; windows are half-open `[start, end)`;
//! ties in an ordering are broken by the name or id, ascending, in byte
//! order (Rust's `String` order, Postgres `COLLATE "C"`); "earliest task of a
//! trace" means by `created_at`, then `task_id`.

mod analytics;
mod audit;
mod costs;
mod leaders;
mod logs;
mod overview;
mod traces;

pub use analytics::*;
pub use audit::*;
pub use costs::*;
pub use leaders::*;
pub use logs::*;
pub use overview::*;
pub use traces::*;

use super::window::TimeWindow;
use crate::model::*;
use serde::{Deserialize, Serialize, Serializer, ser::SerializeMap};

/// Integer average, rounded half away from zero, zero when `count` is
/// zero or negative.
pub fn int_avg(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        return 0;
    }
    let (sum, count) = (i128::from(sum), i128::from(count));
    let half = count / 2;
    let rounded = if sum >= 0 {
        (sum + half) / count
    } else {
        (sum - half) / count
    };
    i64::try_from(rounded).unwrap_or(if sum >= 0 { i64::MAX } else { i64::MIN })
}

/// A fraction `part / whole`, zero when `whole` is zero.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Discrete percentile as Postgres `percentile_disc`: the first value whose
/// cumulative share reaches `p`. `sorted` must be ascending.
pub fn percentile_disc(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    let pos = (p * n as f64).ceil() as usize;
    Some(sorted[pos.clamp(1, n) - 1])
}
