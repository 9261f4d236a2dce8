//! Checkpoints of the replayed live view, so a seek inside a loaded window
//! costs at most [`CHECKPOINT_EVERY`] events instead of the whole window
//! up to the clock.
//!
//! While a replay runs, the app counts the events it has replayed into the
//! live view (numbered from the window's first, as the replay buffer
//! numbers them) and, each time the count reaches a multiple of
//! [`CHECKPOINT_EVERY`], keeps a copy of what those events made: the feed,
//! the open anomalies, the source's stats. A copy is cheap: the feed's
//! collections are persistent ([`crate::tui::feed`]), so a checkpoint
//! shares every row with the feed and with the other checkpoints, and owns
//! only what changed after it (about one 64-row chunk while the feed is
//! not full). When the clock goes back, the event loop names the
//! checkpoint to start from ([`crate::source::window::buffer::ReplayBase`])
//! and sends only the events after it. Checkpoints before the oldest event
//! the replay buffer holds can never be asked for and are dropped.

use super::feed::Feed;
use crate::model::*;
use std::collections::BTreeMap;

/// A checkpoint every this many replayed events: a seek replays at most
/// this many (the event loop's rates keep checkpoints as often).
pub const CHECKPOINT_EVERY: u64 = 2048;

/// What the first `n` replayed events made of the live view.
#[derive(Debug, Clone)]
pub struct ViewCheckpoint {
    pub feed: Feed,
    pub open_anomalies: BTreeMap<String, Anomaly>,
    pub source_stats: Option<StatsSnapshot>,
}

/// The checkpoints of one replay and how many events it has replayed.
#[derive(Debug, Clone, Default)]
pub struct ReplayCheckpoints {
    kept: BTreeMap<u64, ViewCheckpoint>,
    /// Events replayed into the view: the number of the next one.
    replayed: u64,
}

impl ReplayCheckpoints {
    /// Events replayed into the view so far (the number of the next one).
    pub fn replayed(&self) -> u64 {
        self.replayed
    }

    /// The state after the first `n` events, if kept.
    pub fn get(&self, n: u64) -> Option<&ViewCheckpoint> {
        self.kept.get(&n)
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.kept.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    /// The view starts over after the first `n` events.
    pub fn restart_at(&mut self, n: u64) {
        self.replayed = n;
    }

    /// Drop the checkpoints before event `oldest` (evicted from the replay
    /// buffer: no seek can start there any more).
    pub fn keep_from(&mut self, oldest: u64) {
        self.kept = self.kept.split_off(&oldest);
    }

    /// How many of the next events to replay before the next checkpoint.
    pub fn until_next(&self) -> u64 {
        CHECKPOINT_EVERY - self.replayed % CHECKPOINT_EVERY
    }

    /// `count` more events were replayed; when that reaches a checkpoint
    /// not yet kept, true (the caller then [`ReplayCheckpoints::keep`]s it).
    pub fn advance(&mut self, count: u64) -> bool {
        self.replayed += count;
        self.replayed > 0
            && self.replayed.is_multiple_of(CHECKPOINT_EVERY)
            && !self.kept.contains_key(&self.replayed)
    }

    /// Keep `checkpoint` as the state after the events replayed so far.
    pub fn keep(&mut self, checkpoint: ViewCheckpoint) {
        self.kept.insert(self.replayed, checkpoint);
    }
}
