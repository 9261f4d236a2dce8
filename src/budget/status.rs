//! Budgets evaluated at an instant: spend in the period so far, spend in
//! the rate window, the projection at period end and the state. Built on
//! [`QueryEngine::cost_summary`] (platform) and
//! [`QueryEngine::cost_breakdown`] (the group keys of the scope, matched by
//! the budget's pattern; a user budget's by id or by name, through
//! [`QueryEngine::users`]), so every engine answers alike; one query per
//! distinct window and scope, however many budgets share them.

use super::burn::{project, rate_window};
use super::config::Budget;
use super::period::bounds;
use crate::error::Result;
use crate::model::*;
use crate::query::{CostBreakdownRow, CostDimension, QueryEngine, TimeWindow};
use std::collections::HashMap;

/// Each budget's status at `at`, in the order given.
pub async fn evaluate(
    engine: &dyn QueryEngine,
    budgets: &[Budget],
    at: Timestamp,
) -> Result<Vec<BudgetStatus>> {
    let mut cache = Spend::default();
    let pace_window = rate_window(at);
    let mut out = Vec::with_capacity(budgets.len());
    for budget in budgets {
        let (start, end) = bounds(budget.period, budget.zone, at);
        let period = TimeWindow { start, end: at };
        let spent = cache.of(engine, budget, period).await?;
        let pace = cache.of(engine, budget, pace_window).await?;
        let projected = project(spent, pace, pace_window.span(), end - at);
        let (state, basis) = judge(budget, spent, projected);
        out.push(BudgetStatus {
            name: budget.name.clone(),
            scope: budget.scope,
            pattern: budget.pattern.as_ref().map(|p| p.as_str().to_string()),
            period: budget.period,
            timezone: budget.zone.name().to_string(),
            period_start: start,
            period_end: end,
            at,
            limit_microdollars: budget.limit,
            warn_at: budget.warn_at,
            spent_microdollars: spent,
            spent_percent: percent(spent, budget.limit),
            rate_window_microdollars: pace,
            projected_microdollars: projected,
            projected_percent: percent(projected, budget.limit),
            state,
            state_basis: basis,
        });
    }
    Ok(out)
}

/// The state and what set it: spent first (it is certain), then the
/// projection.
pub fn judge(
    budget: &Budget,
    spent: Microdollars,
    projected: Microdollars,
) -> (BudgetState, Option<StateBasis>) {
    let warn = budget.warn_limit();
    if spent >= budget.limit {
        (BudgetState::Over, Some(StateBasis::Spent))
    } else if projected >= budget.limit {
        (BudgetState::Over, Some(StateBasis::Projected))
    } else if spent >= warn {
        (BudgetState::Warn, Some(StateBasis::Spent))
    } else if projected >= warn {
        (BudgetState::Warn, Some(StateBasis::Projected))
    } else {
        (BudgetState::Ok, None)
    }
}

fn percent(part: Microdollars, limit: Microdollars) -> f64 {
    if limit.get() <= 0 {
        return 0.0;
    }
    // two decimals are all a percentage needs, and they keep JSON stable
    (part.get() as f64 * 10_000.0 / limit.get() as f64).round() / 100.0
}

fn dimension(scope: BudgetScope) -> Option<CostDimension> {
    match scope {
        BudgetScope::Platform => None,
        BudgetScope::User => Some(CostDimension::User),
        BudgetScope::Agent => Some(CostDimension::Agent),
        BudgetScope::Model => Some(CostDimension::Model),
        BudgetScope::Provider => Some(CostDimension::Provider),
    }
}

/// Answers already asked during one evaluation.
#[derive(Default)]
struct Spend {
    totals: HashMap<(Timestamp, Timestamp), Microdollars>,
    groups: HashMap<(Timestamp, Timestamp, CostDimension), Vec<CostBreakdownRow>>,
    /// User ids to names, asked once for the first user budget.
    user_names: Option<HashMap<String, String>>,
}

impl Spend {
    async fn of(
        &mut self,
        engine: &dyn QueryEngine,
        budget: &Budget,
        window: TimeWindow,
    ) -> Result<Microdollars> {
        let Some(by) = dimension(budget.scope) else {
            let key = (window.start, window.end);
            if let Some(total) = self.totals.get(&key) {
                return Ok(*total);
            }
            let total = engine.cost_summary(&window).await?.total_cost_microdollars;
            self.totals.insert(key, total);
            return Ok(total);
        };
        if by == CostDimension::User && self.user_names.is_none() {
            let users = engine.users(0).await?;
            self.user_names = Some(users.into_iter().map(|u| (u.id.0, u.name)).collect());
        }
        let key = (window.start, window.end, by);
        let rows = match self.groups.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(engine.cost_breakdown(&window, by).await?)
            }
        };
        let names = self.user_names.as_ref();
        let sum = rows
            .iter()
            .filter(|r| {
                let name = names.and_then(|n| n.get(&r.key)).map(String::as_str);
                budget.counts_user(&r.key, name)
            })
            .map(|r| r.total_cost_microdollars.get())
            .fold(0i64, i64::saturating_add);
        Ok(Microdollars(sum))
    }
}
