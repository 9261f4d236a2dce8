//! Time travel: any past window of the audited data as a stream of events,
//! so the console can open on it and replay it (`tracetop --at`, `:goto`,
//! `:window`, `--replay FILE`) and `record --since/--until` can hand it
//! over as a file. Nothing here writes to a database.
//!
//! A [`WindowSource`] reads the window's rows in time order and sends them
//! in batches of [`Replayed`] events (each with the instant it is replayed
//! at): [`pg::PgWindow`] through the same select lists and decoding as the
//! Postgres tail, [`remote::RemoteWindow`] from `tracetop serve`'s
//! `/api/v1/window`, [`file::FileWindow`] from a recording. The console's
//! event loop keeps what was read in a bounded [`buffer::ReplayBuffer`] and
//! releases it into the live view as the replay clock moves.

pub mod buffer;
pub mod file;
pub mod pg;
pub mod remote;

use crate::error::Result;
use crate::model::*;
use crate::query::TimeWindow;
use tokio::sync::mpsc;

/// One event of a window with the instant it is replayed at (inside the
/// window; never before the event replayed before it).
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub at: Timestamp,
    pub event: Event,
}

/// Anything that can read a past window of events.
#[async_trait::async_trait]
pub trait WindowSource: Send + Sync {
    /// Send the window's events to `tx`, in replay order, in batches; end
    /// after the last (Ok) or when `tx` is closed (Ok).
    async fn read(&self, window: TimeWindow, tx: mpsc::Sender<Vec<Replayed>>) -> Result<()>;

    /// What the console should say before a replay from this source (a
    /// database whose tables would be scanned whole), if anything.
    async fn notice(&self) -> Option<String> {
        None
    }
}

/// Whether a replayed event is one `[` / `]` jump to: a failed request,
/// execution, task or step, an error log, or an anomaly raised or
/// escalated.
pub fn is_error_or_anomaly(event: &Event) -> bool {
    match event {
        Event::AiRequestFailed { .. } => true,
        Event::AiRequestCompleted { request, .. } => request.status == request_status::FAILED,
        Event::McpExecution { execution } => {
            matches!(execution.status.as_str(), "failed" | "timeout" | "error")
        }
        Event::Log { log } => log.level.eq_ignore_ascii_case("ERROR"),
        Event::TaskUpdated { task } => task.status.to_ascii_uppercase().contains("FAILED"),
        Event::ExecutionStep { step } => step.status.eq_ignore_ascii_case("failed"),
        Event::AnomalyRaised { .. } | Event::AnomalyEscalated { .. } => true,
        _ => false,
    }
}

/// Runs the anomaly rules over a window as it is read, so a replay shows
/// the anomalies the live console would have raised then.
pub struct WindowAnomalies {
    detector: crate::anomaly::AnomalyDetector,
}

impl WindowAnomalies {
    /// Rules with these thresholds.
    pub fn new(thresholds: crate::anomaly::Thresholds) -> Self {
        WindowAnomalies {
            detector: crate::anomaly::AnomalyDetector::new(thresholds),
        }
    }

    /// The batch with the anomaly events the rules raise, each right after
    /// the event that raised it.
    pub fn observe(&mut self, batch: Vec<Replayed>) -> Vec<Replayed> {
        let mut out = Vec::with_capacity(batch.len());
        for item in batch {
            let raised = self.detector.observe(&item.event, item.at);
            let at = item.at;
            out.push(item);
            out.extend(raised.into_iter().map(|event| Replayed { at, event }));
        }
        out
    }
}

/// Append the instant an event is replayed at to its JSON line (one
/// object), as `"replayed_at"` beside its fields: `serve` sends a window
/// so, and a remote console replays each event at the instant a local
/// console would (its anomaly rules count on those instants). A reader
/// that does not know the field ignores it, as a recording's reader does.
pub fn append_replayed_at(line: &mut Vec<u8>, at: Timestamp) {
    if line.last() != Some(&b'}') {
        return;
    }
    let Ok(stamp) = serde_json::to_string(&at) else {
        return;
    };
    line.pop();
    if line.len() > 1 {
        line.push(b',');
    }
    line.extend_from_slice(b"\"replayed_at\":");
    line.extend_from_slice(stamp.as_bytes());
    line.push(b'}');
}

/// The `"replayed_at"` of a window line, if it has one.
pub fn replayed_at(line: &str) -> Option<Timestamp> {
    #[derive(serde::Deserialize)]
    struct Stamp {
        replayed_at: Option<Timestamp>,
    }
    serde_json::from_str::<Stamp>(line).ok()?.replayed_at
}

/// Replay instants for events in the order they come: each event's own
/// time, never before the previous one, never before `window.start`.
#[derive(Debug, Clone)]
pub struct MonotonicClock {
    last: Timestamp,
}

impl MonotonicClock {
    /// Starting at the window's start.
    pub fn new(window: &TimeWindow) -> Self {
        MonotonicClock { last: window.start }
    }

    /// The instant an event the source stamped `at` is replayed at.
    pub fn keep(&mut self, at: Timestamp) -> Timestamp {
        self.last = self.last.max(at);
        self.last
    }

    /// The instant `event` is replayed at.
    pub fn stamp(&mut self, event: &Event) -> Timestamp {
        if let Some(at) = event.occurred_at() {
            self.last = self.last.max(at);
        }
        self.last
    }
}
