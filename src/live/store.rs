//! The bounded row store behind LiveEngine.
//!
//! Every table of the data contract is a [`Table`]: rows live in a slab of
//! slots, found by id through a hash map and by secondary keys through
//! per-table hash indexes (see `indexes.rs`); id prefixes (audit lookups)
//! scan the keys, which keeps the ingest path to a few hash probes. A row
//! always holds the latest version of its record: an event about an id that
//! is already stored replaces it in place.
//!
//! [`Store`] ties the tables to one eviction order. Each write is stamped
//! with a sequence number and queued; when the store holds more rows than
//! `max_events` or more approximate bytes than `max_bytes`, the queue is
//! popped from the front and the row written least recently goes, its index
//! entries with it, and the eviction is counted. Queue entries made stale by
//! a later write of the same row are skipped (and compacted away).

use super::FastMap;
use super::indexes::{RequestRow, Row};
use crate::model::*;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Bounds of the live store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveLimits {
    /// Most rows held (each row is the latest event about one record).
    pub max_events: usize,
    /// Most approximate bytes held (record sizes plus index overhead).
    pub max_bytes: usize,
}

impl Default for LiveLimits {
    /// One million rows or 700 MiB by the store's own estimate, whichever
    /// comes first. The estimate undercounts allocator and hash-table
    /// overhead by about a third (measured: 777 MiB estimated = 1.1 GiB
    /// resident for 1M rows), so this keeps the process near 1 GB.
    fn default() -> Self {
        LiveLimits {
            max_events: 1_000_000,
            max_bytes: 700 << 20,
        }
    }
}

struct Slot<R> {
    row: R,
    seq: u64,
    bytes: usize,
}

/// One table: a slab of rows, an id map and secondary indexes.
pub(crate) struct Table<R> {
    slots: Vec<Option<Slot<R>>>,
    free: Vec<u32>,
    by_id: FastMap<Box<str>, u32>,
    indexes: Vec<FastMap<Box<str>, BTreeSet<u32>>>,
}

/// Most secondary indexes of any table (each row has at most one key per
/// index).
const MAX_INDEXES: usize = 8;

fn add_key(index: &mut FastMap<Box<str>, BTreeSet<u32>>, key: &str, slot: u32) {
    match index.get_mut(key) {
        Some(set) => {
            set.insert(slot);
        }
        None => {
            index.insert(key.into(), BTreeSet::from([slot]));
        }
    }
}

fn remove_key(index: &mut FastMap<Box<str>, BTreeSet<u32>>, key: &str, slot: u32) {
    if let Some(set) = index.get_mut(key) {
        set.remove(&slot);
        if set.is_empty() {
            index.remove(key);
        }
    }
}

/// Bytes we charge per index or id-map entry on top of the key text.
const ENTRY_OVERHEAD: usize = 48;

impl<R: Row> Table<R> {
    fn new() -> Self {
        Table {
            slots: Vec::new(),
            free: Vec::new(),
            by_id: FastMap::default(),
            indexes: (0..R::INDEX_COUNT).map(|_| FastMap::default()).collect(),
        }
    }

    fn charge(row: &R) -> usize {
        let mut bytes = row.approx_bytes() + row.id().len() + ENTRY_OVERHEAD;
        row.index_keys(&mut |_, key| bytes += key.len() + ENTRY_OVERHEAD);
        bytes
    }

    fn index(&mut self, slot: u32, row: &R) {
        let indexes = &mut self.indexes;
        row.index_keys(&mut |i, key| add_key(&mut indexes[i], key, slot));
    }

    fn unindex(&mut self, slot: u32, row: &R) {
        let indexes = &mut self.indexes;
        row.index_keys(&mut |i, key| remove_key(&mut indexes[i], key, slot));
    }

    /// Move `slot` from the old row's keys to the new row's, touching only
    /// the indexes whose key changed (a completion rarely changes any).
    fn reindex(&mut self, slot: u32, old: &R, new: &R) {
        let mut old_keys: [Option<&str>; MAX_INDEXES] = [None; MAX_INDEXES];
        old.index_keys(&mut |i, key| old_keys[i] = Some(key));
        let mut new_keys: [Option<&str>; MAX_INDEXES] = [None; MAX_INDEXES];
        new.index_keys(&mut |i, key| new_keys[i] = Some(key));
        for i in 0..R::INDEX_COUNT {
            if old_keys[i] != new_keys[i] {
                if let Some(key) = old_keys[i] {
                    remove_key(&mut self.indexes[i], key, slot);
                }
                if let Some(key) = new_keys[i] {
                    add_key(&mut self.indexes[i], key, slot);
                }
            }
        }
    }

