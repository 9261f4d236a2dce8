//! Writing workloads into Postgres.
//!
//! Bulk: every table goes in through `COPY … FROM STDIN` (text format,
//! encoded here) on one connection inside one transaction, so a failed load
//! leaves nothing half-written. [`load_config`] generates chunks on a
//! blocking thread while the previous chunk is being copied, so memory stays
//! bounded by a couple of chunks whatever the simulation size.
//!
//! Live: [`write_live`] keeps writing the seeded live generator's traffic;
//! [`apply_events`] upserts the rows events describe (bound
//! parameters only), the way a gateway writes them: a request `pending`
//! first, then updated in place when it completes.

use super::{SimConfig, Workload, generate_chunks};
use crate::error::{Error, Result, redact_url};
use crate::model::*;
use crate::pg::connect::{map_sqlx_error, parse_url};
use sqlx::{Connection, PgConnection, PgPool};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

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

/// One table's rows of one chunk, COPY-encoded.
struct CopyBatch {
    table: &'static str,
    statement: &'static str,
    rows: u64,
    data: Vec<u8>,
}

/// COPY text-format row writer.
struct Rows {
    buf: String,
    rows: u64,
    first: bool,
}

impl Rows {
    fn new() -> Self {
        Rows {
            buf: String::new(),
            rows: 0,
            first: true,
        }
    }
    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }
    fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        for c in s.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                '\t' => self.buf.push_str("\\t"),
                '\0' => {}
                c => self.buf.push(c),
            }
        }
        self
    }
    fn opt(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self.buf.push_str("\\N");
                self
            }
        }
    }
    fn num(&mut self, n: i64) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{n}");
        self
    }
    fn opt_num(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            Some(n) => self.num(n),
            None => self.opt(None),
        }
    }
    fn bool(&mut self, b: bool) -> &mut Self {
        self.sep();
        self.buf.push(if b { 't' } else { 'f' });
        self
    }
    fn ts(&mut self, t: Timestamp) -> &mut Self {
        self.sep();
        let _ = write!(self.buf, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"));
        self
    }
    fn opt_ts(&mut self, t: Option<Timestamp>) -> &mut Self {
        match t {
            Some(t) => self.ts(t),
            None => self.opt(None),
        }
    }
    fn array(&mut self, items: &[String]) -> &mut Self {
        let mut literal = String::from("{");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                literal.push(',');
            }
            literal.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    literal.push('\\');
                }
                literal.push(c);
            }
            literal.push('"');
        }
        literal.push('}');
        self.text(&literal)
    }
    fn end(&mut self) {
        self.buf.push('\n');
        self.rows += 1;
        self.first = true;
    }
    fn batch(self, table: &'static str, statement: &'static str) -> Option<CopyBatch> {
        (self.rows > 0).then(|| CopyBatch {
            table,
            statement,
            rows: self.rows,
            data: self.buf.into_bytes(),
        })
    }
}

/// An optional typed id as optional text.
macro_rules! opt_id {
    ($x:expr) => {
        $x.as_ref().map(|v| v.as_str())
    };
}

