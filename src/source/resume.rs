//! Resuming a `tracetop serve` stream after a reconnect with neither loss
//! nor duplicate, even across a restart of the server.
//!
//! Cursors are event times (see `crate::sse::hub`), bumped by one when an
//! event is older than the one before it (a row committed out of order).
//! A restarted server assigns the cursors of its backfill afresh, so a row
//! the old server had not yet polled when it stopped, with a time just
//! below the client's last cursor, gets a cursor *below* that cursor: a
//! plain `Last-Event-ID` resume would skip it. So the client resumes a
//! little earlier ([`RESUME_OVERLAP_US`], more than the tail's re-read
//! window) and lets through, of the events at or below its old cursor,
//! only those whose row state it has not delivered yet. It remembers the
//! frames of that span ([`DeliveredHistory`]) and keys them by row and
//! state only when it reconnects.

use crate::model::Event;
use crate::sse::decode::decode_sse;
use bytes::Bytes;
use std::collections::{HashSet, VecDeque};

/// How far behind its last cursor a reconnecting client asks to resume:
/// 10 s, twice the tail's default re-read window.
pub const RESUME_OVERLAP_US: u64 = 10_000_000;

/// Most frames remembered for a resume (the span is shorter on a stream
/// faster than this many events per [`RESUME_OVERLAP_US`]).
const MAX_REMEMBERED: usize = 50_000;

/// The row and state an event reports: two events with the same key
/// carry the same news. `None` for events that are not a row's state.
pub fn state_key(event: &Event) -> Option<(&'static str, String, String)> {
    Some(match event {
        Event::AiRequestStarted { request }
        | Event::AiRequestCompleted { request, .. }
        | Event::AiRequestFailed { request, .. } => (
            "ai_request",
            request.id.as_str().to_string(),
            request.status.clone(),
        ),
        Event::McpExecution { execution } => (
            "mcp_execution",
            execution.mcp_execution_id.as_str().to_string(),
            execution.status.clone(),
        ),
        Event::Log { log } => ("log", log.id.as_str().to_string(), String::new()),
        Event::TaskUpdated { task } => (
            "task",
            task.task_id.as_str().to_string(),
            task.status.clone(),
        ),
        Event::ExecutionStep { step } => (
            "step",
            step.step_id.as_str().to_string(),
            step.status.clone(),
        ),
        Event::SessionStarted { session } => (
            "session",
            session.session_id.as_str().to_string(),
            "open".into(),
        ),
        Event::SessionEnded { session } => (
            "session",
            session.session_id.as_str().to_string(),
            "ended".into(),
        ),
        Event::UserSeen { user } => ("user", user.id.as_str().to_string(), String::new()),
        Event::ContextCreated { context } => (
            "context",
            context.context_id.as_str().to_string(),
            String::new(),
        ),
        _ => return None,
    })
}

type Key = (&'static str, String, String);

/// The frames delivered in the last [`RESUME_OVERLAP_US`] of cursors.
#[derive(Debug, Default)]
pub struct DeliveredHistory {
    frames: VecDeque<(u64, Bytes, Bytes)>,
}

impl DeliveredHistory {
    /// Remember a delivered frame (`event:` name and `data:`) at `cursor`.
    pub fn remember(&mut self, cursor: u64, event: &Bytes, data: &Bytes) {
        self.frames.push_back((cursor, event.clone(), data.clone()));
        while self.frames.len() > MAX_REMEMBERED
            || self
                .frames
                .front()
                .is_some_and(|(c, _, _)| c.saturating_add(RESUME_OVERLAP_US) < cursor)
        {
            self.frames.pop_front();
        }
    }

    /// Whether nothing is remembered (no event delivered yet).
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The cursor to send as `Last-Event-ID` when the last one delivered
    /// is `last`: the overlap before it, but never before what is
    /// remembered (an event there could not be recognised as delivered).
    pub fn resume_cursor(&self, last: u64) -> u64 {
        let floor = self.frames.front().map(|(c, _, _)| *c).unwrap_or(last);
        last.saturating_sub(RESUME_OVERLAP_US).max(floor).min(last)
    }

    /// What a new connection resuming after `last` lets through.
    pub fn replay_filter(&self) -> ReplayFilter {
        let seen = self
            .frames
            .iter()
            .filter_map(|(_, event, data)| {
                let event = std::str::from_utf8(event).ok()?;
                let data = std::str::from_utf8(data).ok()?;
                state_key(&decode_sse(event, data))
            })
            .collect();
        ReplayFilter { seen }
    }
}

/// Decides, for an event at or below the cursor a connection resumed
/// after, whether it is news.
#[derive(Debug, Default)]
pub struct ReplayFilter {
    seen: HashSet<Key>,
}

impl ReplayFilter {
    /// Whether a replayed frame brings a row state not delivered yet (it
    /// is then counted as delivered). Frames that are not row states are
    /// never news in a replay.
    pub fn is_news(&mut self, event: &str, data: &str) -> bool {
        match state_key(&decode_sse(event, data)) {
            Some(key) => self.seen.insert(key),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_frame(id: &str) -> (Bytes, Bytes) {
        let data = format!(
            r#"{{"type":"log","log":{{"id":"{id}","timestamp":"2026-11-23T10:00:00Z","level":"INFO","module":"m","message":"x"}}}}"#
        );
        (Bytes::from_static(b"log"), Bytes::from(data))
    }

    #[test]
    fn a_replay_passes_only_states_not_delivered() {
        let mut history = DeliveredHistory::default();
        let (e, a) = log_frame("a");
        history.remember(20_000_000, &e, &a);
        let (e, b) = log_frame("b");
        history.remember(21_000_000, &e, &b);
        assert_eq!(history.resume_cursor(21_000_000), 20_000_000);
        let mut filter = history.replay_filter();
        let (_, late) = log_frame("late");
        assert!(!filter.is_news("log", std::str::from_utf8(&a).unwrap()));
        assert!(filter.is_news("log", std::str::from_utf8(&late).unwrap()));
        assert!(!filter.is_news("log", std::str::from_utf8(&late).unwrap()));
        assert!(!filter.is_news(
            "heartbeat",
            r#"{"type":"heartbeat","at":"2026-11-23T10:00:00Z"}"#
        ));
    }

    #[test]
    fn the_history_keeps_only_the_overlap() {
        let mut history = DeliveredHistory::default();
        let (e, a) = log_frame("a");
        history.remember(1_000_000, &e, &a);
        history.remember(30_000_000, &e, &a);
        assert_eq!(history.frames.len(), 1);
        assert_eq!(history.resume_cursor(30_000_000), 30_000_000);
        history.remember(35_000_000, &e, &a);
        assert_eq!(history.resume_cursor(35_000_000), 30_000_000);
    }
}
