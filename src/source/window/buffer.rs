//! The replay buffer: the events of a window read so far, in replay
//! order, and how far the replay clock has released them. Pure data (the
//! console's event loop owns one while a replay runs): moving the clock
//! forward releases the next events; moving it back says from which
//! checkpoint the replayed state starts over (the nearest at or before the
//! clock: checkpoints are kept every `checkpoint_every` events by whoever
//! replays them), so only the events after it are replayed again. A jump
//! forward over events released before starts from a checkpoint too.
//!
//! Events are numbered from the window's first (evicted ones included), so
//! a number names the same event, and a checkpoint the same state, for the
//! whole replay. The buffer is bounded: past `limit` events the oldest
//! released ones are evicted (counted, and the replay says so). Events not
//! yet released are never evicted: what does not fit waits outside the
//! buffer until the clock releases room, and the reader is held back
//! meanwhile.

use super::{Replayed, is_error_or_anomaly};
use crate::model::*;
use std::collections::VecDeque;

/// Where the replayed state starts before the released events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayBase {
    /// From the state the events released before left.
    Continue,
    /// From the state after the window's first `n` events: a checkpoint
    /// (0: the empty state at the window's start).
    After(u64),
    /// From an empty state: the events before are evicted, so the state
    /// starts with the oldest one held.
    Empty,
}

/// What moving the clock releases: events `from..to` (by number), to be
/// replayed on `base`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub base: ReplayBase,
    pub from: u64,
    pub to: u64,
}

impl Release {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.base == ReplayBase::Continue && self.from == self.to
    }
}

/// See the module docs.
#[derive(Debug, Clone)]
pub struct ReplayBuffer {
    items: VecDeque<Replayed>,
    /// Read but not yet admitted (the buffer was full of unreleased ones).
    waiting: VecDeque<Replayed>,
    /// Items released so far (a prefix of `items`).
    released: usize,
    /// The most events ever released (by number): the state after any
    /// checkpoint up to it has been replayed.
    high_water: u64,
    /// The instant released up to.
    position: Option<Timestamp>,
    limit: usize,
    checkpoint_every: u64,
    evicted: u64,
    loaded: u64,
    marks: Vec<Timestamp>,
    /// Marks admitted since [`ReplayBuffer::take_new_marks`].
    new_marks: Vec<Timestamp>,
}

