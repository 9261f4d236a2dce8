//! Anomaly detection on the event stream.
//!
//! [`AnomalyDetector`] watches events as they pass (in the console's
//! source task, in `serve`, or over a replay of recent rows for
//! `tracetop anomalies`) and turns threshold crossings into
//! `AnomalyRaised` / `AnomalyEscalated` / `AnomalyCleared` events, which
//! flow on like any other event (LiveEngine keeps them, the feed shows
//! them). [`Thresholds`] come from the `[anomaly]` table of the config file,
//! with the platform's defaults.

pub mod rule;
pub mod rules;
pub mod stage;
pub mod thresholds;

pub use rules::{AnomalyDetector, Rule};
pub use stage::detect_anomalies;
pub use thresholds::{Level, Thresholds};
