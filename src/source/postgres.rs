//! PgTail: turns the audit tables into a live stream of [`Event`]s by
//! watermark polling.
//!
//! systemprompt writes rows but publishes no per-row event, so each table is
//! polled on an indexed `(time column, id)` key: every poll re-reads from
//! `watermark − lookback` (transactions commit out of order, so a row may
//! appear with a time older than rows already seen) and pages forward with a
//! keyset. A row is emitted once per *state*: the de-duplication map holds
//! `id → version` (the status, or "ended" for a session) and a row whose
//! version changed is re-emitted as an update (a pending AI request becomes
//! `AiRequestCompleted` with its messages and tool calls). Rows still pending
//! (AI requests, MCP executions, steps, sessions not ended) are also re-read
//! by primary key each poll, so a writer that changes a status without
//! touching the polled column is still seen (a session ended by setting
//! `ended_at` alone, its `last_activity_at` minutes old).
//!
//! An event is emitted only when its own time is inside the lookback of the
//! watermark (or it is a state change of a row we hold): that rule lets the
//! de-duplication map forget rows older than the lookback without ever
//! emitting them twice. The state survives a lost connection: [`PgTail::run`]
//! retries with backoff and resumes from the same watermarks, so a Postgres
//! restart causes neither a gap nor a duplicate.

use crate::error::{Error, Result};
use crate::model::*;
use crate::pg::PgEngine;
use crate::pg::columns::Selects;
use chrono::Duration as ChronoDuration;
use sqlx::PgPool;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

mod tables;

use tables::{T_AI, T_MCP, T_SESSIONS, T_STEPS};
pub(crate) use tables::{TABLES, TableSpec, TailRow};

/// Default [`TailConfig::backfill_cap`]: enough for a screenful of every
/// table and the ribbon's minute on a busy gateway, small enough to read
/// well inside a second.
pub const DEFAULT_BACKFILL_CAP: usize = 5_000;

/// How the tail polls.
#[derive(Debug, Clone)]
pub struct TailConfig {
    /// Pause between polls (default 500 ms).
    pub interval: Duration,
    /// How far behind the watermark each poll re-reads (default 5 s).
    pub lookback: Duration,
    /// Start this far in the past instead of "now" (default none).
    pub backfill: Option<Duration>,
    /// Most rows of each table the backfill re-reads (the newest ones;
    /// default 5 000; `None`: every row of the span). When a table has
    /// more in the backfill span, the first poll says so with a `gap`
    /// event naming the span not shown.
    pub backfill_cap: Option<usize>,
    /// Rows per page (default 2000).
    pub page_size: i64,
    /// Pages per table per poll before yielding to the next poll (default 25).
    pub max_pages: usize,
    /// Pending rows re-read by id per table at most (default 20 000).
    pub max_pending: usize,
}

impl Default for TailConfig {
    fn default() -> Self {
        TailConfig {
            interval: Duration::from_millis(500),
            lookback: Duration::from_secs(5),
            backfill: None,
            backfill_cap: Some(DEFAULT_BACKFILL_CAP),
            page_size: 2000,
            max_pages: 25,
            max_pending: 20_000,
        }
    }
}

/// Per-table tail state.
#[derive(Default)]
struct TableState {
    /// Newest polled time seen.
    watermark: Option<Timestamp>,
    /// id → (version, time of that version).
    seen: HashMap<String, (String, Timestamp)>,
    /// Rows that may still change state, re-read by id: id → first seen.
    pending: HashMap<String, Timestamp>,
}

/// The Postgres tail. Holds the watermarks, so a reconnect resumes exactly.
pub struct PgTail {
    engine: PgEngine,
    config: TailConfig,
    tables: Vec<TableState>,
    emitted: u64,
    /// Said with the first poll: the backfill hit its row cap.
    backfill_notice: Option<Event>,
}

/// Outcome of one poll.
struct PollBatch {
    events: Vec<(Timestamp, Event)>,
}

