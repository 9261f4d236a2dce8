//! LiveEngine: the in-memory query engine fed by events.
//!
//! Sources (the Postgres tail, the SSE client, the demo generator, a replay
//! file) push [`Event`]s into [`LiveEngine::ingest`]; the console and
//! `serve` ask it the same [`crate::query::QueryEngine`] questions they
//! would ask Postgres, answered from the rows it holds. The store is
//! bounded (rows and approximate bytes, oldest written evicted first, the
//! evictions counted), indexed by trace, user, model, agent and tool, and
//! keeps rolling one-minute windows for the ribbon ([`LiveEngine::rates`]).
//! The `jsonb` columns (`logs.metadata`, step `content`) are rewritten on
//! ingest as Postgres renders them (`jsonb.rs`), so an event spelled any
//! other way still answers as its stored row would.
//!
//! The engine is `Send + Sync`: one `Arc<LiveEngine>` is shared between the
//! source task (writer) and the console (readers) behind an `RwLock`.

pub mod decode;
mod engine;
mod indexes;
mod jsonb;
mod rates;
mod reprice;
mod rolling;
mod store;

pub use decode::decode_event;
pub use jsonb::jsonb_text;
pub use rates::RatesTracker;
pub use rolling::{ACTIVE_USER_SECS, RATE_WINDOW_SECS};
pub use store::LiveLimits;

/// The hash map of the store's id maps and indexes and the rolling user
/// map: foldhash, several times faster than the default SipHash on short
/// ids, and still randomly seeded per map.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use crate::model::*;
use crate::query::ACTIVE_SESSION_MINUTES;
use rolling::Rolling;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use store::Store;

/// The in-memory engine. See the module docs.
pub struct LiveEngine {
    inner: RwLock<Inner>,
}

struct Inner {
    store: Store,
    rolling: Rolling,
    ingested: u64,
}

impl Inner {
    fn apply(&mut self, mut event: Event) {
        jsonb::normalise_event(&mut event);
        self.ingested += 1;
        self.rolling.observe(&event);
        self.store.apply(event);
    }
}

impl std::fmt::Debug for LiveEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.stats();
        f.debug_struct("LiveEngine")
            .field("rows", &s.rows)
            .field("bytes", &s.bytes)
            .field("evicted", &s.evicted)
            .finish()
    }
}

/// How full the store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveStats {
    /// Events ingested since start.
    pub ingested: u64,
    /// Rows held.
    pub rows: usize,
    /// Approximate bytes held.
    pub bytes: usize,
    /// Rows evicted to stay within the limits.
    pub evicted: u64,
}

impl Default for LiveEngine {
    fn default() -> Self {
        LiveEngine::new(LiveLimits::default())
    }
}

impl LiveEngine {
    /// An empty engine bounded by `limits`.
    pub fn new(limits: LiveLimits) -> Self {
        LiveEngine {
            inner: RwLock::new(Inner {
                store: Store::new(limits),
                rolling: Rolling::new(),
                ingested: 0,
            }),
        }
    }

    // A panic while holding the lock cannot leave a row half-written in a
    // way that matters more than losing the console, so poisoning is ignored.
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Store (or replace) the record an event carries and count it into
    /// the rolling windows.
    pub fn ingest(&self, event: &Event) {
        self.ingest_owned(event.clone());
    }

    /// [`LiveEngine::ingest`] without a copy: the event's records move into
    /// the store.
    pub fn ingest_owned(&self, event: Event) {
        let mut inner = self.write();
        inner.apply(event);
    }

    /// Decode one JSON event (as [`decode_event`]) and ingest it.
    pub fn ingest_json(&self, raw: &str) {
        self.ingest_owned(decode_event(raw));
    }

    /// Ingest a batch under one lock.
    pub fn ingest_all<'a>(&self, events: impl IntoIterator<Item = &'a Event>) {
        let mut inner = self.write();
        for event in events {
            inner.apply(event.clone());
        }
    }

    /// Ingest an owned batch under one lock (no copies).
    pub fn ingest_batch(&self, events: impl IntoIterator<Item = Event>) {
        let mut inner = self.write();
        for event in events {
            inner.apply(event);
        }
    }

    /// Rows evicted so far to stay within the limits.
    pub fn evicted(&self) -> u64 {
        self.read().store.evicted()
    }

    /// Fill level of the store.
    pub fn stats(&self) -> LiveStats {
        let inner = self.read();
        LiveStats {
            ingested: inner.ingested,
            rows: inner.store.rows(),
            bytes: inner.store.bytes(),
            evicted: inner.store.evicted(),
        }
    }

    /// Ribbon figures for the minute ending at `now`: requests/min, error
    /// rate, cost/min and tokens/min of AI requests finished in
    /// `(now − 60 s, now]`, p50/p95/p99 latency from an HDR histogram of
    /// those requests, users with an AI request event in the last five
    /// minutes, open sessions active in the last 30 minutes (as
    /// [`crate::query::PlatformOverview::active_sessions`]) and open
    /// anomalies.
    pub fn rates(&self, now: Timestamp) -> LiveRates {
        let inner = self.read();
        let mut rates = inner.rolling.rates(now);
        let since = now - chrono::Duration::minutes(ACTIVE_SESSION_MINUTES);
        rates.active_sessions = inner
            .store
            .sessions
            .iter()
            .filter(|s| s.ended_at.is_none() && s.last_activity_at >= since)
            .count() as i64;
        rates.open_anomalies = inner.store.open_anomalies.len() as i64;
        rates
    }

    /// Anomalies ingested: open ones first (critical before warning, then
    /// most recently raised), then cleared ones, most recent first.
    pub fn anomalies(&self) -> Vec<Anomaly> {
        let inner = self.read();
        let mut open: Vec<Anomaly> = inner.store.open_anomalies.values().cloned().collect();
        open.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.raised_at.cmp(&a.raised_at))
                .then_with(|| a.id.cmp(&b.id))
        });
        open.extend(inner.store.anomaly_history.iter().rev().cloned());
        open
    }
}