/// Encode a workload as one COPY batch per non-empty table.
fn encode(w: &Workload) -> Vec<CopyBatch> {
    let mut out = Vec::new();
    let mut r = Rows::new();
    for u in &w.users {
        r.text(&u.id.0)
            .text(&u.name)
            .opt(u.email.as_deref())
            .text(&u.status)
            .array(&u.roles)
            .ts(u.created_at)
            .end();
    }
    out.extend(r.batch(
        "users",
        "COPY users (id, name, email, status, roles, created_at) FROM STDIN",
    ));
    let mut r = Rows::new();
    for s in &w.sessions {
        r.text(&s.session_id.0)
            .opt(opt_id!(s.user_id))
            .ts(s.started_at)
            .ts(s.last_activity_at)
            .opt_ts(s.ended_at)
            .opt(opt_id!(s.client_id))
            .num(i64::from(s.request_count))
            .num(i64::from(s.ai_request_count))
            .num(s.total_tokens_used)
            .num(s.total_ai_cost_microdollars.0)
            .opt(s.user_agent.as_deref())
            .opt(s.device_type.as_deref())
            .opt(s.browser.as_deref())
            .opt(s.os.as_deref())
            .opt(s.country.as_deref())
            .opt(s.referrer_source.as_deref())
            .opt(s.landing_page.as_deref())
            .opt(s.fingerprint_hash.as_deref())
            .bool(s.is_bot)
            .bool(s.is_scanner)
            .bool(s.is_behavioral_bot)
            .opt(s.session_source.as_deref())
            .end();
    }
    out.extend(r.batch("user_sessions", "COPY user_sessions (session_id, user_id, started_at, last_activity_at, ended_at, client_id, request_count, ai_request_count, total_tokens_used, total_ai_cost_microdollars, user_agent, device_type, browser, os, country, referrer_source, landing_page, fingerprint_hash, is_bot, is_scanner, is_behavioral_bot, session_source) FROM STDIN"));
    let mut r = Rows::new();
    for c in &w.contexts {
        r.text(&c.context_id.0)
            .text(&c.user_id.0)
            .opt(opt_id!(c.session_id))
            .text(&c.name)
            .ts(c.created_at)
            .ts(c.updated_at)
            .end();
    }
    out.extend(r.batch("user_contexts", "COPY user_contexts (context_id, user_id, session_id, name, created_at, updated_at) FROM STDIN"));
    let mut r = Rows::new();
    for t in &w.tasks {
        r.text(&t.task_id.0)
            .opt(opt_id!(t.context_id))
            .text(&t.status)
            .opt(opt_id!(t.user_id))
            .opt(opt_id!(t.session_id))
            .opt(opt_id!(t.trace_id))
            .opt(t.agent_name.as_deref())
            .opt_ts(t.started_at)
            .opt_ts(t.completed_at)
            .opt_num(t.execution_time_ms.map(i64::from))
            .opt(t.error_message.as_deref())
            .ts(t.created_at)
            .ts(t.updated_at)
            .end();
    }
    out.extend(r.batch("agent_tasks", "COPY agent_tasks (task_id, context_id, status, user_id, session_id, trace_id, agent_name, started_at, completed_at, execution_time_ms, error_message, created_at, updated_at) FROM STDIN"));
    let mut r = Rows::new();
    for s in &w.steps {
        r.text(&s.step_id.0)
            .text(&s.task_id.0)
            .text(&s.step_type)
            .opt(s.title.as_deref())
            .text(&s.status)
            .opt(s.content.as_deref())
            .ts(s.started_at)
            .opt_ts(s.completed_at)
            .opt_num(s.duration_ms.map(i64::from))
            .opt(s.error_message.as_deref())
            .end();
    }
    out.extend(r.batch("task_execution_steps", "COPY task_execution_steps (step_id, task_id, step_type, title, status, content, started_at, completed_at, duration_ms, error_message) FROM STDIN"));
    let mut r = Rows::new();
    for a in &w.ai_requests {
        r.text(&a.id.0)
            .text(&a.request_id)
            .text(&a.user_id.0)
            .opt(opt_id!(a.session_id))
            .opt(opt_id!(a.task_id))
            .opt(opt_id!(a.context_id))
            .opt(opt_id!(a.trace_id))
            .opt(opt_id!(a.mcp_execution_id))
            .text(&a.provider)
            .text(&a.model)
            .opt_num(a.tokens_used.map(i64::from))
            .opt_num(a.input_tokens.map(i64::from))
            .opt_num(a.output_tokens.map(i64::from))
            .num(a.cost_microdollars.0)
            .opt_num(a.latency_ms.map(i64::from))
            .bool(a.cache_hit)
            .text(&a.status)
            .opt(a.error_message.as_deref())
            .ts(a.created_at)
            .ts(a.updated_at)
            .opt_ts(a.completed_at)
            .end();
    }
    out.extend(r.batch("ai_requests", "COPY ai_requests (id, request_id, user_id, session_id, task_id, context_id, trace_id, mcp_execution_id, provider, model, tokens_used, input_tokens, output_tokens, cost_microdollars, latency_ms, cache_hit, status, error_message, created_at, updated_at, completed_at) FROM STDIN"));
    let mut r = Rows::new();
    for m in &w.messages {
        r.text(&m.request_id.0)
            .text(&m.role)
            .text(&m.content)
            .num(i64::from(m.sequence_number))
            .opt(m.name.as_deref())
            .opt(m.tool_call_id.as_deref())
            .end();
    }
    out.extend(r.batch("ai_request_messages", "COPY ai_request_messages (request_id, role, content, sequence_number, name, tool_call_id) FROM STDIN"));
    let mut r = Rows::new();
    for c in &w.tool_calls {
        r.text(&c.request_id.0)
            .text(&c.tool_name)
            .text(&c.tool_input)
            .opt(opt_id!(c.mcp_execution_id))
            .opt(c.ai_tool_call_id.as_deref())
            .num(i64::from(c.sequence_number))
            .end();
    }
    out.extend(r.batch("ai_request_tool_calls", "COPY ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, ai_tool_call_id, sequence_number) FROM STDIN"));
    let mut r = Rows::new();
    for m in &w.mcp_executions {
        r.text(&m.mcp_execution_id.0)
            .text(&m.tool_name)
            .text(&m.server_name)
            .ts(m.started_at)
            .opt_ts(m.completed_at)
            .opt_num(m.execution_time_ms.map(i64::from))
            .text(&m.input)
            .opt(m.output.as_deref())
            .text(&m.status)
            .opt(m.error_message.as_deref())
            .opt(opt_id!(m.user_id))
            .opt(opt_id!(m.session_id))
            .opt(opt_id!(m.context_id))
            .opt(opt_id!(m.task_id))
            .opt(opt_id!(m.trace_id))
            .ts(m.created_at)
            .end();
    }
    out.extend(r.batch("mcp_tool_executions", "COPY mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, input, output, status, error_message, user_id, session_id, context_id, task_id, trace_id, created_at) FROM STDIN"));
    let mut r = Rows::new();
    for l in &w.logs {
        r.text(&l.id.0)
            .ts(l.timestamp)
            .text(&l.level)
            .text(&l.module)
            .text(&l.message)
            .opt(l.metadata.as_deref())
            .opt(opt_id!(l.user_id))
            .opt(opt_id!(l.session_id))
            .opt(opt_id!(l.task_id))
            .opt(opt_id!(l.trace_id))
            .opt(opt_id!(l.context_id))
            .opt(opt_id!(l.client_id))
            .end();
    }
    out.extend(r.batch("logs", "COPY logs (id, timestamp, level, module, message, metadata, user_id, session_id, task_id, trace_id, context_id, client_id) FROM STDIN"));
    out
}

