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
    // the budget's name is the anomaly's subject, shown beside this line
    format!(
        "{scope} budget per {}: {why}: spent {} of {} ({:.1}%), projected {} at period end",
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
                anomaly.message = "cleared: the budget is no longer configured".to_string();
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
/// again at the next interval; `say` hears the first failure and the
/// recovery (one line each, never once per interval). The stage ends when
/// either side goes away.
pub fn watch_budgets(
    mut source: mpsc::Receiver<SourceUpdate>,
    budgets: Arc<[Budget]>,
    engine: Arc<dyn QueryEngine>,
    interval: Duration,
    say: impl Fn(String) + Send + 'static,
) -> mpsc::Receiver<SourceUpdate> {
    let (tx, rx) = mpsc::channel(source.max_capacity().max(16));
    tokio::spawn(async move {
        let mut monitor = BudgetMonitor::new();
        let mut failing = false;
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
                    let statuses = match evaluate(engine.as_ref(), &budgets, at).await {
                        Ok(statuses) => statuses,
                        Err(e) => {
                            if !failing {
                                say(format!("budgets not evaluated: {e}; retrying every {interval:?}"));
                            }
                            failing = true;
                            continue;
                        }
                    };
                    if failing {
                        say("budgets evaluated again".to_string());
                        failing = false;
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + chrono::Duration::minutes(minute)
    }

    fn status(name: &str, minute: i64, spent: i64, projected: i64) -> BudgetStatus {
        let limit = 100;
        let state = if spent.max(projected) >= limit {
            BudgetState::Over
        } else if spent.max(projected) >= 80 {
            BudgetState::Warn
        } else {
            BudgetState::Ok
        };
        BudgetStatus {
            name: name.into(),
            scope: BudgetScope::User,
            pattern: Some("alice".into()),
            period: BudgetPeriod::Day,
            timezone: "UTC".into(),
            period_start: at(-600),
            period_end: at(840),
            at: at(minute),
            limit_microdollars: Microdollars(limit),
            warn_at: 0.8,
            spent_microdollars: Microdollars(spent),
            spent_percent: spent as f64,
            rate_window_microdollars: Microdollars(0),
            projected_microdollars: Microdollars(projected),
            projected_percent: projected as f64,
            state,
            state_basis: (state != BudgetState::Ok).then_some(if spent >= 80 {
                StateBasis::Spent
            } else {
                StateBasis::Projected
            }),
        }
    }

    /// (event kind, rule, severity, raised at minute)
    fn summary(events: &[Event]) -> Vec<(&'static str, String, Severity, DateTime<Utc>)> {
        events
            .iter()
            .map(|e| match e {
                Event::AnomalyRaised { anomaly }
                | Event::AnomalyEscalated { anomaly }
                | Event::AnomalyCleared { anomaly } => (
                    e.kind(),
                    anomaly.rule.clone(),
                    anomaly.severity,
                    anomaly.raised_at,
                ),
                other => panic!("not an anomaly: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn warn_then_over_then_a_new_period_clears() {
        let mut m = BudgetMonitor::new();
        assert!(m.judge(&[status("a", 0, 10, 50)]).is_empty(), "ok: nothing");
        let raised = m.judge(&[status("a", 1, 10, 85)]);
        assert_eq!(
            summary(&raised),
            vec![(
                "anomaly_raised",
                BUDGET_WARNING.into(),
                Severity::Warning,
                at(1)
            )]
        );
        if let Event::AnomalyRaised { anomaly } = &raised[0] {
            assert_eq!(anomaly.id, "budget:a");
            assert_eq!(anomaly.value, 0.85);
            assert_eq!(anomaly.threshold, 0.8);
            assert!(
                anomaly.message.contains("projected past its warning level"),
                "{}",
                anomaly.message
            );
        }
        assert!(
            m.judge(&[status("a", 2, 20, 90)]).is_empty(),
            "still warn: quiet"
        );
        let escalated = m.judge(&[status("a", 3, 100, 150)]);
        assert_eq!(
            summary(&escalated),
            vec![(
                "anomaly_escalated",
                BUDGET_EXCEEDED.into(),
                Severity::Critical,
                at(1)
            )]
        );
        // a falling projection does not de-escalate
        assert!(m.judge(&[status("a", 4, 85, 85)]).is_empty());
        assert_eq!(m.open()[0].severity, Severity::Critical);
        let cleared = m.judge(&[status("a", 5, 0, 0)]);
        assert_eq!(summary(&cleared)[0].0, "anomaly_cleared");
        assert!(m.open().is_empty());
        // straight to over raises budget_exceeded
        let over = m.judge(&[status("a", 6, 120, 120)]);
        assert_eq!(
            summary(&over),
            vec![(
                "anomaly_raised",
                BUDGET_EXCEEDED.into(),
                Severity::Critical,
                at(6)
            )]
        );
    }

    #[test]
    fn a_budget_no_longer_configured_clears() {
        let mut m = BudgetMonitor::new();
        m.judge(&[status("a", 0, 90, 90), status("b", 0, 90, 90)]);
        let events = m.judge(&[status("b", 1, 90, 90)]);
        assert_eq!(summary(&events)[0].0, "anomaly_cleared");
        assert_eq!(m.open().len(), 1);
        assert_eq!(m.open()[0].id, "budget:b");
    }
}
