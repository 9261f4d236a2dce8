//! Budget alerts: [`BudgetMonitor`] turns successive evaluations into the
//! anomaly events of the feed, and [`watch_budgets`] runs it as a stage of
//! a live source (the console, `serve`), asking the engine every interval.
//!
//! One anomaly per budget, id `budget:NAME`:
//! * ok → warn raises `budget_warning` (severity warning), ok → over
//!   raises `budget_exceeded` (critical);
//! * warn → over escalates it to `budget_exceeded`;
//! * back to ok (a new period began, or the projection fell) clears it;
//!   over → warn keeps it open as it is (there is no de-escalation event).
//!
//! `value` and `threshold` are fractions of the limit: the larger of spent
//! and projected, against `warn_at` or 1. The budget's figures ride along
//! in `Anomaly::budget`.

use super::config::Budget;
use super::status::evaluate;
use crate::model::*;
use crate::query::QueryEngine;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Rule name of a budget at its warning level.
pub const BUDGET_WARNING: &str = "budget_warning";
/// Rule name of a budget at or over its limit.
pub const BUDGET_EXCEEDED: &str = "budget_exceeded";

/// How often a live source's budgets are evaluated by default.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// Open budget anomalies between evaluations.
#[derive(Debug, Default)]
pub struct BudgetMonitor {
    open: BTreeMap<String, Anomaly>,
}

/// The anomaly a budget status stands for (`None` when ok).
pub fn anomaly_of(status: &BudgetStatus) -> Option<Anomaly> {
    let (rule, severity, threshold) = match status.state {
        BudgetState::Ok => return None,
        BudgetState::Warn => (BUDGET_WARNING, Severity::Warning, status.warn_at),
        BudgetState::Over => (BUDGET_EXCEEDED, Severity::Critical, 1.0),
    };
    let limit = status.limit_microdollars.get().max(1) as f64;
    let value = status
        .spent_microdollars
        .max(status.projected_microdollars)
        .get() as f64
        / limit;
    Some(Anomaly {
        id: format!("budget:{}", status.name),
        rule: rule.to_string(),
        subject: status.name.clone(),
        severity,
        value,
        threshold,
        message: describe(status),
        raised_at: status.at,
        trace_id: None,
        budget: Some(Box::new(status.clone())),
    })
}

/// One line on where a budget stands.
pub fn describe(s: &BudgetStatus) -> String {
    let scope = match &s.pattern {
        Some(p) => format!("{} {p}", s.scope.name()),
        None => s.scope.name().to_string(),
    };
    let why = match (s.state, s.state_basis) {
        (BudgetState::Over, Some(StateBasis::Spent)) => "over its limit",
        (BudgetState::Over, _) => "projected over its limit",
        (BudgetState::Warn, Some(StateBasis::Spent)) => "past its warning level",
        (BudgetState::Warn, _) => "projected past its warning level",
        (BudgetState::Ok, _) => "within its limit",
    };
    format!(
        "budget {} ({scope}, {}) is {why}: spent {} of {} ({:.1}%), projected {} at period end",
        s.name,
        s.period.name(),
        s.spent_microdollars,
        s.limit_microdollars,
        s.spent_percent,
        s.projected_microdollars,
    )
}

impl BudgetMonitor {
    /// A monitor with nothing open.
    pub fn new() -> Self {
        Self::default()
    }

    /// Budget anomalies open now.
    pub fn open(&self) -> Vec<Anomaly> {
        self.open.values().cloned().collect()
    }

    /// Compare a new evaluation with the last; returns the events of the
    /// changes (see the module docs). Budgets no longer configured clear.
    pub fn judge(&mut self, statuses: &[BudgetStatus]) -> Vec<Event> {
        let mut out = Vec::new();
        let mut seen = Vec::with_capacity(statuses.len());
        for status in statuses {
            let id = format!("budget:{}", status.name);
            seen.push(id.clone());
            let now = anomaly_of(status);
            match (self.open.get_mut(&id), now) {
                (None, None) => {}
                (None, Some(anomaly)) => {
                    self.open.insert(id, anomaly.clone());
                    out.push(Event::AnomalyRaised { anomaly });
                }
                (Some(open), Some(anomaly)) => {
                    if open.severity == Severity::Warning && anomaly.severity == Severity::Critical
                    {
                        *open = Anomaly {
                            raised_at: open.raised_at,
                            ..anomaly
                        };
                        out.push(Event::AnomalyEscalated {
                            anomaly: open.clone(),
                        });
                    } else {
                        // same level (or back to warn): figures move on quietly
                        open.value = anomaly.value;
                        open.budget = anomaly.budget;
                    }
                }
                (Some(_), None) => {
                    if let Some(mut anomaly) = self.open.remove(&id) {
                        anomaly.message = format!("cleared: {}", describe(status));
                        anomaly.value = status
                            .spent_microdollars
                            .max(status.projected_microdollars)
                            .get() as f64
                            / status.limit_microdollars.get().max(1) as f64;
                        anomaly.budget = Some(Box::new(status.clone()));
                        out.push(Event::AnomalyCleared { anomaly });
                    }
                }
            }
        }
        let gone: Vec<String> = self
            .open
            .keys()
            .filter(|id| !seen.contains(id))
            .cloned()
            .collect();
        for id in gone {
            if let Some(mut anomaly) = self.open.remove(&id) {
                anomaly.message = format!(
                    "cleared: budget {} is no longer configured",
                    anomaly.subject
                );
                out.push(Event::AnomalyCleared { anomaly });
            }
        }
        out
    }
}

/// Put budget alerts behind `source`: the returned receiver yields the
/// same updates, plus a batch of budget anomaly events whenever an
/// evaluation (every `interval`, the first at once) changes a state. An
/// evaluation that fails (the database is away) is skipped and tried
/// again at the next interval. The stage ends when either side goes away.
pub fn watch_budgets(
    mut source: mpsc::Receiver<SourceUpdate>,
    budgets: Arc<[Budget]>,
    engine: Arc<dyn QueryEngine>,
    interval: Duration,
) -> mpsc::Receiver<SourceUpdate> {
    let (tx, rx) = mpsc::channel(source.max_capacity().max(16));
    tokio::spawn(async move {
        let mut monitor = BudgetMonitor::new();
        let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(100)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                update = source.recv() => {
                    let Some(update) = update else { break };
                    if tx.send(update).await.is_err() {
                        break;
                    }
                }
                _ = ticker.tick(), if !budgets.is_empty() => {
                    let at = chrono::Utc::now();
                    let Ok(statuses) = evaluate(engine.as_ref(), &budgets, at).await else {
                        continue;
                    };
                    let events = monitor.judge(&statuses);
                    if !events.is_empty() && tx.send(SourceUpdate::Events(events)).await.is_err() {
                        break;
                    }
                }
                _ = tx.closed() => break,
            }
        }
    });
    rx
}