impl PgTail {
    /// Connect (read-only pool), set the starting watermark to the
    /// database's `now()` (minus the backfill, if any) and remember the rows
    /// inside the lookback so they are not reported as new.
    pub async fn start(engine: PgEngine, config: TailConfig) -> Result<PgTail> {
        let db_now: Timestamp = sqlx::query_scalar("SELECT now()")
            .fetch_one(engine.pool())
            .await
            .map_err(|e| engine.err(e))?;
        let start = match config.backfill {
            Some(b) => db_now - chrono_duration(b),
            None => db_now,
        };
        let mut tables: Vec<TableState> = TABLES
            .iter()
            .map(|_| TableState {
                watermark: Some(start),
                ..Default::default()
            })
            .collect();
        let mut backfill_notice = None;
        if let (Some(span), Some(cap)) = (config.backfill, config.backfill_cap) {
            // A busy table starts at its `backfill_cap`-th newest row inside
            // the span instead of the span's start.
            let lookback = chrono_duration(config.lookback);
            let mut capped = Vec::new();
            let mut shown_from = start;
            for (index, spec) in TABLES.iter().enumerate() {
                let sql = format!(
                    "SELECT {a}.{time} FROM {table} {a} WHERE {a}.{time} >= $1                      ORDER BY {a}.{time} DESC, {a}.{id} DESC OFFSET $2 LIMIT 1",
                    a = spec.alias,
                    time = spec.time_col,
                    table = spec.name,
                    id = spec.id_col
                );
                let cutoff: Option<Timestamp> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(start)
                    .bind(i64::try_from(cap).unwrap_or(i64::MAX))
                    .fetch_optional(engine.pool())
                    .await
                    .map_err(|e| engine.err(e))?;
                if let Some(cutoff) = cutoff {
                    tables[index].watermark = Some(cutoff + lookback);
                    capped.push(spec.name);
                    shown_from = shown_from.max(cutoff);
                }
            }
            if !capped.is_empty() {
                backfill_notice = Some(Event::Gap {
                    from_cursor: None,
                    to_cursor: None,
                    dropped: 0,
                    reason: format!(
                        "the {} backfill is capped at {} rows per table; older rows of {} are not shown",
                        humantime_span(span),
                        cap,
                        capped.join(", ")
                    ),
                    from_time: Some(start),
                    to_time: Some(shown_from),
                });
            }
        }
        let mut tail = PgTail {
            engine,
            config,
            tables,
            emitted: 0,
            backfill_notice,
        };
        if tail.config.backfill.is_none() {
            // Prime: rows already in the lookback window are history.
            tail.poll(false).await.map_err(|e| tail.engine.err(e))?;
        }
        Ok(tail)
    }

    /// Connect to `url` and start; see [`PgTail::start`].
    pub async fn connect(url: &str, config: TailConfig) -> Result<PgTail> {
        let engine = PgEngine::connect(url).await?;
        Self::start(engine, config).await
    }

    /// Events emitted so far.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// Poll every table once and return the new events in time order (the
    /// first poll of a capped backfill starts with the `gap` that says so).
    pub async fn poll_once(&mut self) -> Result<Vec<Event>> {
        let batch = self.poll(true).await.map_err(|e| self.engine.err(e))?;
        self.emitted += batch.events.len() as u64;
        Ok(self
            .backfill_notice
            .take()
            .into_iter()
            .chain(batch.events.into_iter().map(|(_, e)| e))
            .collect())
    }

    async fn poll(&mut self, emit: bool) -> std::result::Result<PollBatch, sqlx::Error> {
        let pool = self.engine.pool().clone();
        let lookback = chrono_duration(self.config.lookback);
        let mut out = Vec::new();
        for (index, spec) in TABLES.iter().enumerate() {
            let from = self.tables[index].watermark.map(|w| w - lookback);
            let mut rows = self.fetch_table(&pool, index, spec, from).await?;
            let pending_ids: Vec<String> = self.tables[index].pending.keys().cloned().collect();
            let by_id = if pending_ids.is_empty() {
                Vec::new()
            } else {
                fetch_by_ids(&pool, self.engine.selects(), index, spec, &pending_ids).await?
            };
            let state = &mut self.tables[index];
            if let Some(newest) = rows.iter().map(|r| r.poll_key().0).max() {
                state.watermark = Some(state.watermark.map_or(newest, |w| w.max(newest)));
            }
            let guard_from = from.unwrap_or(chrono::DateTime::UNIX_EPOCH);
            let mut accepted = Vec::new();
            rows.extend(by_id);
            for row in rows {
                let (_, id) = row.poll_key();
                let id = id.to_string();
                let version = row.version();
                let at = row.event_time();
                let held = state.seen.get(&id);
                if held.is_some_and(|(v, _)| *v == version) {
                    continue;
                }
                // A state change of a row we hold is always news; a row we do
                // not hold is news only inside the lookback (older ones may
                // have been forgotten after being emitted).
                let fresh = held.is_some() || at >= guard_from;
                state.seen.insert(id.clone(), (version, at));
                if row.is_pending() {
                    if state.pending.len() < self.config.max_pending {
                        state.pending.entry(id).or_insert(at);
                    }
                } else {
                    state.pending.remove(&id);
                }
                if emit && fresh {
                    accepted.push(row);
                }
            }
            // Forget what can no longer come back inside the lookback.
            let pending = &state.pending;
            state
                .seen
                .retain(|id, (_, at)| *at >= guard_from || pending.contains_key(id));
            let expire = guard_from - ChronoDuration::hours(1);
            state.pending.retain(|_, first| *first >= expire);
            out.extend(accepted);
        }
        let events = self.to_events(&pool, out).await?;
        Ok(PollBatch { events })
    }