impl ReplayBuffer {
    /// An empty buffer of at most `limit` events (at least 1), whose
    /// replayer keeps a checkpoint every `checkpoint_every` events (at
    /// least 1).
    pub fn new(limit: usize, checkpoint_every: u64) -> Self {
        ReplayBuffer {
            items: VecDeque::new(),
            waiting: VecDeque::new(),
            released: 0,
            high_water: 0,
            position: None,
            limit: limit.max(1),
            checkpoint_every: checkpoint_every.max(1),
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
    /// true when any came in. [`ReplayBuffer::release_to`] never admits:
    /// its caller reads the released events first, then admits and
    /// releases again (what came in may be due too).
    pub fn admit(&mut self) -> bool {
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

    /// Events evicted to stay within the limit: the number of the oldest
    /// one held.
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

    /// Events released (by number: the next one to release).
    pub fn released(&self) -> u64 {
        self.evicted + self.released as u64
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

    /// The held events numbered `from..to` (clamped to those held).
    pub fn range(&self, from: u64, to: u64) -> impl Iterator<Item = &Replayed> {
        let start = from
            .saturating_sub(self.evicted)
            .min(self.items.len() as u64) as usize;
        let end = to.saturating_sub(self.evicted).min(self.items.len() as u64) as usize;
        self.items.range(start..end.max(start))
    }

    /// Move the clock to `position`: the events up to it (inclusive) and
    /// the state to replay them on (see the module docs).
    pub fn release_to(&mut self, position: Timestamp) -> Release {
        let before = self.released();
        self.position = Some(position);
        self.released = self.items.partition_point(|i| i.at <= position);
        let to = self.released();
        let every = self.checkpoint_every;
        let checkpoint = to / every * every;
        let base = if to < before {
            if checkpoint >= self.evicted {
                ReplayBase::After(checkpoint)
            } else {
                ReplayBase::Empty
            }
        } else if checkpoint > before && checkpoint <= self.high_water {
            // a jump over events replayed before: their checkpoint is kept
            ReplayBase::After(checkpoint)
        } else {
            ReplayBase::Continue
        };
        let from = match base {
            ReplayBase::Continue => before,
            ReplayBase::After(n) => n,
            ReplayBase::Empty => self.evicted,
        };
        self.high_water = self.high_water.max(to);
        Release { base, from, to }
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

    fn ids(buffer: &ReplayBuffer, release: &Release) -> Vec<String> {
        buffer
            .range(release.from, release.to)
            .map(|i| match &i.event {
                Event::Log { log } => log.id.to_string(),
                _ => String::new(),
            })
            .collect()
    }

    fn at(sec: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 24, 3, 0, sec)
            .unwrap()
    }

    #[test]
    fn forward_releases_once_and_back_starts_from_the_checkpoint_before() {
        let mut buffer = ReplayBuffer::new(100, 2);
        buffer.push(vec![
            log("a", 0, "INFO"),
            log("b", 10, "ERROR"),
            log("c", 20, "INFO"),
            log("d", 30, "INFO"),
        ]);
        assert_eq!(buffer.take_new_marks().len(), 1);
        let first = buffer.release_to(at(10));
        assert_eq!(first.base, ReplayBase::Continue);
        assert_eq!(ids(&buffer, &first), ["a", "b"]);
        assert!(buffer.release_to(at(15)).is_empty());
        let rest = buffer.release_to(at(40));
        assert_eq!(
            (rest.base, ids(&buffer, &rest)),
            (ReplayBase::Continue, vec!["c".into(), "d".into()])
        );
        // back to c: from the checkpoint after two events
        let back = buffer.release_to(at(20));
        assert_eq!(
            (back.base, back.from, back.to),
            (ReplayBase::After(2), 2, 3)
        );
        // back to a: from the start
        let start = buffer.release_to(at(5));
        assert_eq!(
            (start.base, ids(&buffer, &start)),
            (ReplayBase::After(0), vec!["a".into()])
        );
        // forward over what was replayed: from its checkpoint
        let jump = buffer.release_to(at(40));
        assert_eq!(
            (jump.base, jump.from, jump.to),
            (ReplayBase::After(4), 4, 4)
        );
    }

    #[test]
    fn the_oldest_released_are_evicted_past_the_limit_never_the_unreleased() {
        let mut buffer = ReplayBuffer::new(2, 10);
        buffer.push(vec![
            log("a", 0, "ERROR"),
            log("b", 1, "INFO"),
            log("c", 2, "INFO"),
        ]);
        assert_eq!((buffer.len(), buffer.evicted(), buffer.loaded()), (2, 0, 2));
        assert!(!buffer.wants_more(), "c waits: the reader is held back");
        let first = buffer.release_to(at(5));
        assert_eq!(ids(&buffer, &first), ["a", "b"]);
        assert!(buffer.admit(), "room was made: c comes in");
        let next = buffer.release_to(at(5));
        assert_eq!(ids(&buffer, &next), ["c"]);
        assert!(!buffer.admit());
        assert_eq!((buffer.len(), buffer.evicted(), buffer.loaded()), (2, 1, 3));
        assert!(buffer.marks().is_empty(), "the evicted error is no mark");
        // back before the checkpoint kept at 0, which is evicted
        let back = buffer.release_to(at(1));
        assert_eq!(
            (back.base, ids(&buffer, &back)),
            (ReplayBase::Empty, vec!["b".into()])
        );
    }
}
