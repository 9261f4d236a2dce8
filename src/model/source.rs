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
    /// A batch of events passed through as the JSON their source sent, in
    /// order. Only sources asked for it send these (a remote source with
    /// `ClientConfig::raw_json`, for `tail --format jsonl` and `record`);
    /// [`RawEvent::decode`] turns one into an [`Event`].
    Raw(Vec<RawEvent>),
    /// The source's state changed.
    State(SourceState),
    /// Updated counters.
    Counters(SourceCounters),
}

impl SourceUpdate {
    /// The same update with raw events decoded (for consumers that need
    /// [`Event`]s whatever the source sent).
    pub fn decoded(self) -> SourceUpdate {
        match self {
            SourceUpdate::Raw(raws) => {
                SourceUpdate::Events(raws.iter().map(RawEvent::decode).collect())
            }
            other => other,
        }
    }
}

/// One event as the JSON text its source sent, checked to be the wire
/// format of [`Event`] closely enough to be written out unchanged: one line,
/// one JSON object (syntax checked), whose leading `type` is a kind we know,
/// holding nothing that terminal-safe JSON escapes (DEL, C1, bidi controls
/// as raw characters).
/// `gap` and `unknown` are never raw (their contents matter to the reader).
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    /// The event's kind, one of [`Event::KINDS`].
    pub kind: &'static str,
    json: bytes::Bytes,
}

impl RawEvent {
    /// `json` as a raw event, or `None` when it is not one (see the type).
    pub fn check(json: bytes::Bytes) -> Option<RawEvent> {
        let text = std::str::from_utf8(&json).ok()?;
        let rest = text.strip_prefix("{\"type\":\"")?;
        let name = &rest[..rest.find('"')?];
        let kind = *Event::KINDS
            .iter()
            .find(|k| **k == name && !matches!(**k, "gap" | "unknown"))?;
        if memchr::memchr2(b'\n', b'\r', &json).is_some() {
            return None;
        }
        // Text a terminal would act on (C1, DEL, bidi) is re-encoded escaped.
        if json.iter().any(|&b| b >= 0x7f) && text.chars().any(crate::sanitize::needs_json_escape) {
            return None;
        }
        serde_json::from_str::<serde::de::IgnoredAny>(text).ok()?;
        Some(RawEvent { kind, json })
    }

    /// The JSON text.
    pub fn json(&self) -> &[u8] {
        &self.json
    }

    /// The event, decoded.
    pub fn decode(&self) -> Event {
        Event::from_json(std::str::from_utf8(&self.json).unwrap_or_default())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn check(json: &str) -> Option<&'static str> {
        RawEvent::check(bytes::Bytes::copy_from_slice(json.as_bytes())).map(|r| r.kind)
    }

    #[test]
    fn raw_events_are_known_kinds_in_valid_single_line_json() {
        let log = r#"{"type":"log","log":{"id":"l1","message":"\u001b[31mred"}}"#;
        assert_eq!(check(log), Some("log"));
        let raw = RawEvent::check(bytes::Bytes::from_static(log.as_bytes())).unwrap();
        assert_eq!(raw.json(), log.as_bytes());
        let heartbeat = Event::Heartbeat {
            at: chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        };
        let wire = serde_json::to_string(&heartbeat).unwrap();
        let raw_heartbeat = RawEvent::check(bytes::Bytes::from(wire)).unwrap();
        assert_eq!(raw_heartbeat.decode(), heartbeat);
        assert_eq!(
            check(r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#),
            Some("heartbeat")
        );
        for refused in [
            r#"{"type":"gap","dropped":3}"#,
            r#"{"type":"unknown","raw":"x"}"#,
            r#"{"type":"conversion"}"#,
            r#"{"type":"HEARTBEAT"}"#,
            r#"{"type":"log","log":{"id":"l1"}"#,
            r#"{"type":"log","log":{}} trailing"#,
            "{\"type\":\"log\",\n\"log\":{}}",
            "{\"type\":\"log\",\"log\":\"\u{1b}[31m\"}",
            r#" {"type":"log","log":{}}"#,
        ] {
            assert_eq!(check(refused), None, "{refused:?}");
        }
    }
}
