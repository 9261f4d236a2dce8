//! The event loop's side of time travel: it starts the reader of a past
//! window on its own task, keeps what it reads in a bounded
//! [`ReplayBuffer`], runs the anomaly rules over it as it comes, and, as
//! the app's replay clock moves ([`ReplayEffect::ReleaseTo`]), releases
//! the events up to the clock into the app as [`ReplayMsg::Events`], and
//! into the ribbon's rates at the clock ([`RatesTracker`]) and, on a source
//! without a query API of its own (a recording), into a live engine that
//! answers every pane.
//!
//! A seek back does not replay the window from its start: the buffer names
//! the nearest checkpoint at or before the clock (one every
//! [`CHECKPOINT_EVERY`] events; the app keeps those of the live view, this
//! driver those of the rates, a copy of a [`RatesTracker`] every
//! [`RATES_CHECKPOINT_EVERY`] events) and only the events after it are
//! replayed. A recording's engine is not copied (it holds every row): a
//! seek back rebuilds it from the buffer. The reader is held back while the
//! buffer's unreleased events fill half of it.

use super::msg::{Msg, ReplayMsg};
use super::replay_checkpoints::CHECKPOINT_EVERY;
use crate::live::{LiveEngine, LiveLimits, RatesTracker};
use crate::model::*;
use crate::query::TimeWindow;
use crate::source::window::buffer::ReplayBuffer;
use crate::source::window::{Replayed, WindowAnomalies, WindowSource};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A copy of the rates every this many events (a copy is about 1 MiB, the
/// rolling minute's latency histograms; replaying the rates of the events
/// after one is cheap).
pub const RATES_CHECKPOINT_EVERY: u64 = 4 * CHECKPOINT_EVERY;

/// What the reader task sends.
pub enum ReadMsg {
    /// What the source says before it is read (see
    /// [`WindowSource::notice`]).
    Notice(String),
    Batch(Vec<Replayed>),
    /// The end of the window, or why reading stopped.
    End(Option<String>),
}

/// The ribbon's rates of a replay, with their checkpoints.
struct ReplayRates {
    tracker: RatesTracker,
    /// Events counted (the number of the next one).
    counted: u64,
    /// The tracker after the first `n` events, every
    /// [`RATES_CHECKPOINT_EVERY`].
    kept: BTreeMap<u64, RatesTracker>,
}

impl ReplayRates {
    fn new() -> Self {
        ReplayRates {
            tracker: RatesTracker::new(),
            counted: 0,
            kept: BTreeMap::new(),
        }
    }

    /// Bring the rates to the state after the first `to` events: from the
    /// nearest checkpoint when it is ahead of them (or they are past
    /// `to`), counting what the buffer holds after it.
    fn advance_to(&mut self, buffer: &ReplayBuffer, to: u64) {
        let kept = self
            .kept
            .range(buffer.evicted()..=to)
            .next_back()
            .map(|(n, t)| (*n, t));
        match kept {
            Some((n, tracker)) if n > self.counted || to < self.counted => {
                self.tracker = tracker.clone();
                self.counted = n;
            }
            None if to < self.counted => {
                // before every checkpoint held: start over from the oldest
                self.tracker = RatesTracker::new();
                self.counted = buffer.evicted();
            }
            _ => {}
        }
        let every = RATES_CHECKPOINT_EVERY;
        let from = self.counted;
        for item in buffer.range(from, to) {
            self.tracker.observe(&item.event, item.at);
            self.counted += 1;
            if self.counted.is_multiple_of(every) && !self.kept.contains_key(&self.counted) {
                self.kept.insert(self.counted, self.tracker.clone());
            }
        }
        // one before the oldest event held can never be a base again
        self.kept = self.kept.split_off(&buffer.evicted());
    }
}

struct Active {
    generation: u64,
    buffer: ReplayBuffer,
    rates: ReplayRates,
    /// The engine that answers the panes (a recording), if any, and the
    /// events it holds (by number: the next one).
    engine: Option<Arc<LiveEngine>>,
    engine_at: u64,
    limits: LiveLimits,
    rx: mpsc::Receiver<ReadMsg>,
    reader: tokio::task::JoinHandle<()>,
    reading: bool,
    position: Option<Timestamp>,
}

impl Drop for Active {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// See the module docs.
pub struct ReplayDriver {
    windows: Option<Arc<dyn WindowSource>>,
    /// Bounds of the replay's engine; the buffer holds as many events.
    limits: LiveLimits,
    thresholds: Option<crate::anomaly::Thresholds>,
    /// The panes ask the history engine, not the replay's: no engine is
    /// fed, only the ribbon's rates.
    rates_only: bool,
    active: Option<Active>,
}

impl ReplayDriver {
    /// A driver reading from `windows` (None: the source has no past),
    /// with the replay's engine and buffer bounded by half of `limits`
    /// each, and the anomaly rules (when given) run over what is read.
    pub fn new(
        windows: Option<Arc<dyn WindowSource>>,
        limits: LiveLimits,
        thresholds: Option<crate::anomaly::Thresholds>,
    ) -> Self {
        ReplayDriver {
            windows,
            limits: LiveLimits {
                max_events: (limits.max_events / 2).max(1),
                max_bytes: (limits.max_bytes / 2).max(1),
            },
            thresholds,
            rates_only: false,
            active: None,
        }
    }

    /// Feed only the ribbon's rates, no engine (see
    /// [`ReplayDriver::rates_only`]'s field).
    pub fn rates_only(mut self, rates_only: bool) -> Self {
        self.rates_only = rates_only;
        self
    }

    /// Whether past windows can be read.
    pub fn can_time_travel(&self) -> bool {
        self.windows.is_some()
    }

    /// Start reading `window` for replay `generation` (any running replay
    /// stops).
    pub fn start(&mut self, generation: u64, window: TimeWindow) -> Vec<Msg> {
        self.active = None;
        let Some(source) = self.windows.clone() else {
            return vec![Msg::Replay(ReplayMsg::Done {
                generation,
                error: Some("this source has no past to read".into()),
            })];
        };
        let (tx, rx) = mpsc::channel(2);
        let thresholds = self.thresholds.clone();
        let reader = tokio::spawn(read_window(source, window, thresholds, tx));
        self.active = Some(Active {
            generation,
            buffer: ReplayBuffer::new(self.limits.max_events, CHECKPOINT_EVERY),
            rates: ReplayRates::new(),
            engine: (!self.rates_only).then(|| Arc::new(LiveEngine::new(self.limits))),
            engine_at: 0,
            limits: self.limits,
            rx,
            reader,
            reading: true,
            position: None,
        });
        Vec::new()
    }

    /// Stop replaying.
    pub fn stop(&mut self) {
        self.active = None;
    }

    /// Whether a replay runs.
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    /// The replay's engine, while a replay of a source without a query API
    /// runs.
    pub fn engine(&self) -> Option<Arc<LiveEngine>> {
        self.active.as_ref().and_then(|a| a.engine.clone())
    }

    /// The ribbon's rates at the replay clock, while a replay runs.
    pub fn rates(&self) -> Option<LiveRates> {
        let a = self.active.as_ref()?;
        a.position.map(|p| a.rates.tracker.rates(p))
    }

    /// Events held in the replay buffer, and rates checkpoints kept (for
    /// the benchmark's memory account).
    pub fn held(&self) -> Option<(usize, usize)> {
        self.active
            .as_ref()
            .map(|a| (a.buffer.len(), a.rates.kept.len()))
    }

    /// Whether the loop should take the reader's next message now.
    pub fn wants_read(&self) -> bool {
        self.active
            .as_ref()
            .is_some_and(|a| a.reading && a.buffer.wants_more())
    }

    /// The reader's next message (pending forever without a reader).
    pub async fn next_read(&mut self) -> Option<ReadMsg> {
        match self.active.as_mut() {
            Some(a) if a.reading => a.rx.recv().await,
            _ => std::future::pending().await,
        }
    }

    /// Take in what the reader sent; the messages for the app.
    pub fn on_read(&mut self, read: Option<ReadMsg>) -> Vec<Msg> {
        let Some(a) = self.active.as_mut() else {
            return Vec::new();
        };
        let generation = a.generation;
        match read {
            Some(ReadMsg::Batch(batch)) => {
                a.buffer.push(batch);
                let mut out = vec![Self::progress(a)];
                // the clock may be waiting for these
                if let Some(p) = a.position {
                    out.extend(Self::release(a, p));
                }
                out
            }
            Some(ReadMsg::Notice(text)) => vec![Msg::Notice(text)],
            Some(ReadMsg::End(error)) => {
                a.reading = false;
                vec![Msg::Replay(ReplayMsg::Done { generation, error })]
            }
            None => {
                a.reading = false;
                vec![Msg::Replay(ReplayMsg::Done {
                    generation,
                    error: Some("the window reader stopped".into()),
                })]
            }
        }
    }

    /// The app moved the clock of replay `generation` to `position`:
    /// the events released (and the progress, when the room made let more
    /// in).
    pub fn release_to(&mut self, generation: u64, position: Timestamp) -> Vec<Msg> {
        let Some(a) = self.active.as_mut().filter(|a| a.generation == generation) else {
            return Vec::new();
        };
        a.position = Some(position);
        Self::release(a, position)
    }

    fn progress(a: &mut Active) -> Msg {
        let engine_evicted = a.engine.as_ref().map_or(0, |e| e.evicted());
        Msg::Replay(ReplayMsg::Progress {
            generation: a.generation,
            loaded: a.buffer.loaded(),
            loaded_until: a.buffer.loaded_until(),
            marks: a.buffer.take_new_marks(),
            evicted: a.buffer.evicted() + engine_evicted,
        })
    }

    fn release(a: &mut Active, position: Timestamp) -> Vec<Msg> {
        let loaded = a.buffer.loaded();
        let mut out = Vec::new();
        let mut next = a.buffer.release_to(position);
        // nothing due: room made earlier may let due events in
        while next.is_empty() {
            if !a.buffer.admit() {
                if a.buffer.loaded() != loaded {
                    out.push(Self::progress(a));
                }
                return out;
            }
            next = a.buffer.release_to(position);
        }
        let base = next.base;
        let first = next.from;
        let mut events: Vec<Event> = Vec::new();
        loop {
            events.extend(a.buffer.range(next.from, next.to).map(|i| i.event.clone()));
            a.rates.advance_to(&a.buffer, next.to);
            if a.engine.is_some() {
                // an engine is not copied: back rebuilds it from the oldest
                // event held
                let from = if next.to < a.engine_at || a.engine_at < a.buffer.evicted() {
                    a.engine = Some(Arc::new(LiveEngine::new(a.limits)));
                    a.buffer.evicted()
                } else {
                    a.engine_at
                };
                if let Some(engine) = &a.engine {
                    engine.ingest_all(a.buffer.range(from, next.to).map(|i| &i.event));
                }
                a.engine_at = next.to;
            }
            // room was made: what waited comes in, and may be due too
            if !a.buffer.admit() {
                break;
            }
            next = a.buffer.release_to(position);
        }
        out.push(Msg::Replay(ReplayMsg::Events {
            generation: a.generation,
            base,
            first,
            events,
            keep_from: a.buffer.evicted(),
        }));
        if a.buffer.loaded() != loaded {
            out.push(Self::progress(a));
        }
        out
    }
}

/// The reader task: the source's batches, with the anomalies the rules
/// raise over them, then the end.
async fn read_window(
    source: Arc<dyn WindowSource>,
    window: TimeWindow,
    thresholds: Option<crate::anomaly::Thresholds>,
    tx: mpsc::Sender<ReadMsg>,
) {
    if let Some(text) = source.notice().await
        && tx.send(ReadMsg::Notice(text)).await.is_err()
    {
        return;
    }
    let (inner_tx, mut inner_rx) = mpsc::channel::<Vec<Replayed>>(2);
    let read = source.read(window, inner_tx);
    let forward = async {
        let mut rules = thresholds.map(WindowAnomalies::new);
        while let Some(batch) = inner_rx.recv().await {
            let batch = match rules.as_mut() {
                Some(rules) => rules.observe(batch),
                None => batch,
            };
            if tx.send(ReadMsg::Batch(batch)).await.is_err() {
                return false;
            }
        }
        true
    };
    let (result, open) = tokio::join!(read, forward);
    if open {
        let _ = tx
            .send(ReadMsg::End(result.err().map(|e| e.to_string())))
            .await;
    }
}
