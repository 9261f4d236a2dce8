//! Writing workloads into Postgres in bulk.
//!
//! Every table goes in through `COPY … FROM STDIN` (text format, encoded
//! here) on one connection inside one transaction, so a failed load leaves
//! nothing half-written. [`load_config`] generates chunks on a blocking
//! thread while the previous chunk is being copied, so memory stays bounded
//! by a couple of chunks whatever the simulation size.
//!
//! Rows are valid on a real deployment as well as on our schema: tables go
//! in parents first (users, sessions, contexts, tasks, steps, MCP
//! executions, AI requests, their messages and tool calls, logs), and only
//! the columns the target database has are written (detected with
//! [`ColumnSet`]). A refused row is reported with the constraint it broke.
//!
//! Live writes (`write_live`, `apply_events`) are in `upsert.rs`.

use super::copy::{CopyBatch, CopyColumns, encode};
use super::{SimConfig, Workload, generate_chunks};
use crate::error::{Error, Result, redact_url};
use crate::pg::columns::ColumnSet;
use crate::pg::connect::{REQUIRED_TABLES, map_sqlx_error, parse_url};
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};

pub use super::upsert::{LIVE_STEP, LiveConfig, apply_events, write_live};

/// What a bulk load wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadStats {
    /// Rows per table, in load order.
    pub tables: Vec<(&'static str, u64)>,
    pub rows: u64,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl LoadStats {
    /// Rows per second over the whole load.
    pub fn rows_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.rows as f64 / secs
        } else {
            0.0
        }
    }

    fn add(&mut self, table: &'static str, rows: u64, bytes: u64) {
        self.rows += rows;
        self.bytes += bytes;
        match self.tables.iter_mut().find(|(t, _)| *t == table) {
            Some((_, n)) => *n += rows,
            None => self.tables.push((table, rows)),
        }
    }

    /// Rows loaded into `table`.
    pub fn count(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|(t, _)| *t == table)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

async fn connect_writer(url: &str) -> Result<PgConnection> {
    let options = parse_url(url)?.application_name("tracetop-simulate");
    PgConnection::connect_with(&options)
        .await
        .map_err(|e| map_sqlx_error(e, url))
}

/// A refused row names the constraint it broke and the table; only a
/// duplicate in a database that already held rows blames the seed.
fn load_error(e: sqlx::Error, url: &str, table: &str, target_had_rows: bool) -> Error {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().map(|c| c.to_string()).unwrap_or_default();
        let broken = match code.as_str() {
            "23505" => Some("a unique constraint"),
            "23503" => Some("a foreign key"),
            "23502" => Some("a NOT NULL column"),
            "23514" => Some("a check constraint"),
            _ => None,
        };
        if let Some(broken) = broken {
            let constraint = db
                .constraint()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            let detail = db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .and_then(|p| p.detail())
                .map(|d| format!(" [{d}]"))
                .unwrap_or_default();
            let hint = if code == "23505" && target_had_rows {
                "; the database already held rows: use another --seed or an empty database"
            } else {
                ""
            };
            return Error::database(format!(
                "loading {table} into {} failed: a row breaks {broken}{constraint}: {}{detail}{hint}",
                redact_url(url),
                db.message()
            ));
        }
    }
    match map_sqlx_error(e, url) {
        e @ Error::Database(_) => e.map_text(|m| format!("loading {table}: {m}")),
        other => other,
    }
}

/// Whether any audited table already holds a row.
async fn target_has_rows(conn: &mut PgConnection, url: &str) -> Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM user_sessions) \
         OR EXISTS (SELECT 1 FROM ai_requests) OR EXISTS (SELECT 1 FROM agent_tasks) \
         OR EXISTS (SELECT 1 FROM logs) OR EXISTS (SELECT 1 FROM mcp_tool_executions)",
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| map_sqlx_error(e, url))
}

/// Connect for a bulk load: the writer, the target's COPY columns and
/// whether it already holds rows.
async fn prepare(url: &str) -> Result<(PgConnection, CopyColumns, bool)> {
    let mut conn = connect_writer(url).await?;
    let columns = ColumnSet::detect(&mut conn, REQUIRED_TABLES)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    let had_rows = target_has_rows(&mut conn, url).await?;
    Ok((conn, CopyColumns::new(&columns), had_rows))
}

