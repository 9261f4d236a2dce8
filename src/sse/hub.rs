//! The relay hub of `serve`: assigns cursors, keeps the bounded replay ring
//! and fans events out to connected clients.
//!
//! Cursors are monotonic and time-based: `max(previous + 1, event time in
//! µs since the epoch)`. Because they derive from the data, a restarted
//! `serve` that backfills the same rows assigns the same cursors, so a
//! client resuming with `Last-Event-ID` after a server restart gets neither
//! a gap nor a duplicate. A row committed out of order at the instant of
//! the restart is numbered below the client's cursor by the new server;
//! the client resumes a little earlier and keeps only what it had not
//! delivered (`crate::source::resume`).
//!
//! Each event is serialized once, as its whole SSE frame (`id:`, `event:`,
//! `data:`), and that one buffer is shared by the ring, the live channel and
//! every client's connection: a 2 MB tool output costs 2 MB however many
//! clients receive it, and no client keeps a copy after sending it.
//!
//! The ring is bounded by event count and bytes; the oldest entries are
//! evicted and the newest evicted cursor remembered, so a client asking for
//! a cursor older than that gets an explicit `gap` event. Live fan-out uses
//! a bounded `broadcast` channel: a client that falls more than its buffer
//! behind is told with a `gap` event and disconnected (it resumes from the
//! ring with `Last-Event-ID`), never buffered forever.

use crate::model::*;
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// The `Last-Event-ID` that asks a `tracetop serve` stream for every event
/// from `since` on: cursors are event times in µs (see the module docs), so
/// the cursor just before `since` replays the ring from there, and a ring
/// that no longer reaches back that far answers with a `gap` event first.
pub fn cursor_before(since: Timestamp) -> String {
    since
        .timestamp_micros()
        .saturating_sub(1)
        .max(0)
        .to_string()
}

/// [`cursor_before`] the time `span` before `now`: a client's backfill.
pub fn backfill_cursor(span: std::time::Duration, now: Timestamp) -> String {
    let since = chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| now.checked_sub_signed(span))
        .unwrap_or(chrono::DateTime::UNIX_EPOCH);
    cursor_before(since)
}

/// One event as it sits in the ring, serialized once.
#[derive(Debug)]
pub struct Entry {
    pub cursor: u64,
    pub kind: &'static str,
    /// The user the event belongs to (for user-scoped tokens).
    pub user: Option<String>,
    /// For a user budget's anomaly: the budget's `match`, so a user-scoped
    /// token whose user it takes sees it too.
    pub user_match: Option<crate::budget::glob::Pattern>,
    /// The event's SSE frame, ready to send: `id: CURSOR`, `event: KIND`,
    /// `data: JSON` (one line: compact JSON escapes every line break) and
    /// the blank line. Cloning it shares the buffer.
    pub frame: Bytes,
}

/// The SSE frame of `event` with id `cursor` (see [`Entry::frame`]), in a
/// buffer of its own size.
pub fn sse_frame(cursor: u64, event: &Event) -> serde_json::Result<Bytes> {
    use std::io::Write;
    let mut out = Vec::with_capacity(256);
    let _ = write!(out, "id: {cursor}\nevent: {}\ndata: ", event.kind());
    crate::output::json::to_writer_compact(&mut out, event)?;
    out.extend_from_slice(b"\n\n");
    // the vector grew by doubling: a big event must not keep twice its size
    if out.capacity() - out.len() > out.len() / 8 {
        out.shrink_to_fit();
    }
    Ok(Bytes::from(out))
}

impl Entry {
    /// Whether a token scoped to `user` (whose name is `name`, when the
    /// server knows it) may see this event. A user budget's match takes
    /// the user's id or name ignoring case, as the budget counts it.
    pub fn visible_to_user(&self, user: &str, name: Option<&str>) -> bool {
        self.user.as_deref() == Some(user)
            || self.user_match.as_ref().is_some_and(|p| {
                p.matches_ignoring_case(user) || name.is_some_and(|n| p.matches_ignoring_case(n))
            })
    }
}

