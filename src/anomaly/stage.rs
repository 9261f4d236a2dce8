//! The detector as a stage of a live source: sits between a source's
//! channel and its consumer (the console, `serve`'s hub), passes every
//! update through unchanged and appends the anomaly events the rules
//! produce to the batch that caused them. A one-second timer lets anomalies
//! clear once traffic stops.

use super::{AnomalyDetector, Thresholds};
use crate::model::*;
use std::time::Duration;
use tokio::sync::mpsc;

/// How often open anomalies are re-evaluated without new events.
pub const TICK: Duration = Duration::from_secs(1);

/// Put a detector behind `source`: the returned receiver yields the same
/// updates, with anomaly events added to event batches and sent on their
/// own when a timer tick clears or escalates something. Detection uses the
/// wall clock, as the events are live. The stage ends when either side
/// goes away.
pub fn detect_anomalies(
    mut source: mpsc::Receiver<SourceUpdate>,
    thresholds: Thresholds,
) -> mpsc::Receiver<SourceUpdate> {
    let (tx, rx) = mpsc::channel(source.max_capacity().max(16));
    tokio::spawn(async move {
        let mut detector = AnomalyDetector::new(thresholds);
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                update = source.recv() => {
                    let Some(update) = update else { break };
                    let update = match update {
                        SourceUpdate::Events(mut events) => {
                            let now = chrono::Utc::now();
                            let found: Vec<Event> = events
                                .iter()
                                .flat_map(|e| detector.observe(e, now))
                                .collect();
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
