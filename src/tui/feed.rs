//! The live event feed: a bounded ring of display-ready rows and the filter
//! over it.
//!
//! Each [`Event`] becomes one [`FeedRow`] whose text is sanitized once, at
//! ingest, so drawing a frame only slices the ring. The ring holds at most
//! `capacity` rows and drops the oldest; a filter keeps an index of matching
//! sequence numbers that is updated on push and evict, so a filtered view of
//! 100k rows costs the same per frame as an unfiltered one.
//!
//! The ring, the filter's index and the learned names are persistent
//! collections ([`imbl`]): a copy of the feed shares them and costs about
//! as much as one row, which is what lets time travel keep checkpoints of
//! the replayed feed ([`crate::tui::replay_checkpoints`]).

use super::config::Thresholds;
use super::users::UserDirectory;
use crate::model::*;
use crate::sanitize;
use imbl::{HashMap, Vector};

mod filter;
mod rows;

pub use filter::{FILTER_KEYS, FeedFilter};

/// Default number of rows the feed keeps.
pub const DEFAULT_FEED_CAPACITY: usize = 100_000;

/// How a row should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowSeverity {
    Normal,
    Pending,
    Warning,
    Error,
    Anomaly,
}

/// One display-ready row of the feed. Every text field is already cleaned.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeedRow {
    /// Monotonic sequence number, unique for the life of the feed.
    #[serde(skip)]
    pub seq: u64,
    pub at: Option<Timestamp>,
    /// Short kind label (`ai.done`, `mcp`, `log`…).
    pub kind: &'static str,
    pub user: String,
    pub agent: String,
    /// Model for AI requests, tool for MCP executions, module for logs.
    pub subject: String,
    pub tokens: Option<i64>,
    pub cost: Option<Microdollars>,
    pub latency_ms: Option<i64>,
    /// Status or message text.
    pub status: String,
    #[serde(skip)]
    pub severity: RowSeverity,
    /// The log level for log rows (upper case).
    pub level: Option<String>,
    pub trace_id: Option<TraceId>,
    /// The row's own id (request id, execution id, log id…), for `y`.
    pub id: String,
}

/// The bounded ring of rows plus the filtered index.
#[derive(Debug, Clone)]
pub struct Feed {
    rows: Vector<FeedRow>,
    capacity: usize,
    next_seq: u64,
    filter: FeedFilter,
    /// Sequence numbers of rows matching `filter`, ascending; `None` when
    /// the filter is empty (every row matches).
    matching: Option<Vector<u64>>,
    /// Rows evicted because the ring was full.
    pub evicted: u64,
    /// Agent name per task id, learned from task events (bounded).
    agents: HashMap<TaskId, String>,
    /// User names, from `user_seen` events and the history's directory.
    users: UserDirectory,
}

const MAX_AGENT_CACHE: usize = 50_000;

impl Feed {
    /// An empty feed keeping at most `capacity` rows.
    pub fn new(capacity: usize) -> Feed {
        Feed {
            rows: Vector::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            filter: FeedFilter::default(),
            matching: None,
            evicted: 0,
            agents: HashMap::new(),
            users: UserDirectory::default(),
        }
    }

    /// The user directory the feed shows and filters users with.
    pub fn users(&self) -> &UserDirectory {
        &self.users
    }

    /// Learn users from the history's directory; a `user:` filter is
    /// matched again, since a name may now match rows it did not.
    pub fn learn_users(&mut self, users: &[UserRecord]) {
        for user in users {
            self.users.insert(user.id.as_str(), &user.name);
        }
        if self.filter.user.is_some() {
            self.set_filter(self.filter.clone());
        }
    }

    /// Most rows kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Rows ever pushed (the next row's sequence number).
    pub fn pushed(&self) -> u64 {
        self.next_seq
    }

    /// Total rows held (unfiltered).
    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// Rows visible through the filter.
    pub fn visible_len(&self) -> usize {
        match &self.matching {
            Some(m) => m.len(),
            None => self.rows.len(),
        }
    }

    /// The current filter.
    pub fn filter(&self) -> &FeedFilter {
        &self.filter
    }

    /// Replace the filter and rebuild the index (one pass over the ring).
    pub fn set_filter(&mut self, filter: FeedFilter) {
        self.matching = if filter.is_empty() {
            None
        } else {
            Some(
                self.rows
                    .iter()
                    .filter(|r| filter.matches(r, &self.users))
                    .map(|r| r.seq)
                    .collect(),
            )
        };
        self.filter = filter;
    }

    /// Convert and append events with the default thresholds.
    pub fn push_events(&mut self, events: &[Event]) -> usize {
        self.push_events_with(events, &Thresholds::default())
    }

