//! The event loop's side of time travel: it starts the reader of a past
//! window on its own task, keeps what it reads in a bounded
//! [`ReplayBuffer`], runs the anomaly rules over it as it comes, and, as
//! the app's replay clock moves ([`ReplayEffect::ReleaseTo`]), releases
//! the events up to the clock into a live engine of its own (the ribbon's
//! rates and, on a source without a query API of its own, every pane's
//! answers) and into the app as [`ReplayMsg::Events`]. When the clock goes
//! back the engine is rebuilt from the buffer. The reader is held back
//! while the buffer's unreleased events fill half of it.

use super::msg::{Msg, ReplayMsg};
use crate::live::{LiveEngine, LiveLimits};
use crate::model::*;
use crate::query::TimeWindow;
use crate::source::window::buffer::ReplayBuffer;
use crate::source::window::{Replayed, WindowAnomalies, WindowSource};
use std::sync::Arc;
use tokio::sync::mpsc;

/// What the reader task sends.
pub enum ReadMsg {
    Batch(Vec<Replayed>),
    /// The end of the window, or why reading stopped.
    End(Option<String>),
}

struct Active {
    generation: u64,
    buffer: ReplayBuffer,
    engine: Arc<LiveEngine>,
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
    /// The replay's engine only answers the ribbon's rates (the panes ask
    /// the history engine): a seek back rebuilds it from the last
    /// [`RATES_SPAN`] before the clock only.
    rates_only: bool,
    active: Option<Active>,
}

/// How far back the ribbon's rates look (active sessions: 30 minutes).
pub const RATES_SPAN: chrono::Duration =
    chrono::Duration::minutes(crate::query::ACTIVE_SESSION_MINUTES);

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

    /// The replay's engine feeds only the ribbon's rates (see
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
            buffer: ReplayBuffer::new(self.limits.max_events),
            engine: Arc::new(LiveEngine::new(self.limits)),
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

    /// The replay's engine while a replay runs.
    pub fn engine(&self) -> Option<Arc<LiveEngine>> {
        self.active.as_ref().map(|a| a.engine.clone())
    }

    /// The ribbon's rates at the replay clock, while a replay runs.
    pub fn rates(&self) -> Option<LiveRates> {
        let a = self.active.as_ref()?;
        a.position.map(|p| a.engine.rates(p))
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
                    out.extend(Self::release(a, p, self.rates_only));
                }
                out
            }
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
        let rates_only = self.rates_only;
        let Some(a) = self.active.as_mut().filter(|a| a.generation == generation) else {
            return Vec::new();
        };
        a.position = Some(position);
        Self::release(a, position, rates_only)
    }

    fn progress(a: &mut Active) -> Msg {
        Msg::Replay(ReplayMsg::Progress {
            generation: a.generation,
            loaded: a.buffer.loaded(),
            loaded_until: a.buffer.loaded_until(),
            marks: a.buffer.take_new_marks(),
            evicted: a.buffer.evicted() + a.engine.evicted(),
        })
    }

    fn release(a: &mut Active, position: Timestamp, rates_only: bool) -> Vec<Msg> {
        let loaded = a.buffer.loaded();
        let release = a.buffer.release_to(position);
        let mut out = Vec::new();
        if release.events.is_empty() && !release.reset {
            return out;
        }
        if release.reset {
            a.engine = Arc::new(LiveEngine::new(a.limits));
            let from = if rates_only {
                let since = position - RATES_SPAN;
                release.times.partition_point(|t| *t < since)
            } else {
                0
            };
            a.engine.ingest_all(&release.events[from..]);
        } else {
            a.engine.ingest_all(&release.events);
        }
        out.push(Msg::Replay(ReplayMsg::Events {
            generation: a.generation,
            reset: release.reset,
            events: release.events,
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
