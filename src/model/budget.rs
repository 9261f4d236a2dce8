//! Spend-control data: the burn rate (spend now, today and this month,
//! with end-of-period projections) and the state of each configured
//! budget. Plain data shared by the CLI (`analytics costs`, `budgets`),
//! the console and the anomaly events a budget raises; computed by
//! `crate::budget`.

use super::Microdollars;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a budget counts the spend of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetScope {
    /// Every counted AI request.
    Platform,
    /// Requests of the users whose id matches.
    User,
    /// Requests whose task's agent name matches.
    Agent,
    /// Requests on the models whose name matches.
    Model,
    /// Requests to the providers whose name matches.
    Provider,
}

impl BudgetScope {
    /// The name in config files and output.
    pub fn name(self) -> &'static str {
        match self {
            BudgetScope::Platform => "platform",
            BudgetScope::User => "user",
            BudgetScope::Agent => "agent",
            BudgetScope::Model => "model",
            BudgetScope::Provider => "provider",
        }
    }
}

/// The calendar span a budget resets on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    /// Midnight to midnight.
    Day,
    /// Monday 00:00 to the next Monday 00:00 (ISO week).
    Week,
    /// The 1st 00:00 to the next month's 1st 00:00.
    Month,
}

impl BudgetPeriod {
    /// The name in config files and output.
    pub fn name(self) -> &'static str {
        match self {
            BudgetPeriod::Day => "day",
            BudgetPeriod::Week => "week",
            BudgetPeriod::Month => "month",
        }
    }
}

/// Where a budget stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    /// Spent and projected both under the warning level.
    Ok,
    /// Spent or projected at or over `warn_at` of the limit.
    Warn,
    /// Spent or projected at or over the limit.
    Over,
}

impl BudgetState {
    /// `ok`, `warn` or `over`.
    pub fn name(self) -> &'static str {
        match self {
            BudgetState::Ok => "ok",
            BudgetState::Warn => "warn",
            BudgetState::Over => "over",
        }
    }
}

/// Which figure put a budget in its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateBasis {
    /// What was actually spent so far in the period.
    Spent,
    /// The projection at period end (spent is still under that level).
    Projected,
}

/// One budget evaluated at an instant. Spend is every counted AI request
/// (synthetic rows and rows without model or provider left out, as the
/// cost reports count) with `created_at` in `[period_start, at)` matching
/// the scope; the projection is
/// `spent + rate_window_microdollars × (period_end − at) / rate window length`,
/// rounded half up, with the rate window the hour before `at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatus {
    pub name: String,
    pub scope: BudgetScope,
    /// The exact name or glob the scope matches; `None` for platform.
    #[serde(rename = "match")]
    pub pattern: Option<String>,
    pub period: BudgetPeriod,
    /// IANA zone of the period boundaries (`UTC` unless configured).
    pub timezone: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub limit_microdollars: Microdollars,
    /// Warning level as a fraction of the limit, in (0, 1].
    pub warn_at: f64,
    pub spent_microdollars: Microdollars,
    /// Spent over the limit, in percent (may exceed 100).
    pub spent_percent: f64,
    /// Spend in the rate window (the hour before `at`).
    pub rate_window_microdollars: Microdollars,
    /// Projected spend at `period_end`.
    pub projected_microdollars: Microdollars,
    /// Projected over the limit, in percent.
    pub projected_percent: f64,
    pub state: BudgetState,
    /// Which figure set the state; `None` when ok.
    pub state_basis: Option<StateBasis>,
}

/// Spend now, today and this month at one instant, with projections.
///
/// * the rate window is `[at − 1 h, at)`: `spend_per_hour` is its spend,
///   `spend_per_minute` that over 60, rounded half up;
/// * today is `[day_start, at)`, the month `[month_start, at)`, in
///   `timezone` (UTC unless configured);
/// * `projected_day = today + rate_window × (day_end − at) / 1 h`, and
///   `projected_month` the same to `month_end`: spent so far plus the
///   last hour's pace for the time left, rounded half up. A projection,
///   not a forecast: it assumes the last hour's pace holds.
///
/// Spend counts as the cost reports do (no synthetic rows, no rows
/// without model or provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurnRate {
    pub burn_rate_at: DateTime<Utc>,
    pub timezone: String,
    pub rate_window_start: DateTime<Utc>,
    pub rate_window_end: DateTime<Utc>,
    pub rate_window_microdollars: Microdollars,
    pub spend_per_minute_microdollars: Microdollars,
    pub spend_per_hour_microdollars: Microdollars,
    pub day_start: DateTime<Utc>,
    pub day_end: DateTime<Utc>,
    pub today_microdollars: Microdollars,
    pub projected_day_microdollars: Microdollars,
    pub month_start: DateTime<Utc>,
    pub month_end: DateTime<Utc>,
    pub month_to_date_microdollars: Microdollars,
    pub projected_month_microdollars: Microdollars,
}