    async fn fetch_table(
        &self,
        pool: &PgPool,
        index: usize,
        spec: &TableSpec,
        from: Option<Timestamp>,
    ) -> std::result::Result<Vec<TailRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {cols} FROM {table} {a} WHERE ({a}.{time}, {a}.{id}) > ($1, $2) \
             ORDER BY {a}.{time}, {a}.{id} LIMIT $3",
            cols = spec.cols(self.engine.selects()),
            table = spec.name,
            a = spec.alias,
            time = spec.time_col,
            id = spec.id_col
        );
        let mut key_time = from.unwrap_or(chrono::DateTime::UNIX_EPOCH);
        let mut key_id = String::new();
        let mut out = Vec::new();
        for _ in 0..self.config.max_pages {
            let page = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(key_time)
                .bind(&key_id)
                .bind(self.config.page_size)
                .fetch_all(pool)
                .await?;
            let full = page.len() as i64 == self.config.page_size;
            for row in &page {
                out.push(TailRow::decode(index, row)?);
            }
            match out.last() {
                Some(last) if full => {
                    let (t, id) = last.poll_key();
                    key_time = t;
                    key_id = id.to_string();
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Turn accepted rows into events (see [`rows_to_events`]).
    async fn to_events(
        &self,
        pool: &PgPool,
        rows: Vec<TailRow>,
    ) -> std::result::Result<Vec<(Timestamp, Event)>, sqlx::Error> {
        rows_to_events(pool, self.engine.selects(), rows).await
    }

    /// Poll forever, sending events, state and counters to `tx`. A failed
    /// poll (Postgres restarting, network) is retried with exponential
    /// backoff from the same watermarks. Returns when `tx` is closed.
    pub async fn run(mut self, tx: mpsc::Sender<SourceUpdate>) -> Result<()> {
        let mut counters = SourceCounters::default();
        let mut backoff = Duration::from_millis(250);
        let mut connected = false;
        loop {
            match self.poll_once().await {
                Ok(events) => {
                    backoff = Duration::from_millis(250);
                    if !connected {
                        connected = true;
                        if tx
                            .send(SourceUpdate::State(SourceState::Connected))
                            .await
                            .is_err()
                        {
                            return Ok(());
                        }
                    }
                    if !events.is_empty() {
                        counters.received += events.len() as u64;
                        if let Some(newest) = events.iter().filter_map(Event::occurred_at).max() {
                            let behind =
                                (chrono::Utc::now() - newest).num_milliseconds() as f64 / 1000.0;
                            counters.behind_secs = Some(behind.max(0.0));
                        }
                        if tx.send(SourceUpdate::Events(events)).await.is_err() {
                            return Ok(());
                        }
                        if tx
                            .send(SourceUpdate::Counters(counters.clone()))
                            .await
                            .is_err()
                        {
                            return Ok(());
                        }
                    }
                    tokio::time::sleep(self.config.interval).await;
                }
                Err(e) => {
                    connected = false;
                    let state = SourceState::Reconnecting {
                        retry_in_ms: backoff.as_millis() as u64,
                        reason: e.to_string(),
                    };
                    if tx.send(SourceUpdate::State(state)).await.is_err() {
                        return Ok(());
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                }
            }
        }
    }
}

/// Turn rows into events, each with the time of its state, in time order;
/// completed and failed AI requests get their messages and tool calls.
/// Shared by the tail and the time-travel window reader.
pub(crate) async fn rows_to_events(
    pool: &PgPool,
    selects: &Selects,
    rows: Vec<TailRow>,
) -> std::result::Result<Vec<(Timestamp, Event)>, sqlx::Error> {
    let finished: Vec<String> = rows
        .iter()
        .filter_map(|r| match r {
            TailRow::Ai(a) if a.status != request_status::PENDING => Some(a.id.0.clone()),
            _ => None,
        })
        .collect();
    let mut messages: HashMap<String, Vec<MessageRecord>> = HashMap::new();
    let mut tool_calls: HashMap<String, Vec<ToolCallRecord>> = HashMap::new();
    if !finished.is_empty() {
        // both at once: each is index probes by request id
        let message_sql = format!(
            "SELECT {} FROM ai_request_messages msg WHERE msg.request_id = ANY($1) \
             ORDER BY msg.request_id, msg.sequence_number, msg.id",
            selects.message
        );
        let tool_call_sql = format!(
            "SELECT {} FROM ai_request_tool_calls tc WHERE tc.request_id = ANY($1) \
             ORDER BY tc.request_id, tc.sequence_number, tc.id",
            selects.tool_call
        );
        let (message_rows, tool_call_rows): (Vec<MessageRecord>, Vec<ToolCallRecord>) = futures::try_join!(
            sqlx::query_as(sqlx::AssertSqlSafe(message_sql))
                .bind(&finished)
                .fetch_all(pool),
            sqlx::query_as(sqlx::AssertSqlSafe(tool_call_sql))
                .bind(&finished)
                .fetch_all(pool),
        )?;
        for m in message_rows {
            messages.entry(m.request_id.0.clone()).or_default().push(m);
        }
        for t in tool_call_rows {
            tool_calls
                .entry(t.request_id.0.clone())
                .or_default()
                .push(t);
        }
    }
    let mut events: Vec<(Timestamp, Event)> = rows
        .into_iter()
        .map(|row| {
            let at = row.event_time();
            let event = match row {
                TailRow::User(user) => Event::UserSeen { user },
                TailRow::Session(session) if session.ended_at.is_some() => {
                    Event::SessionEnded { session }
                }
                TailRow::Session(session) => Event::SessionStarted { session },
                TailRow::Context(context) => Event::ContextCreated { context },
                TailRow::Task(task) => Event::TaskUpdated { task },
                TailRow::Step(step) => Event::ExecutionStep { step },
                TailRow::Mcp(execution) => Event::McpExecution { execution },
                TailRow::Log(log) => Event::Log { log },
                TailRow::Ai(request) => {
                    let msgs = messages.remove(request.id.as_str()).unwrap_or_default();
                    let calls = tool_calls.remove(request.id.as_str()).unwrap_or_default();
                    if request.status == request_status::PENDING {
                        Event::AiRequestStarted { request }
                    } else if request.status == request_status::FAILED {
                        Event::AiRequestFailed {
                            request,
                            messages: msgs,
                            tool_calls: calls,
                        }
                    } else {
                        Event::AiRequestCompleted {
                            request,
                            messages: msgs,
                            tool_calls: calls,
                        }
                    }
                }
            };
            (at, event)
        })
        .collect();
    events.sort_by_key(|(at, _)| *at);
    Ok(events)
}

async fn fetch_by_ids(
    pool: &PgPool,
    selects: &Selects,
    index: usize,
    spec: &TableSpec,
    ids: &[String],
) -> std::result::Result<Vec<TailRow>, sqlx::Error> {
    if !matches!(index, T_SESSIONS | T_AI | T_MCP | T_STEPS) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {cols} FROM {table} {a} WHERE {a}.{id} = ANY($1)",
        cols = spec.cols(selects),
        table = spec.name,
        a = spec.alias,
        id = spec.id_col
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| TailRow::decode(index, r)).collect()
}

fn chrono_duration(d: Duration) -> ChronoDuration {
    ChronoDuration::from_std(d).unwrap_or(ChronoDuration::MAX)
}

/// A span as it was typed: `15m`, `2h`, `90s`.
fn humantime_span(span: Duration) -> String {
    let secs = span.as_secs();
    if secs > 0 && secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else if secs > 0 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else if span.subsec_millis() == 0 {
        format!("{secs}s")
    } else {
        format!("{}ms", span.as_millis())
    }
}

/// A backfill span: a [`parse_interval`] duration, or `0` (any unit) for
/// none.
pub fn parse_backfill(text: &str) -> Result<Option<Duration>> {
    if text.trim() == "0" {
        return Ok(None);
    }
    let span = parse_interval(text).map_err(|_| {
        Error::input(format!(
            "invalid backfill {text:?}: use a duration such as 15m, 1h or 90s, or 0 for none"
        ))
    })?;
    Ok((!span.is_zero()).then_some(span))
}

/// Parse an interval like `500ms`, `5s`, `2m`, `1h` (used by the live
/// flags): a [`crate::query::parse_duration`] of at most a year; zero is
/// allowed (the callers that cannot take it say so).
pub fn parse_interval(text: &str) -> Result<Duration> {
    crate::query::parse_duration(text)
        .filter(|d| *d <= Duration::from_secs(365 * 86_400))
        .ok_or_else(|| {
            Error::input(format!(
                "invalid interval {text:?}: use a number followed by ms, s, m or h (e.g. 500ms, 5s, 10m)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_intervals() {
        assert_eq!(parse_interval("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_interval("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_interval("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_interval("5").is_err());
        assert!(parse_interval("-1s").is_err());
        assert!(parse_interval("xs").is_err());
    }
}
