//! What a live source tells its consumer besides events: its connection
//! state and counters, and the rolling rates shown in the console's ribbon.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::Event;

/// Connection state of a live source, shown in the ribbon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SourceState {
    /// Connecting for the first time.
    Connecting,
    /// Receiving events.
    Connected,
    /// Lost; the next attempt is in `retry_in_ms`.
    Reconnecting { retry_in_ms: u64, reason: String },
    /// Stopped for good (e.g. 401/403, end of a replay file).
    Stopped { reason: String },
}

/// Counters a source keeps about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceCounters {
    /// Events delivered.
    pub received: u64,
    /// Events dropped because the consumer fell behind (oldest first).
    pub dropped: u64,
    /// Malformed or oversized events skipped.
    pub skipped: u64,
    /// Events of a type we do not know (kept as `Unknown`).
    pub unknown: u64,
    /// Seconds between the newest event's time and now.
    pub behind_secs: Option<f64>,
}

/// One message from a source to the console.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceUpdate {
    /// A batch of events, in order.
    Events(Vec<Event>),
    /// The source's state changed.
    State(SourceState),
    /// Updated counters.
    Counters(SourceCounters),
}

/// Rolling-window figures for the ribbon, computed by LiveEngine.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveRates {
    pub at: Option<DateTime<Utc>>,
    pub requests_per_min: f64,
    pub error_rate: f64,
    pub cost_per_min_microdollars: i64,
    pub tokens_per_min: f64,
    pub p50_latency_ms: Option<u64>,
    pub p95_latency_ms: Option<u64>,
    pub p99_latency_ms: Option<u64>,
    pub active_users: i64,
    pub active_sessions: i64,
    pub open_anomalies: i64,
}