async fn connect_writer(url: &str) -> Result<PgConnection> {
    let options = parse_url(url)?.application_name("tracetop-simulate");
    PgConnection::connect_with(&options)
        .await
        .map_err(|e| map_sqlx_error(e, url))
}

fn load_error(e: sqlx::Error, url: &str, table: &str) -> Error {
    if let sqlx::Error::Database(db) = &e
        && db.code().as_deref() == Some("23505")
    {
        return Error::Database(format!(
            "{} already holds rows with the ids this seed generates ({table}: {}); use another --seed or an empty database",
            redact_url(url),
            db.message()
        ));
    }
    match map_sqlx_error(e, url) {
        Error::Database(m) => Error::Database(format!("loading {table}: {m}")),
        other => other,
    }
}

async fn copy_batches(
    conn: &mut PgConnection,
    url: &str,
    batches: Vec<CopyBatch>,
    stats: &mut LoadStats,
) -> Result<()> {
    for b in batches {
        let mut copy = conn
            .copy_in_raw(b.statement)
            .await
            .map_err(|e| load_error(e, url, b.table))?;
        let bytes = b.data.len() as u64;
        if let Err(e) = copy.send(b.data).await {
            let _ = copy.abort("send failed").await;
            return Err(load_error(e, url, b.table));
        }
        copy.finish()
            .await
            .map_err(|e| load_error(e, url, b.table))?;
        stats.add(b.table, b.rows, bytes);
    }
    Ok(())
}