/// The `match` of a user budget's anomaly event (see [`Entry::user_match`]).
pub fn event_user_match(event: &Event) -> Option<crate::budget::glob::Pattern> {
    match event {
        Event::AnomalyRaised { anomaly }
        | Event::AnomalyEscalated { anomaly }
        | Event::AnomalyCleared { anomaly } => {
            let budget = anomaly.budget.as_ref()?;
            (budget.scope == BudgetScope::User).then(|| {
                budget
                    .pattern
                    .as_deref()
                    .map(crate::budget::glob::Pattern::new)
            })?
        }
        _ => None,
    }
}

/// Sizes of the hub.
#[derive(Debug, Clone, Copy)]
pub struct HubLimits {
    /// Most events kept for `Last-Event-ID` replay.
    pub ring_events: usize,
    /// Most bytes of SSE frames kept in the ring (the newest event is kept
    /// even when it alone is larger).
    pub ring_bytes: usize,
    /// How far (in events) a live client may fall behind before it is dropped.
    pub client_buffer: usize,
}

impl Default for HubLimits {
    fn default() -> Self {
        HubLimits {
            ring_events: 100_000,
            ring_bytes: 256 << 20,
            client_buffer: 8192,
        }
    }
}

struct Ring {
    entries: VecDeque<Arc<Entry>>,
    bytes: usize,
    last_cursor: u64,
    /// Newest cursor no longer in the ring (evicted, or before this
    /// server's start): a client behind it has missed events.
    lost_up_to: Option<u64>,
    evicted: u64,
}

/// Cursors, ring and fan-out. Cheap to share (`Arc`).
pub struct Hub {
    ring: Mutex<Ring>,
    live: broadcast::Sender<Arc<Entry>>,
    limits: HubLimits,
    done: watch::Sender<bool>,
}

/// What a (re)connecting client gets: an optional gap notice, the backlog
/// after its cursor, and a receiver for everything after the backlog.
pub struct Subscription {
    pub gap: Option<Event>,
    pub backlog: Vec<Arc<Entry>>,
    pub live: broadcast::Receiver<Arc<Entry>>,
    /// Highest cursor covered by `backlog` (or the client's own cursor).
    pub after: u64,
}

/// The user an event belongs to, for user-scoped tokens. Events with no
/// user (steps, stats, anomalies) are only shown to all-users tokens, but
/// for a user budget's anomaly, shown to the users its match takes (see
/// [`event_user_match`]).
pub fn event_user(event: &Event) -> Option<&str> {
    Some(match event {
        Event::AiRequestStarted { request }
        | Event::AiRequestCompleted { request, .. }
        | Event::AiRequestFailed { request, .. } => request.user_id.as_str(),
        Event::McpExecution { execution } => execution.user_id.as_ref()?.as_str(),
        Event::Log { log } => log.user_id.as_ref()?.as_str(),
        Event::TaskUpdated { task } => task.user_id.as_ref()?.as_str(),
        Event::SessionStarted { session } | Event::SessionEnded { session } => {
            session.user_id.as_ref()?.as_str()
        }
        Event::UserSeen { user } => user.id.as_str(),
        Event::ContextCreated { context } => context.user_id.as_str(),
        Event::PageView { page_view } => page_view.user_id.as_ref()?.as_str(),
        _ => return None,
    })
}

impl Hub {
    /// An empty hub. `lost_up_to`: cursor before which this hub knows
    /// nothing (the start of its backfill), if any.
    pub fn new(limits: HubLimits, lost_up_to: Option<u64>) -> Arc<Hub> {
        let (live, _) = broadcast::channel(limits.client_buffer.max(16));
        let (done, _) = watch::channel(false);
        Arc::new(Hub {
            ring: Mutex::new(Ring {
                entries: VecDeque::new(),
                bytes: 0,
                last_cursor: lost_up_to.unwrap_or(0),
                lost_up_to,
                evicted: 0,
            }),
            live,
            limits,
            done,
        })
    }