    /// Convert and append events; AI requests beyond `thresholds` are
    /// marked as warnings. Returns how many rows were added.
    pub fn push_events_with(&mut self, events: &[Event], thresholds: &Thresholds) -> usize {
        let mut added = 0;
        for event in events {
            if let Event::UserSeen { user } = event {
                self.users.insert(user.id.as_str(), &user.name);
            }
            if let Event::TaskUpdated { task } = event
                && let Some(agent) = &task.agent_name
            {
                if self.agents.len() >= MAX_AGENT_CACHE {
                    self.agents.clear();
                }
                self.agents
                    .insert(task.task_id.clone(), sanitize::clean(agent));
            }
            if let Some(mut row) = self.row_for(event) {
                if row.severity == RowSeverity::Normal && row.kind == "ai.done" {
                    let slow = row
                        .latency_ms
                        .is_some_and(|l| l > thresholds.slow_request_ms);
                    let costly = row
                        .cost
                        .is_some_and(|c| c.get() > thresholds.expensive_request_microdollars);
                    if slow || costly {
                        row.severity = RowSeverity::Warning;
                        row.status =
                            format!("{} {}", row.status, if slow { "slow" } else { "expensive" });
                    }
                }
                self.push_row(row);
                added += 1;
            }
        }
        added
    }

    fn push_row(&mut self, mut row: FeedRow) {
        row.seq = self.next_seq;
        self.next_seq += 1;
        if self.rows.len() >= self.capacity
            && let Some(old) = self.rows.pop_front()
        {
            self.evicted += 1;
            if let Some(m) = &mut self.matching
                && m.front() == Some(&old.seq)
            {
                m.pop_front();
            }
        }
        if let Some(m) = &mut self.matching
            && self.filter.matches(&row, &self.users)
        {
            m.push_back(row.seq);
        }
        self.rows.push_back(row);
    }

    fn by_seq(&self, seq: u64) -> Option<&FeedRow> {
        let first = self.rows.front()?.seq;
        let index = seq.checked_sub(first)? as usize;
        self.rows.get(index)
    }

    /// The row at display index `i` (0 = newest visible row).
    pub fn display(&self, i: usize) -> Option<&FeedRow> {
        let len = self.visible_len();
        let pos = len.checked_sub(1)?.checked_sub(i)?;
        match &self.matching {
            Some(m) => self.by_seq(*m.get(pos)?),
            None => self.rows.get(pos),
        }
    }

    /// Display index of the visible row with `seq`, or of the nearest
    /// visible row older than it (if it was filtered out or evicted).
    pub fn display_index_of(&self, seq: u64) -> Option<usize> {
        let len = self.visible_len();
        if len == 0 {
            return None;
        }
        let pos = match &self.matching {
            Some(m) => match m.binary_search(&seq) {
                Ok(p) => p,
                Err(p) => p.saturating_sub(1),
            },
            None => {
                let first = self.rows.front()?.seq;
                (seq.saturating_sub(first) as usize).min(len - 1)
            }
        };
        Some(len - 1 - pos.min(len - 1))
    }

    /// Visible rows from display index `start`, at most `count`.
    pub fn display_slice(&self, start: usize, count: usize) -> Vec<&FeedRow> {
        (start..start.saturating_add(count))
            .map_while(|i| self.display(i))
            .collect()
    }

    fn agent_of(&self, task: Option<&TaskId>) -> String {
        task.and_then(|t| self.agents.get(t))
            .cloned()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_event(i: u64, level: &str) -> Event {
        Event::Log {
            log: LogRecord {
                id: LogId::new(format!("log-{i}")),
                timestamp: chrono::DateTime::UNIX_EPOCH,
                level: level.into(),
                module: "gateway".into(),
                message: format!("message {i}"),
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
    fn ring_evicts_oldest_and_keeps_filter_index_in_step() {
        let mut feed = Feed::new(3);
        feed.set_filter(FeedFilter::parse("level:error"));
        for i in 0..5 {
            feed.push_events(&[log_event(i, if i % 2 == 0 { "ERROR" } else { "INFO" })]);
        }
        assert_eq!(feed.total(), 3);
        assert_eq!(feed.evicted, 2);
        // rows 2,3,4 remain; errors among them are 2 and 4
        assert_eq!(feed.visible_len(), 2);
        assert_eq!(feed.display(0).map(|r| r.id.as_str()), Some("log-4"));
        assert_eq!(feed.display(1).map(|r| r.id.as_str()), Some("log-2"));
        assert!(feed.display(2).is_none());
        assert_eq!(feed.display_index_of(2), Some(1));
        // seq 3 is filtered out: nearest older visible row is seq 2
        assert_eq!(feed.display_index_of(3), Some(1));
    }

    #[test]
    fn filter_terms_parse_and_combine() {
        let f = FeedFilter::parse("level:ERROR user:alice timeout");
        assert_eq!(f.level.as_deref(), Some("error"));
        assert_eq!(f.user.as_deref(), Some("alice"));
        assert_eq!(f.text, vec!["timeout".to_string()]);
        assert!(FeedFilter::parse("   ").is_empty());
    }
}
