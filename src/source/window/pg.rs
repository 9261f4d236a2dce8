//! A past window read from Postgres, through the tail's own select lists
//! and decoding ([`crate::source::postgres`]): the same rows become the same
//! events the tail would have emitted for them, final state only (a
//! request completed inside the window is one `ai.done` with its messages
//! and tool calls).
//!
//! A row is in the window when the time the tail polls it on
//! (`updated_at`, `created_at`, `timestamp`, `last_activity_at`,
//! `started_at` by table) falls inside it. The window is read in slices
//! (the first one short, so the console's first frame does not wait for
//! the hour; two at a time, in order), each slice's rows merged across tables and replayed at their
//! own time (the time of their state, as the tail orders them) kept inside
//! the slice, so slices follow each other in time. Read-only: plain
//! `SELECT`s with bound parameters on the engine's read-only pool.

use super::{Replayed, WindowSource};
use crate::error::Result;
use crate::pg::PgEngine;
use crate::query::TimeWindow;
use crate::source::postgres::{TABLES, TailRow, rows_to_events};
use chrono::Duration;
use tokio::sync::mpsc;

/// The first slice: short, for a quick first frame.
pub const FIRST_SLICE: Duration = Duration::minutes(1);
/// Every later slice.
pub const SLICE: Duration = Duration::minutes(5);

/// Reads windows from one database.
#[derive(Clone)]
pub struct PgWindow {
    engine: PgEngine,
}

impl PgWindow {
    /// On an engine already connected (read-only pool).
    pub fn new(engine: PgEngine) -> Self {
        PgWindow { engine }
    }

    /// Connect to `url` (read-only session).
    pub async fn connect(url: &str) -> Result<Self> {
        Ok(PgWindow::new(PgEngine::connect(url).await?))
    }

    /// The polled tables with no index led by the time a window reads
    /// them by (a database `tracetop migrate` never ran on: upstream's
    /// schema indexes only keys), whose every slice is a scan of the table.
    pub async fn unindexed_tables(&self) -> Result<Vec<&'static str>> {
        let names: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        let cols: Vec<&str> = TABLES.iter().map(|t| t.time_col).collect();
        let missing: Vec<String> = sqlx::query_scalar(
            "SELECT t.name FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(name, col, n) \
             WHERE to_regclass(t.name) IS NOT NULL AND NOT EXISTS ( \
               SELECT 1 FROM pg_index i \
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
               WHERE i.indrelid = to_regclass(t.name) AND a.attname = t.col) \
             ORDER BY t.n",
        )
        .bind(&names)
        .bind(&cols)
        .fetch_all(self.engine.pool())
        .await
        .map_err(|e| self.engine.err(e))?;
        Ok(TABLES
            .iter()
            .map(|t| t.name)
            .filter(|name| missing.iter().any(|m| m == name))
            .collect())
    }

    /// The events of `[from, to)`, in replay order.
    pub async fn read_slice(
        &self,
        from: crate::model::Timestamp,
        to: crate::model::Timestamp,
    ) -> Result<Vec<Replayed>> {
        let pool = self.engine.pool();
        let selects = self.engine.selects();
        // the eight tables at once, on the pool's connections
        let pages = futures::future::try_join_all(TABLES.iter().map(|spec| {
            let sql = format!(
                "SELECT {cols} FROM {table} {a} WHERE {a}.{time} >= $1 AND {a}.{time} < $2 \
                 ORDER BY {a}.{time}, {a}.{id}",
                cols = spec.cols(selects),
                table = spec.name,
                a = spec.alias,
                time = spec.time_col,
                id = spec.id_col
            );
            async move {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(from)
                    .bind(to)
                    .fetch_all(pool)
                    .await
            }
        }))
        .await
        .map_err(|e| self.engine.err(e))?;
        let mut rows = Vec::new();
        for (index, page) in pages.iter().enumerate() {
            for row in page {
                rows.push(TailRow::decode(index, row).map_err(|e| self.engine.err(e))?);
            }
        }
        let events = rows_to_events(pool, selects, rows)
            .await
            .map_err(|e| self.engine.err(e))?;
        let last = to - Duration::microseconds(1);
        let mut items: Vec<Replayed> = events
            .into_iter()
            .map(|(at, event)| Replayed {
                at: at.clamp(from, last),
                event,
            })
            .collect();
        // stable: equal instants keep the tail's order (table, then key)
        items.sort_by_key(|i| i.at);
        Ok(items)
    }
}

/// The slices `window` is read in: [`FIRST_SLICE`], then [`SLICE`] each.
fn slices(window: &TimeWindow) -> Vec<(crate::model::Timestamp, crate::model::Timestamp)> {
    let mut out = Vec::new();
    let mut from = window.start;
    let mut slice = FIRST_SLICE;
    while from < window.end {
        let to = (from + slice).min(window.end);
        out.push((from, to));
        from = to;
        slice = SLICE;
    }
    out
}

/// Slices read at once: the next is read while the one before is enriched
/// and replayed (each is a few round trips of index probes).
const SLICES_AHEAD: usize = 2;

#[async_trait::async_trait]
impl WindowSource for PgWindow {
    async fn read(&self, window: TimeWindow, tx: mpsc::Sender<Vec<Replayed>>) -> Result<()> {
        use futures::StreamExt;
        let mut read = futures::stream::iter(slices(&window))
            .map(|(from, to)| self.read_slice(from, to))
            .buffered(SLICES_AHEAD);
        while let Some(items) = read.next().await {
            let items = items?;
            if !items.is_empty() && tx.send(items).await.is_err() {
                return Ok(());
            }
        }
        Ok(())
    }

    async fn notice(&self) -> Option<String> {
        let missing = self.unindexed_tables().await.ok()?;
        (!missing.is_empty()).then(|| {
            format!(
                "time travel: {} {} no index on the time a window is read by, so each slice scans \
                 the whole table (slow on a big database); `tracetop migrate` adds the indexes",
                missing.join(", "),
                if missing.len() == 1 { "has" } else { "have" }
            )
        })
    }
}