    /// Cursor for an instant: microseconds since the epoch.
    pub fn time_cursor(at: Timestamp) -> u64 {
        at.timestamp_micros().max(0) as u64
    }

    /// Assign cursors, store in the ring and fan out. Heartbeats are not
    /// stored (they are per-connection).
    pub fn publish(&self, events: Vec<Event>) {
        let mut ring = match self.ring.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        for event in events {
            if matches!(event, Event::Heartbeat { .. }) {
                continue;
            }
            let time_cursor = event.occurred_at().map(Self::time_cursor).unwrap_or(0);
            let cursor = (ring.last_cursor + 1).max(time_cursor);
            let Ok(frame) = sse_frame(cursor, &event) else {
                continue;
            };
            ring.last_cursor = cursor;
            let entry = Arc::new(Entry {
                cursor,
                kind: event.kind(),
                user: event_user(&event).map(str::to_string),
                user_match: event_user_match(&event),
                frame,
            });
            ring.bytes += entry.frame.len();
            ring.entries.push_back(entry.clone());
            while ring.entries.len() > self.limits.ring_events
                || (ring.bytes > self.limits.ring_bytes && ring.entries.len() > 1)
            {
                if let Some(old) = ring.entries.pop_front() {
                    ring.bytes -= old.frame.len();
                    ring.lost_up_to = Some(old.cursor);
                    ring.evicted += 1;
                }
            }
            // No receivers is fine: the ring keeps it.
            let _ = self.live.send(entry);
        }
    }

