//! The detector as a stage of a live source: sits between a source's
//! channel and its consumer (the console, `serve`'s hub), passes every
//! update through unchanged and appends the anomaly events the rules
//! produce to the batch that caused them. A one-second timer lets anomalies
//! clear once traffic stops.
//!
//! Each event is judged at its own time (when it happened, not when it
//! arrived), bounded by the wall clock and never earlier than the event
//! before it: a source's backfill (a restarted `serve` re-reads the last
//! ten minutes) or rows committed late arrive in one batch but spread over
//! their real minutes, so ordinary traffic is not mistaken for a burst.

use super::{AnomalyDetector, Thresholds};
use crate::model::*;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often open anomalies are re-evaluated without new events.
pub const TICK: Duration = Duration::from_secs(1);

/// Put a detector behind `source`: the returned receiver yields the same
/// updates, with anomaly events added to event batches and sent on their
/// own when a timer tick clears or escalates something. Events are judged
/// at their own time (see the module docs), ticks at the wall clock. The
/// stage ends when either side goes away.
pub fn detect_anomalies(
    mut source: mpsc::Receiver<SourceUpdate>,
    thresholds: Thresholds,
) -> mpsc::Receiver<SourceUpdate> {
    let (tx, rx) = mpsc::channel(source.max_capacity().max(16));
    tokio::spawn(async move {
        let mut detector = AnomalyDetector::new(thresholds);
        // the detector's windows are kept in the order events are observed,
        // so event instants never go back; ticks only prune and do not
        // move this clock (a backfill may arrive after the first ticks)
        let mut last: Option<Timestamp> = None;
        let mut clock = |at: Timestamp| {
            let at = last.map_or(at, |l| at.max(l));
            last = Some(at);
            at
        };
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                update = source.recv() => {
                    let Some(update) = update else { break };
                    let update = match update.decoded() {
                        SourceUpdate::Events(mut events) => {
                            let now = chrono::Utc::now();
                            let mut found: Vec<Event> = Vec::new();
                            for e in &events {
                                let at = clock(e.occurred_at().map_or(now, |t| t.min(now)));
                                found.extend(detector.observe(e, at));
                            }
                            events.extend(found);
                            SourceUpdate::Events(events)
                        }
                        other => other,
                    };
                    if tx.send(update).await.is_err() {
                        break;
                    }
                }
                _ = ticker.tick() => {
                    let found = detector.tick(chrono::Utc::now());
                    if !found.is_empty() && tx.send(SourceUpdate::Events(found)).await.is_err() {
                        break;
                    }
                }
                _ = tx.closed() => break,
            }
        }
    });
    rx
}