async fn copy_batches(
    conn: &mut PgConnection,
    url: &str,
    batches: Vec<CopyBatch>,
    stats: &mut LoadStats,
    had_rows: bool,
) -> Result<()> {
    for b in batches {
        let mut copy = conn
            .copy_in_raw(&b.statement)
            .await
            .map_err(|e| load_error(e, url, b.table, had_rows))?;
        let bytes = b.data.len() as u64;
        if let Err(e) = copy.send(b.data).await {
            let _ = copy.abort("send failed").await;
            return Err(load_error(e, url, b.table, had_rows));
        }
        copy.finish()
            .await
            .map_err(|e| load_error(e, url, b.table, had_rows))?;
        stats.add(b.table, b.rows, bytes);
    }
    Ok(())
}

/// Bulk-insert an in-memory workload (one transaction).
pub async fn load(url: &str, w: &Workload) -> Result<LoadStats> {
    let started = Instant::now();
    let (mut conn, columns, had_rows) = prepare(url).await?;
    let mut stats = LoadStats::default();
    let mut tx = conn.begin().await.map_err(|e| map_sqlx_error(e, url))?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    copy_batches(&mut tx, url, encode(w, &columns), &mut stats, had_rows).await?;
    tx.commit().await.map_err(|e| map_sqlx_error(e, url))?;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// The tables a workload fills: the audit tables the query engine reads.
const TABLES: &[&str] = crate::pg::connect::REQUIRED_TABLES;

/// Drop the non-unique indexes of the workload tables inside `tx` and
/// return their definitions, so COPY does not maintain them row by row.
async fn drop_secondary_indexes(tx: &mut PgConnection, url: &str) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_indexdef(c.oid) \
         FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname = ANY($1) AND NOT x.indisunique AND NOT x.indisprimary \
         ORDER BY c.relname",
    )
    .bind(TABLES)
    .fetch_all(&mut *tx)
    .await
    .map_err(|e| map_sqlx_error(e, url))?;
    for (name, _) in &indexes {
        // `name` comes from the catalog through quote_ident, not from input
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}")))
            .execute(&mut *tx)
            .await
            .map_err(|e| map_sqlx_error(e, url))?;
    }
    Ok(indexes.into_iter().map(|(_, def)| def).collect())
}

/// Generate `cfg` chunk by chunk and bulk-insert it as it goes (one
/// transaction). With `rebuild_indexes` (for an empty target), secondary
/// indexes are dropped for the load and rebuilt at the end of the same
/// transaction, which is cheaper than maintaining them row by row.
/// `progress` is called after each chunk with the running totals.
pub async fn load_config(
    url: &str,
    cfg: &SimConfig,
    rebuild_indexes: bool,
    mut progress: impl FnMut(&LoadStats),
) -> Result<LoadStats> {
    let started = Instant::now();
    let (mut conn, columns, had_rows) = prepare(url).await?;
    let (tx_chunks, mut rx_chunks) = tokio::sync::mpsc::channel::<Vec<CopyBatch>>(2);
    let cfg_owned = cfg.clone();
    let producer = tokio::task::spawn_blocking(move || {
        for chunk in generate_chunks(&cfg_owned, 25) {
            if tx_chunks.blocking_send(encode(&chunk, &columns)).is_err() {
                break;
            }
        }
    });
    let mut stats = LoadStats::default();
    let mut tx = conn.begin().await.map_err(|e| map_sqlx_error(e, url))?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    let dropped = if rebuild_indexes {
        drop_secondary_indexes(&mut tx, url).await?
    } else {
        Vec::new()
    };
    while let Some(batches) = rx_chunks.recv().await {
        copy_batches(&mut tx, url, batches, &mut stats, had_rows).await?;
        stats.elapsed = started.elapsed();
        progress(&stats);
    }
    producer
        .await
        .map_err(|e| Error::other(format!("the workload generator stopped: {e}")).caused_by(e))?;
    if !dropped.is_empty() {
        sqlx::query("SET LOCAL maintenance_work_mem = '256MB'")
            .execute(&mut *tx)
            .await
            .map_err(|e| map_sqlx_error(e, url))?;
        for definition in dropped {
            // read back from pg_get_indexdef: no input in it
            sqlx::query(sqlx::AssertSqlSafe(definition))
                .execute(&mut *tx)
                .await
                .map_err(|e| map_sqlx_error(e, url))?;
        }
    }
    tx.commit().await.map_err(|e| map_sqlx_error(e, url))?;
    stats.elapsed = started.elapsed();
    Ok(stats)
}
