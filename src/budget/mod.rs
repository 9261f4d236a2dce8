//! Spend control: the burn rate and budgets.
//!
//! * [`burn`]: spend in the last hour, today and this month, projected to
//!   the end of the day and the month ([`crate::model::BurnRate`]).
//! * [`config`]: the `[[budget]]` entries of the config file, checked.
//! * [`status`]: each budget evaluated at an instant: spent, projected at
//!   period end, `ok` / `warn` / `over` ([`crate::model::BudgetStatus`]).
//! * [`monitor`]: state changes become `budget_warning` /
//!   `budget_exceeded` anomaly events, as a stage of a live source.
//! * [`period`] and [`glob`]: calendar periods in a time zone, and the
//!   `*` / `?` matcher of `match`.
//!
//! Everything asks only [`crate::query::QueryEngine`]'s cost questions, so
//! PgEngine, LiveEngine and RemoteEngine give the same answers.

pub mod burn;
pub mod config;
pub mod glob;
pub mod monitor;
pub mod period;
pub mod status;

pub use burn::burn_rate;
pub use config::{Budget, SpendConfig, parse_budgets, parse_default_zone};
pub use monitor::{BUDGET_EXCEEDED, BUDGET_WARNING, BudgetMonitor, watch_budgets};
pub use status::evaluate;