    /// Subscribe a client that has seen everything up to `after` (None:
    /// start live, no backlog).
    pub fn subscribe(&self, after: Option<u64>) -> Subscription {
        let ring = match self.ring.lock() {
            Ok(r) => r,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Subscribing under the lock: nothing published between the backlog
        // and the receiver can be missed or doubled.
        let live = self.live.subscribe();
        let Some(after) = after else {
            return Subscription {
                gap: None,
                backlog: Vec::new(),
                live,
                after: ring.last_cursor,
            };
        };
        let gap = match ring.lost_up_to {
            Some(lost) if after < lost => Some(Event::Gap {
                from_cursor: Some(after),
                to_cursor: Some(lost),
                dropped: ring.evicted,
                reason: "cursor older than the server's replay ring; events in between are not available"
                    .into(),
                from_time: None,
                to_time: None,
            }),
            _ => None,
        };
        let start = ring.entries.partition_point(|e| e.cursor <= after);
        let backlog: Vec<Arc<Entry>> = ring.entries.range(start..).cloned().collect();
        let covered = backlog.last().map(|e| e.cursor).unwrap_or(after).max(after);
        Subscription {
            gap,
            backlog,
            live,
            after: covered,
        }
    }

    /// Newest cursor assigned.
    pub fn last_cursor(&self) -> u64 {
        match self.ring.lock() {
            Ok(r) => r.last_cursor,
            Err(p) => p.into_inner().last_cursor,
        }
    }

    /// Events currently in the ring.
    pub fn ring_len(&self) -> usize {
        match self.ring.lock() {
            Ok(r) => r.entries.len(),
            Err(p) => p.into_inner().entries.len(),
        }
    }

    /// Bytes of SSE frames currently in the ring.
    pub fn ring_bytes(&self) -> usize {
        match self.ring.lock() {
            Ok(r) => r.bytes,
            Err(p) => p.into_inner().bytes,
        }
    }

    /// Mark the source finished (a replay reached its end).
    pub fn finish(&self) {
        self.done.send_replace(true);
    }

    /// Watch the finished flag.
    pub fn done(&self) -> watch::Receiver<bool> {
        self.done.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_at(us: i64, id: &str) -> Event {
        Event::Log {
            log: LogRecord {
                id: LogId::new(id),
                timestamp: chrono::DateTime::from_timestamp_micros(us).unwrap(),
                level: "INFO".into(),
                module: "m".into(),
                message: "x".into(),
                metadata: None,
                user_id: None,
                session_id: None,
                task_id: None,
                trace_id: None,
                context_id: None,
                client_id: None,
                gateway_conversation_id: None,
                provider_request_id: None,
            },
        }
    }

    #[test]
    fn cursors_are_time_based_and_monotonic() {
        let hub = Hub::new(HubLimits::default(), None);
        hub.publish(vec![
            log_at(1_000, "a"),
            log_at(1_000, "b"),
            log_at(900, "c"),
            log_at(5_000, "d"),
        ]);
        let sub = hub.subscribe(Some(0));
        let cursors: Vec<u64> = sub.backlog.iter().map(|e| e.cursor).collect();
        assert_eq!(cursors, vec![1_000, 1_001, 1_002, 5_000]);
        let sub = hub.subscribe(Some(1_001));
        assert_eq!(sub.backlog.len(), 2);
        assert!(sub.gap.is_none());
    }

    #[test]
    fn evicted_cursor_gives_a_gap() {
        let hub = Hub::new(
            HubLimits {
                ring_events: 2,
                ring_bytes: 1 << 20,
                client_buffer: 16,
            },
            None,
        );
        hub.publish(vec![log_at(10, "a"), log_at(20, "b"), log_at(30, "c")]);
        let sub = hub.subscribe(Some(5));
        assert!(matches!(
            sub.gap,
            Some(Event::Gap {
                to_cursor: Some(10),
                dropped: 1,
                ..
            })
        ));
        assert_eq!(
            sub.backlog.iter().map(|e| e.cursor).collect::<Vec<_>>(),
            vec![20, 30]
        );
        let sub = hub.subscribe(Some(10));
        assert!(sub.gap.is_none());
    }

    fn big_log_at(us: i64, id: &str, bytes: usize) -> Event {
        let mut event = log_at(us, id);
        if let Event::Log { log } = &mut event {
            log.message = "m".repeat(bytes);
        }
        event
    }

    #[test]
    fn the_ring_is_bounded_by_bytes_and_shares_one_frame() {
        let limit = 5 << 20;
        let hub = Hub::new(
            HubLimits {
                ring_events: 100_000,
                ring_bytes: limit,
                client_buffer: 16,
            },
            None,
        );
        for i in 0..10 {
            hub.publish(vec![big_log_at(1_000 + i, &format!("big{i}"), 2 << 20)]);
            assert!(hub.ring_bytes() <= limit, "{} bytes kept", hub.ring_bytes());
        }
        // 2 MiB each: two fit under 5 MiB, the rest were evicted
        assert_eq!(hub.ring_len(), 2);
        let a = hub.subscribe(Some(0));
        let b = hub.subscribe(Some(0));
        assert!(a.gap.is_some());
        assert_eq!(a.backlog.len(), 2);
        assert_eq!(a.backlog[0].frame.as_ptr(), b.backlog[0].frame.as_ptr());
        // a frame is its event's size, not the doubling vector's capacity
        let frame = &a.backlog[0].frame;
        assert!(frame.len() < (2 << 20) + 1024);
        assert_eq!(
            hub.ring_bytes(),
            a.backlog.iter().map(|e| e.frame.len()).sum::<usize>()
        );
    }

    #[test]
    fn a_frame_is_one_sse_event_with_its_cursor() {
        let hub = Hub::new(HubLimits::default(), None);
        hub.publish(vec![log_at(7_000, "a")]);
        let sub = hub.subscribe(Some(0));
        let text = std::str::from_utf8(&sub.backlog[0].frame).unwrap();
        assert!(text.starts_with("id: 7000\nevent: log\ndata: {"), "{text}");
        assert!(text.ends_with("}\n\n"), "{text}");
        assert_eq!(text.matches('\n').count(), 4, "{text}");
    }
}