    /// Insert or replace; returns (slot, bytes before, bytes after, was new).
    fn upsert(&mut self, row: R, seq: u64) -> (u32, usize, usize, bool) {
        let bytes = Self::charge(&row);
        if let Some(&slot) = self.by_id.get(row.id()) {
            let old = self.slots[slot as usize].take();
            let old_bytes = old.as_ref().map(|s| s.bytes).unwrap_or(0);
            match &old {
                Some(old) => self.reindex(slot, &old.row, &row),
                None => self.index(slot, &row),
            }
            self.slots[slot as usize] = Some(Slot { row, seq, bytes });
            return (slot, old_bytes, bytes, false);
        }
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_id.insert(row.id().into(), slot);
        self.index(slot, &row);
        self.slots[slot as usize] = Some(Slot { row, seq, bytes });
        (slot, 0, bytes, true)
    }

    /// Remove the row in `slot` if it was last written at `seq`; returns
    /// the bytes freed.
    fn evict(&mut self, slot: u32, seq: u64) -> Option<usize> {
        let current = self.slots.get(slot as usize)?.as_ref()?;
        if current.seq != seq {
            return None;
        }
        let gone = self.slots[slot as usize].take()?;
        self.by_id.remove(gone.row.id());
        self.unindex(slot, &gone.row);
        self.free.push(slot);
        Some(gone.bytes)
    }

    fn is_current(&self, slot: u32, seq: u64) -> bool {
        matches!(self.slots.get(slot as usize), Some(Some(s)) if s.seq == seq)
    }

    /// The row with this id.
    pub fn get(&self, id: &str) -> Option<&R> {
        let slot = *self.by_id.get(id)?;
        self.slot(slot)
    }

    fn slot(&self, slot: u32) -> Option<&R> {
        self.slots.get(slot as usize)?.as_ref().map(|s| &s.row)
    }

    /// Every row, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &R> {
        self.slots.iter().filter_map(|s| s.as_ref().map(|s| &s.row))
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Rows whose secondary key `index` equals `key`.
    pub fn lookup<'a>(&'a self, index: usize, key: &str) -> impl Iterator<Item = &'a R> + 'a {
        self.indexes[index]
            .get(key)
            .into_iter()
            .flat_map(|set| set.iter())
            .filter_map(|&slot| self.slot(slot))
    }

    /// Whether any row has secondary key `index` equal to `key`.
    pub fn has_key(&self, index: usize, key: &str) -> bool {
        self.indexes[index].contains_key(key)
    }

    /// Rows whose id starts with `prefix`, in no particular order (a scan
    /// of the id map: audit lookups are rare, ingest is hot).
    pub fn with_id_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a R> + 'a {
        self.by_id
            .iter()
            .filter(move |(id, _)| id.starts_with(prefix))
            .filter_map(|(_, &slot)| self.slot(slot))
    }

    /// Secondary keys of `index` starting with `prefix`, in no particular
    /// order.
    pub fn keys_with_prefix<'a>(
        &'a self,
        index: usize,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.indexes[index]
            .keys()
            .filter(move |key| key.starts_with(prefix))
            .map(|key| &**key)
    }
}

/// Which table a queued write belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableTag {
    Users,
    Sessions,
    Contexts,
    Tasks,
    Steps,
    Requests,
    Mcp,
    Logs,
}

/// Anomalies kept after they clear (most recent).
const ANOMALY_HISTORY: usize = 1_000;

/// Every table plus the eviction queue and counters.
pub(crate) struct Store {
    pub users: Table<UserRecord>,
    pub sessions: Table<SessionRecord>,
    pub contexts: Table<ContextRecord>,
    pub tasks: Table<AgentTaskRecord>,
    pub steps: Table<StepRecord>,
    pub requests: Table<RequestRow>,
    pub mcp: Table<McpExecutionRecord>,
    pub logs: Table<LogRecord>,
    /// Open anomalies by id.
    pub open_anomalies: BTreeMap<String, Anomaly>,
    /// Cleared anomalies, oldest first.
    pub anomaly_history: VecDeque<Anomaly>,
    order: VecDeque<(TableTag, u32, u64)>,
    seq: u64,
    bytes: usize,
    evicted: u64,
    limits: LiveLimits,
}

impl Store {
    pub fn new(limits: LiveLimits) -> Self {
        Store {
            users: Table::new(),
            sessions: Table::new(),
            contexts: Table::new(),
            tasks: Table::new(),
            steps: Table::new(),
            requests: Table::new(),
            mcp: Table::new(),
            logs: Table::new(),
            open_anomalies: BTreeMap::new(),
            anomaly_history: VecDeque::new(),
            order: VecDeque::new(),
            seq: 0,
            bytes: 0,
            evicted: 0,
            limits,
        }
    }

