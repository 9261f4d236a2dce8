//! The ribbon's rates on their own, for time travel: the same figures
//! [`super::LiveEngine::rates`] gives (the rolling minute, active users,
//! active sessions, open anomalies) from only the state they need, small
//! enough to copy. A replay keeps copies of it as checkpoints, so a seek
//! restores the nearest one and counts only the events after it instead of
//! rebuilding an engine (see `crate::tui::replay_driver`).

use super::FastMap;
use super::rolling::Rolling;
use crate::model::*;
use crate::query::ACTIVE_SESSION_MINUTES;
use std::collections::BTreeSet;

/// Sessions kept before the ones that can no longer count are dropped.
const SESSION_PRUNE_AT: usize = 4096;

/// See the module docs.
#[derive(Clone)]
pub struct RatesTracker {
    rolling: Rolling,
    /// Each session's latest state: still open, last activity.
    sessions: FastMap<String, (bool, Timestamp)>,
    /// Prune the sessions when they reach this many.
    prune_at: usize,
    /// The newest instant an event was counted at.
    newest: Option<Timestamp>,
    open_anomalies: BTreeSet<String>,
}

impl Default for RatesTracker {
    fn default() -> Self {
        RatesTracker::new()
    }
}

impl std::fmt::Debug for RatesTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RatesTracker")
            .field("sessions", &self.sessions.len())
            .field("open_anomalies", &self.open_anomalies.len())
            .finish()
    }
}

impl RatesTracker {
    /// Nothing counted yet.
    pub fn new() -> Self {
        RatesTracker {
            rolling: Rolling::new(),
            sessions: FastMap::default(),
            prune_at: SESSION_PRUNE_AT,
            newest: None,
            open_anomalies: BTreeSet::new(),
        }
    }

    /// Count one event, replayed at `at` (events come in replay order and
    /// the rates are asked at or after the last one's instant).
    pub fn observe(&mut self, event: &Event, at: Timestamp) {
        self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
        self.rolling.observe(event);
        match event {
            Event::SessionStarted { session } | Event::SessionEnded { session } => {
                let state = (session.ended_at.is_none(), session.last_activity_at);
                match self.sessions.get_mut(session.session_id.as_str()) {
                    Some(held) => *held = state,
                    None => {
                        self.sessions
                            .insert(session.session_id.as_str().to_string(), state);
                        if self.sessions.len() >= self.prune_at {
                            self.prune_sessions();
                        }
                    }
                }
            }
            Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly } => {
                self.open_anomalies.insert(anomaly.id.clone());
            }
            Event::AnomalyCleared { anomaly } => {
                self.open_anomalies.remove(&anomaly.id);
            }
            _ => {}
        }
    }

    /// Drop the sessions that cannot count at any instant from the newest
    /// on: ended ones, and those idle for longer than the active span (a
    /// later event about one replaces its state whole).
    fn prune_sessions(&mut self) {
        if let Some(newest) = self.newest {
            let since = newest - chrono::Duration::minutes(ACTIVE_SESSION_MINUTES);
            self.sessions
                .retain(|_, (open, last)| *open && *last >= since);
        }
        self.prune_at = (2 * self.sessions.len()).max(SESSION_PRUNE_AT);
    }

    /// The ribbon's figures at `now`, as [`super::LiveEngine::rates`]
    /// answers them for the same events.
    pub fn rates(&self, now: Timestamp) -> LiveRates {
        let mut rates = self.rolling.rates(now);
        let since = now - chrono::Duration::minutes(ACTIVE_SESSION_MINUTES);
        rates.active_sessions = self
            .sessions
            .values()
            .filter(|(open, last)| *open && *last >= since)
            .count() as i64;
        rates.open_anomalies = self.open_anomalies.len() as i64;
        rates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::LiveEngine;

    /// A simulated day with anomalies raised over it, in replay order.
    fn replayed_day() -> Vec<(Event, Timestamp)> {
        let cfg = crate::sim::SimConfig {
            seed: 3,
            users: 30,
            days: 1,
            until: "2026-03-10T15:30:00Z".parse().unwrap(),
        };
        let events = crate::sim::workload_events(&crate::sim::generate(&cfg));
        let mut rules = crate::anomaly::AnomalyDetector::new(crate::anomaly::Thresholds {
            requests_per_minute: crate::anomaly::Level {
                warning: 2.0,
                critical: 4.0,
            },
            ..Default::default()
        });
        let mut last = None::<Timestamp>;
        let mut out = Vec::new();
        for event in events {
            let at = event
                .occurred_at()
                .map_or(last, |t| Some(last.map_or(t, |l| l.max(t))));
            let Some(at) = at else { continue };
            last = Some(at);
            let raised = rules.observe(&event, at);
            out.push((event, at));
            out.extend(raised.into_iter().map(|e| (e, at)));
        }
        out
    }

    #[test]
    fn the_rates_equal_the_engines_and_a_copy_goes_on_the_same() {
        let events = replayed_day();
        assert!(events.len() > 5_000);
        let engine = LiveEngine::default();
        let mut tracker = RatesTracker::new();
        let mut copy: Option<(usize, RatesTracker)> = None;
        let (mut anomalies_seen, mut sessions_seen, mut requests_seen) = (false, false, false);
        for (i, (event, at)) in events.iter().enumerate() {
            engine.ingest(event);
            tracker.observe(event, *at);
            if i % 97 == 0 {
                let rates = engine.rates(*at);
                anomalies_seen |= rates.open_anomalies > 0;
                sessions_seen |= rates.active_sessions > 0;
                requests_seen |= rates.requests_per_min > 0.0;
                assert_eq!(tracker.rates(*at), rates, "after {i} events");
            }
            if i == events.len() / 3 {
                copy = Some((i, tracker.clone()));
            }
        }
        assert!(anomalies_seen && sessions_seen && requests_seen);
        // a copy taken on the way, given the events after it, ends the same
        let (from, mut copy) = copy.unwrap();
        for (event, at) in &events[from + 1..] {
            copy.observe(event, *at);
        }
        let end = events.last().unwrap().1;
        assert_eq!(copy.rates(end), tracker.rates(end));
    }
}