/// Bulk-insert an in-memory workload (one transaction).
pub async fn load(url: &str, w: &Workload) -> Result<LoadStats> {
    let started = Instant::now();
    let mut conn = connect_writer(url).await?;
    let mut stats = LoadStats::default();
    let mut tx = conn.begin().await.map_err(|e| map_sqlx_error(e, url))?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    copy_batches(&mut tx, url, encode(w), &mut stats).await?;
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
    let mut conn = connect_writer(url).await?;
    let (tx_chunks, mut rx_chunks) = tokio::sync::mpsc::channel::<Vec<CopyBatch>>(2);
    let cfg_owned = cfg.clone();
    let producer = tokio::task::spawn_blocking(move || {
        for chunk in generate_chunks(&cfg_owned, 25) {
            if tx_chunks.blocking_send(encode(&chunk)).is_err() {
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
        copy_batches(&mut tx, url, batches, &mut stats).await?;
        stats.elapsed = started.elapsed();
        progress(&stats);
    }
    producer
        .await
        .map_err(|e| Error::Other(format!("the workload generator stopped: {e}")))?;
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

/// What [`write_live`] writes: the seeded live generator over the first
/// `users` users of a bulk simulation with the same seed, at `rate` events
/// per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveConfig {
    pub seed: u64,
    pub users: usize,
    pub rate: f64,
}

/// How often [`write_live`] advances the generator and writes what is due.
pub const LIVE_STEP: Duration = Duration::from_millis(200);

/// Keep inserting live traffic (`simulate --live`, `demo --postgres`): every
/// [`LIVE_STEP`], advance the seeded generator to the wall clock and upsert
/// the rows of the events due, until `stop` resolves. `progress` is called
/// after each step with the events written so far and the runs still in
/// flight. Returns the number of events written.
pub async fn write_live(
    url: &str,
    cfg: LiveConfig,
    stop: impl std::future::Future<Output = ()>,
    mut progress: impl FnMut(u64, usize),
) -> Result<u64> {
    use chrono::DurationRound;
    let now_ms = || {
        chrono::Utc::now()
            .duration_trunc(chrono::Duration::milliseconds(1))
            .unwrap_or_else(|_| chrono::Utc::now())
    };
    let options = parse_url(url)?.application_name("tracetop-simulate-live");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    let mut generator = super::LiveGenerator::with_users(cfg.seed, now_ms(), cfg.users.max(1));
    let mut tick = tokio::time::interval(LIVE_STEP);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut total = 0u64;
    tokio::pin!(stop);
    let result = loop {
        tokio::select! {
            _ = &mut stop => break Ok(total),
            _ = tick.tick() => {
                let events = generator.advance(now_ms(), cfg.rate);
                if !events.is_empty() {
                    if let Err(e) = apply_events(&pool, &events).await {
                        break Err(Error::Database(format!("{e} ({})", redact_url(url))));
                    }
                    total += events.len() as u64;
                }
                progress(total, generator.in_flight());
            }
        }
    };
    pool.close().await;
    result
}

/// Upsert the rows `events` describe (live mode), in one transaction.
pub async fn apply_events(pool: &PgPool, events: &[Event]) -> Result<()> {
    let db = |e: sqlx::Error| Error::Database(format!("writing live rows failed: {e}"));
    let mut tx = pool.begin().await.map_err(db)?;
    for event in events {
        match event {
            Event::UserSeen { user: u } => {
                sqlx::query("INSERT INTO users (id, name, email, status, roles, created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING")
                    .bind(&u.id.0).bind(&u.name).bind(&u.email).bind(&u.status).bind(&u.roles).bind(u.created_at)
                    .execute(&mut *tx).await.map_err(db)?;
            }
            Event::SessionStarted { session: s } | Event::SessionEnded { session: s } => {
                sqlx::query(
                    "INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at, client_id, request_count, ai_request_count, total_tokens_used, total_ai_cost_microdollars, user_agent, device_type, browser, os, country, referrer_source, landing_page, fingerprint_hash, is_bot, is_scanner, is_behavioral_bot, session_source) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22) \
                     ON CONFLICT (session_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at, ended_at = EXCLUDED.ended_at, \
                     request_count = EXCLUDED.request_count, ai_request_count = EXCLUDED.ai_request_count, total_tokens_used = EXCLUDED.total_tokens_used, \
                     total_ai_cost_microdollars = EXCLUDED.total_ai_cost_microdollars",
                )
                .bind(&s.session_id.0).bind(s.user_id.as_ref().map(|x| &x.0)).bind(s.started_at).bind(s.last_activity_at).bind(s.ended_at)
                .bind(s.client_id.as_ref().map(|x| &x.0)).bind(s.request_count).bind(s.ai_request_count).bind(s.total_tokens_used)
                .bind(s.total_ai_cost_microdollars.0).bind(&s.user_agent).bind(&s.device_type).bind(&s.browser).bind(&s.os).bind(&s.country)
                .bind(&s.referrer_source).bind(&s.landing_page).bind(&s.fingerprint_hash).bind(s.is_bot).bind(s.is_scanner)
                .bind(s.is_behavioral_bot).bind(&s.session_source)
                .execute(&mut *tx).await.map_err(db)?;
            }
            Event::ContextCreated { context: c } => {
                sqlx::query("INSERT INTO user_contexts (context_id, user_id, session_id, name, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (context_id) DO UPDATE SET updated_at = EXCLUDED.updated_at")
                    .bind(&c.context_id.0).bind(&c.user_id.0).bind(c.session_id.as_ref().map(|x| &x.0)).bind(&c.name).bind(c.created_at).bind(c.updated_at)
                    .execute(&mut *tx).await.map_err(db)?;
            }
            Event::TaskUpdated { task: t } => {
                sqlx::query(
                    "INSERT INTO agent_tasks (task_id, context_id, status, user_id, session_id, trace_id, agent_name, started_at, completed_at, execution_time_ms, error_message, created_at, updated_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, started_at = EXCLUDED.started_at, \
                     completed_at = EXCLUDED.completed_at, execution_time_ms = EXCLUDED.execution_time_ms, error_message = EXCLUDED.error_message, updated_at = EXCLUDED.updated_at",
                )
                .bind(&t.task_id.0).bind(t.context_id.as_ref().map(|x| &x.0)).bind(&t.status).bind(t.user_id.as_ref().map(|x| &x.0))
                .bind(t.session_id.as_ref().map(|x| &x.0)).bind(t.trace_id.as_ref().map(|x| &x.0)).bind(&t.agent_name).bind(t.started_at)
                .bind(t.completed_at).bind(t.execution_time_ms).bind(&t.error_message).bind(t.created_at).bind(t.updated_at)
                .execute(&mut *tx).await.map_err(db)?;
                if let Some(c) = &t.context_id {
                    sqlx::query("UPDATE user_contexts SET updated_at = GREATEST(updated_at, $2) WHERE context_id = $1")
                        .bind(&c.0).bind(t.updated_at).execute(&mut *tx).await.map_err(db)?;
                }
            }
            Event::ExecutionStep { step: s } => {
                sqlx::query(
                    "INSERT INTO task_execution_steps (step_id, task_id, step_type, title, status, content, started_at, completed_at, duration_ms, error_message) \
                     VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10) ON CONFLICT (step_id) DO UPDATE SET status = EXCLUDED.status, completed_at = EXCLUDED.completed_at, \
                     duration_ms = EXCLUDED.duration_ms, error_message = EXCLUDED.error_message",
                )
                .bind(&s.step_id.0).bind(&s.task_id.0).bind(&s.step_type).bind(&s.title).bind(&s.status).bind(&s.content).bind(s.started_at)
                .bind(s.completed_at).bind(s.duration_ms).bind(&s.error_message)
                .execute(&mut *tx).await.map_err(db)?;
            }
            Event::AiRequestStarted { request } => {
                upsert_request(&mut tx, request).await.map_err(db)?
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
                upsert_request(&mut tx, request).await.map_err(db)?;
                for m in messages {
                    sqlx::query("INSERT INTO ai_request_messages (request_id, role, content, sequence_number, name, tool_call_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                        .bind(&m.request_id.0).bind(&m.role).bind(&m.content).bind(m.sequence_number).bind(&m.name).bind(&m.tool_call_id).bind(request.created_at)
                        .execute(&mut *tx).await.map_err(db)?;
                }
                for c in tool_calls {
                    sqlx::query("INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, ai_tool_call_id, sequence_number, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                        .bind(&c.request_id.0).bind(&c.tool_name).bind(&c.tool_input).bind(c.mcp_execution_id.as_ref().map(|x| &x.0)).bind(&c.ai_tool_call_id)
                        .bind(c.sequence_number).bind(request.updated_at)
                        .execute(&mut *tx).await.map_err(db)?;
                }
                if let Some(session) = &request.session_id {
                    sqlx::query(
                        "UPDATE user_sessions SET last_activity_at = GREATEST(last_activity_at, $2), request_count = request_count + 1, \
                         ai_request_count = ai_request_count + 1, total_tokens_used = total_tokens_used + $3, \
                         total_ai_cost_microdollars = total_ai_cost_microdollars + $4 WHERE session_id = $1",
                    )
                    .bind(&session.0)
                    .bind(request.updated_at)
                    .bind(i64::from(request.tokens_used.unwrap_or(0)))
                    .bind(request.cost_microdollars.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
            }
            Event::McpExecution { execution: m } => {
                sqlx::query(
                    "INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, input, output, status, error_message, user_id, session_id, context_id, task_id, trace_id, created_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) ON CONFLICT (mcp_execution_id) DO UPDATE SET completed_at = EXCLUDED.completed_at, \
                     execution_time_ms = EXCLUDED.execution_time_ms, output = EXCLUDED.output, status = EXCLUDED.status, error_message = EXCLUDED.error_message",
                )
                .bind(&m.mcp_execution_id.0).bind(&m.tool_name).bind(&m.server_name).bind(m.started_at).bind(m.completed_at).bind(m.execution_time_ms)
                .bind(&m.input).bind(&m.output).bind(&m.status).bind(&m.error_message).bind(m.user_id.as_ref().map(|x| &x.0))
                .bind(m.session_id.as_ref().map(|x| &x.0)).bind(m.context_id.as_ref().map(|x| &x.0)).bind(m.task_id.as_ref().map(|x| &x.0))
                .bind(m.trace_id.as_ref().map(|x| &x.0)).bind(m.created_at)
                .execute(&mut *tx).await.map_err(db)?;
            }
            Event::Log { log: l } => {
                sqlx::query(
                    "INSERT INTO logs (id, timestamp, level, module, message, metadata, user_id, session_id, task_id, trace_id, context_id, client_id) \
                     VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&l.id.0).bind(l.timestamp).bind(&l.level).bind(&l.module).bind(&l.message).bind(&l.metadata)
                .bind(l.user_id.as_ref().map(|x| &x.0)).bind(l.session_id.as_ref().map(|x| &x.0)).bind(l.task_id.as_ref().map(|x| &x.0))
                .bind(l.trace_id.as_ref().map(|x| &x.0)).bind(l.context_id.as_ref().map(|x| &x.0)).bind(l.client_id.as_ref().map(|x| &x.0))
                .execute(&mut *tx).await.map_err(db)?;
            }
            _ => {}
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(())
}

async fn upsert_request(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    r: &AiRequestRecord,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO ai_requests (id, request_id, user_id, session_id, task_id, context_id, trace_id, mcp_execution_id, provider, model, tokens_used, input_tokens, output_tokens, cost_microdollars, latency_ms, cache_hit, status, error_message, created_at, updated_at, completed_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21) ON CONFLICT (id) DO UPDATE SET tokens_used = EXCLUDED.tokens_used, \
         input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens, cost_microdollars = EXCLUDED.cost_microdollars, latency_ms = EXCLUDED.latency_ms, \
         cache_hit = EXCLUDED.cache_hit, status = EXCLUDED.status, error_message = EXCLUDED.error_message, updated_at = EXCLUDED.updated_at, completed_at = EXCLUDED.completed_at",
    )
    .bind(&r.id.0).bind(&r.request_id).bind(&r.user_id.0).bind(r.session_id.as_ref().map(|x| &x.0)).bind(r.task_id.as_ref().map(|x| &x.0))
    .bind(r.context_id.as_ref().map(|x| &x.0)).bind(r.trace_id.as_ref().map(|x| &x.0)).bind(r.mcp_execution_id.as_ref().map(|x| &x.0))
    .bind(&r.provider).bind(&r.model).bind(r.tokens_used).bind(r.input_tokens).bind(r.output_tokens).bind(r.cost_microdollars.0)
    .bind(r.latency_ms).bind(r.cache_hit).bind(&r.status).bind(&r.error_message).bind(r.created_at).bind(r.updated_at).bind(r.completed_at)
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