    /// Rows held across every table.
    pub fn rows(&self) -> usize {
        self.users.len()
            + self.sessions.len()
            + self.contexts.len()
            + self.tasks.len()
            + self.steps.len()
            + self.requests.len()
            + self.mcp.len()
            + self.logs.len()
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Apply one event: store or replace the record it carries.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::AiRequestStarted { request } => {
                // A late `started` must not undo a completion already held.
                if let Some(existing) = self.requests.get(request.id.as_str())
                    && existing.record.status != request_status::PENDING
                {
                    return;
                }
                let row = RequestRow {
                    record: request,
                    messages: Vec::new(),
                    tool_calls: Vec::new(),
                };
                self.put(TableTag::Requests, |s, seq| s.requests.upsert(row, seq));
            }
            Event::AiRequestCompleted {
                request,
                messages,
                tool_calls,
            }
            | Event::AiRequestFailed {
                request,
                messages,
                tool_calls,
            } => {
                let mut messages = messages;
                messages.sort_by_key(|m| m.sequence_number);
                let mut tool_calls = tool_calls;
                tool_calls.sort_by_key(|c| c.sequence_number);
                let row = RequestRow {
                    record: request,
                    messages,
                    tool_calls,
                };
                self.put(TableTag::Requests, |s, seq| s.requests.upsert(row, seq));
            }
            Event::McpExecution { execution } => {
                let row = execution;
                self.put(TableTag::Mcp, |s, seq| s.mcp.upsert(row, seq));
            }
            Event::Log { log } => {
                let row = log;
                self.put(TableTag::Logs, |s, seq| s.logs.upsert(row, seq));
            }
            Event::TaskUpdated { task } => {
                let row = task;
                self.put(TableTag::Tasks, |s, seq| s.tasks.upsert(row, seq));
            }
            Event::ExecutionStep { step } => {
                let row = step;
                self.put(TableTag::Steps, |s, seq| s.steps.upsert(row, seq));
            }
            Event::SessionStarted { session } | Event::SessionEnded { session } => {
                let row = session;
                self.put(TableTag::Sessions, |s, seq| s.sessions.upsert(row, seq));
            }
            Event::UserSeen { user } => {
                let row = user;
                self.put(TableTag::Users, |s, seq| s.users.upsert(row, seq));
            }
            Event::ContextCreated { context } => {
                let row = context;
                self.put(TableTag::Contexts, |s, seq| s.contexts.upsert(row, seq));
            }
            Event::AnomalyRaised { anomaly } | Event::AnomalyEscalated { anomaly } => {
                self.open_anomalies.insert(anomaly.id.clone(), anomaly);
            }
            Event::AnomalyCleared { anomaly } => {
                self.open_anomalies.remove(&anomaly.id);
                self.anomaly_history.push_back(anomaly);
                while self.anomaly_history.len() > ANOMALY_HISTORY {
                    self.anomaly_history.pop_front();
                }
            }
            // A systemprompt analytics stream's web traffic holds no
            // audited record.
            Event::StatsSnapshot { .. }
            | Event::AnalyticsSessionStarted { .. }
            | Event::AnalyticsSessionEnded { .. }
            | Event::PageView { .. }
            | Event::EngagementUpdate { .. }
            | Event::Heartbeat { .. }
            | Event::Gap { .. }
            | Event::Unknown { .. } => {}
        }
    }

    fn put(
        &mut self,
        tag: TableTag,
        write: impl FnOnce(&mut Store, u64) -> (u32, usize, usize, bool),
    ) {
        self.seq += 1;
        let seq = self.seq;
        let (slot, before, after, _new) = write(self, seq);
        self.bytes = self.bytes - before + after;
        self.order.push_back((tag, slot, seq));
        self.enforce_limits();
        if self.order.len() > 2 * self.rows() + 1024 {
            self.compact_order();
        }
    }

    fn enforce_limits(&mut self) {
        while self.rows() > self.limits.max_events || self.bytes > self.limits.max_bytes {
            let Some((tag, slot, seq)) = self.order.pop_front() else {
                break;
            };
            let freed = match tag {
                TableTag::Users => self.users.evict(slot, seq),
                TableTag::Sessions => self.sessions.evict(slot, seq),
                TableTag::Contexts => self.contexts.evict(slot, seq),
                TableTag::Tasks => self.tasks.evict(slot, seq),
                TableTag::Steps => self.steps.evict(slot, seq),
                TableTag::Requests => self.requests.evict(slot, seq),
                TableTag::Mcp => self.mcp.evict(slot, seq),
                TableTag::Logs => self.logs.evict(slot, seq),
            };
            if let Some(freed) = freed {
                self.bytes -= freed;
                self.evicted += 1;
            }
        }
    }

    fn compact_order(&mut self) {
        let order = std::mem::take(&mut self.order);
        self.order = order
            .into_iter()
            .filter(|&(tag, slot, seq)| match tag {
                TableTag::Users => self.users.is_current(slot, seq),
                TableTag::Sessions => self.sessions.is_current(slot, seq),
                TableTag::Contexts => self.contexts.is_current(slot, seq),
                TableTag::Tasks => self.tasks.is_current(slot, seq),
                TableTag::Steps => self.steps.is_current(slot, seq),
                TableTag::Requests => self.requests.is_current(slot, seq),
                TableTag::Mcp => self.mcp.is_current(slot, seq),
                TableTag::Logs => self.logs.is_current(slot, seq),
            })
            .collect();
    }
}
