//! The replay buffer: the events of a window read so far, in replay
//! order, and how far the replay clock has released them. Pure data (the
//! console's event loop owns one while a replay runs): moving the clock
//! forward releases the next events, moving it back starts over from the
//! first buffered event so the live engine can be rebuilt as it was then.
//!
//! The buffer is bounded: past `limit` events the oldest released ones
//! are evicted (counted, and the replay says so). Events not yet released
//! are never evicted: what does not fit waits outside the buffer until the
//! clock releases room, and the reader is held back meanwhile.

use super::{Replayed, is_error_or_anomaly};
use crate::model::*;
use std::collections::VecDeque;

/// What moving the clock releases.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    /// The engine and the feed start over before taking `events` (the
    /// clock went back).
    pub reset: bool,
    pub events: Vec<Event>,
    /// The replay instant of each of `events`.
    pub times: Vec<Timestamp>,
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct ReplayBuffer {
    items: VecDeque<Replayed>,
    /// Read but not yet admitted (the buffer was full of unreleased ones).
    waiting: VecDeque<Replayed>,
    /// Items released so far (a prefix of `items`).
    released: usize,
    /// The instant released up to.
    position: Option<Timestamp>,
    limit: usize,
    evicted: u64,
    loaded: u64,
    marks: Vec<Timestamp>,
    /// Marks admitted since [`ReplayBuffer::take_new_marks`].
    new_marks: Vec<Timestamp>,
}

impl ReplayBuffer {
    /// An empty buffer of at most `limit` events (at least 1).
    pub fn new(limit: usize) -> Self {
        ReplayBuffer {
            items: VecDeque::new(),
            waiting: VecDeque::new(),
            released: 0,
            position: None,
            limit: limit.max(1),
            evicted: 0,
            loaded: 0,
            marks: Vec::new(),
            new_marks: Vec::new(),
        }
    }

    /// Take in a batch read from the source (in replay order).
    pub fn push(&mut self, batch: Vec<Replayed>) {
        self.waiting.extend(batch);
        self.admit();
    }

    /// Move waiting events in while there is room, evicting released ones;
    /// true when any came in.
    fn admit(&mut self) -> bool {
        let mut admitted = false;
        while let Some(item) = self.waiting.pop_front() {
            if self.items.len() >= self.limit {
                if self.released == 0 {
                    self.waiting.push_front(item);
                    break;
                }
                self.items.pop_front();
                self.released -= 1;
                self.evicted += 1;
            }
            if is_error_or_anomaly(&item.event) {
                self.marks.push(item.at);
                self.new_marks.push(item.at);
            }
            self.loaded += 1;
            self.items.push_back(item);
            admitted = true;
        }
        if let Some(first) = self.first_at() {
            let keep_from = self.marks.partition_point(|m| *m < first);
            self.marks.drain(..keep_from);
        }
        admitted
    }

    /// The errors and anomalies admitted since the last call.
    pub fn take_new_marks(&mut self) -> Vec<Timestamp> {
        std::mem::take(&mut self.new_marks)
    }

    /// Events admitted so far (evicted ones included).
    pub fn loaded(&self) -> u64 {
        self.loaded
    }

    /// Events evicted to stay within the limit.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Events held.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Events held and not yet released.
    pub fn unreleased(&self) -> usize {
        self.items.len() - self.released
    }

    /// Whether the reader may send more: nothing waits, and the unreleased
    /// events fill less than half the buffer.
    pub fn wants_more(&self) -> bool {
        self.waiting.is_empty() && self.unreleased() < self.limit / 2 + 1
    }

    /// The instant of the oldest event held.
    pub fn first_at(&self) -> Option<Timestamp> {
        self.items.front().map(|i| i.at)
    }

    /// The instant of the newest event admitted.
    pub fn loaded_until(&self) -> Option<Timestamp> {
        self.items.back().map(|i| i.at)
    }

    /// The instants of the errors and anomalies held, in order.
    pub fn marks(&self) -> &[Timestamp] {
        &self.marks
    }

    /// Move the clock to `position`: the events up to it (inclusive) not
    /// yet released, or, when the clock went back, every held event up to
    /// it with `reset`.
    pub fn release_to(&mut self, position: Timestamp) -> Release {
        let reset = self.position.is_some_and(|p| position < p);
        if reset {
            self.released = 0;
        }
        self.position = Some(position);
        let mut events = Vec::new();
        let mut times = Vec::new();
        loop {
            let start = self.released;
            let due = self
                .items
                .range(start..)
                .take_while(|i| i.at <= position)
                .count();
            let end = start + due;
            self.released = end;
            events.extend(self.items.range(start..end).map(|i| i.event.clone()));
            times.extend(self.items.range(start..end).map(|i| i.at));
            // room was made: what waited comes in, and may be due too
            if due == 0 || !self.admit() {
                break;
            }
        }
        Release {
            reset,
            events,
            times,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn log(id: &str, sec: u32, level: &str) -> Replayed {
        let at = chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 3, 0, sec)
            .unwrap();
        Replayed {
            at,
            event: Event::Log {
                log: LogRecord {
                    id: id.into(),
                    timestamp: at,
                    level: level.into(),
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
            },
        }
    }

    fn ids(release: &Release) -> Vec<String> {
        release
            .events
            .iter()
            .map(|e| match e {
                Event::Log { log } => log.id.to_string(),
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn forward_releases_once_and_back_starts_over() {
        let mut buffer = ReplayBuffer::new(100);
        buffer.push(vec![
            log("a", 0, "INFO"),
            log("b", 10, "ERROR"),
            log("c", 20, "INFO"),
        ]);
        assert_eq!(buffer.take_new_marks().len(), 1);
        let at = |s| chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, s).unwrap();
        let first = buffer.release_to(at(10));
        assert_eq!(
            (first.reset, ids(&first)),
            (false, vec!["a".into(), "b".into()])
        );
        assert!(buffer.release_to(at(15)).events.is_empty());
        assert_eq!(ids(&buffer.release_to(at(30))), vec!["c".to_string()]);
        let back = buffer.release_to(at(5));
        assert_eq!((back.reset, ids(&back)), (true, vec!["a".into()]));
    }

    #[test]
    fn the_oldest_released_are_evicted_past_the_limit_never_the_unreleased() {
        let mut buffer = ReplayBuffer::new(2);
        buffer.push(vec![
            log("a", 0, "ERROR"),
            log("b", 1, "INFO"),
            log("c", 2, "INFO"),
        ]);
        assert_eq!((buffer.len(), buffer.evicted(), buffer.loaded()), (2, 0, 2));
        assert!(!buffer.wants_more(), "c waits: the reader is held back");
        let at = |s| chrono::Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, s).unwrap();
        assert_eq!(ids(&buffer.release_to(at(5))), vec!["a", "b", "c"]);
        assert_eq!((buffer.len(), buffer.evicted(), buffer.loaded()), (2, 1, 3));
        assert!(buffer.marks().is_empty(), "the evicted error is no mark");
    }
}
