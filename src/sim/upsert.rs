//! Live writes (`simulate --live`, `demo --postgres`): the seeded live
//! generator's events upserted row by row the way a gateway writes them (a
//! request `pending` first, then updated in place when it completes), with
//! bound parameters only.
//!
//! Only columns the target database has are written (detected once, see
//! [`ColumnSet`]), and rows go in parents first: a tool call's MCP
//! execution is opened (`pending`) before the tool call that names it, as
//! a real deployment's foreign key requires; the execution's own event then
//! completes that row.

use super::catalog;
use crate::error::{Error, Result, redact_url};
use crate::model::*;
use crate::pg::columns::ColumnSet;
use crate::pg::connect::{REQUIRED_TABLES, map_sqlx_error, parse_url};
use sqlx::PgPool;
use std::time::Duration;

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
    let columns = ColumnSet::detect(&pool, REQUIRED_TABLES)
        .await
        .map_err(|e| map_sqlx_error(e, url))?;
    let writer = LiveWriter::new(&columns);
    let mut generator =
        crate::source::demo::LiveGenerator::with_users(cfg.seed, now_ms(), cfg.users.max(1));
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
                    // a write under way completes; only the waits for a
                    // database that went away end at `stop`
                    let written = match writer.apply_once(&pool, &events).await {
                        Err(e) if is_transient(&e) => tokio::select! {
                            _ = &mut stop => break Ok(total),
                            written = writer.apply_retrying(&pool, &events) => written,
                        },
                        done => done,
                    };
                    if let Err(e) = written {
                        break Err(Error::database(format!(
                            "writing live rows failed: {e} ({})",
                            redact_url(url)
                        )).caused_by(e));
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

/// Upsert the rows `events` describe (live mode), in one transaction,
/// writing only the columns this database has.
pub async fn apply_events(pool: &PgPool, events: &[Event]) -> Result<()> {
    let columns = ColumnSet::detect(pool, REQUIRED_TABLES)
        .await
        .map_err(|e| {
            Error::database(format!("reading the table columns failed: {e}")).caused_by(e)
        })?;
    LiveWriter::new(&columns).apply(pool, events).await
}

/// Optional `ai_requests` columns, in the order they are written.
const REQUEST_OPTIONAL: [&str; 9] = [
    "requested_model",
    "cache_read_tokens",
    "cache_creation_tokens",
    "is_streaming",
    "actor_kind",
    "actor_id",
    "synthetic",
    "gateway_conversation_id",
    "provider_request_id",
];

/// The live upsert statements, rendered once for a database's columns.
pub(crate) struct LiveWriter {
    request_sql: String,
    request_optional: Vec<usize>,
    session_sql: String,
    session_crawler: bool,
}

impl LiveWriter {
    pub(crate) fn new(columns: &ColumnSet) -> LiveWriter {
        let request_optional: Vec<usize> = (0..REQUEST_OPTIONAL.len())
            .filter(|i| columns.has("ai_requests", REQUEST_OPTIONAL[*i]))
            .collect();
        let mut names: Vec<&str> = vec![
            "id",
            "request_id",
            "user_id",
            "session_id",
            "task_id",
            "context_id",
            "trace_id",
            "mcp_execution_id",
            "provider",
            "model",
            "tokens_used",
            "input_tokens",
            "output_tokens",
            "cost_microdollars",
            "latency_ms",
            "cache_hit",
            "status",
            "error_message",
            "created_at",
            "updated_at",
            "completed_at",
        ];
        let mut updates = vec![
            "tokens_used",
            "input_tokens",
            "output_tokens",
            "cost_microdollars",
            "latency_ms",
            "cache_hit",
            "status",
            "error_message",
            "updated_at",
            "completed_at",
        ];
        for &i in &request_optional {
            names.push(REQUEST_OPTIONAL[i]);
            if matches!(
                REQUEST_OPTIONAL[i],
                "cache_read_tokens" | "cache_creation_tokens" | "provider_request_id"
            ) {
                updates.push(REQUEST_OPTIONAL[i]);
            }
        }
        let request_sql = format!(
            "INSERT INTO ai_requests ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}",
            names.join(", "),
            placeholders(names.len()),
            updates
                .iter()
                .map(|c| format!("{c} = EXCLUDED.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let session_crawler = columns.has("user_sessions", "is_ai_crawler");
        let session_sql = format!(
            "INSERT INTO user_sessions (session_id, user_id, started_at, last_activity_at, ended_at, client_id, request_count, ai_request_count, total_tokens_used, total_ai_cost_microdollars, user_agent, device_type, browser, os, country, referrer_source, landing_page, fingerprint_hash, is_bot, is_scanner, is_behavioral_bot, session_source{}) \
             VALUES ({}) \
             ON CONFLICT (session_id) DO UPDATE SET last_activity_at = EXCLUDED.last_activity_at, ended_at = EXCLUDED.ended_at, \
             request_count = EXCLUDED.request_count, ai_request_count = EXCLUDED.ai_request_count, total_tokens_used = EXCLUDED.total_tokens_used, \
             total_ai_cost_microdollars = EXCLUDED.total_ai_cost_microdollars",
            if session_crawler {
                ", is_ai_crawler"
            } else {
                ""
            },
            placeholders(22 + usize::from(session_crawler))
        );
        LiveWriter {
            request_sql,
            request_optional,
            session_sql,
            session_crawler,
        }
    }

    /// Upsert the rows `events` describe, in one transaction.
    pub(crate) async fn apply(&self, pool: &PgPool, events: &[Event]) -> Result<()> {
        self.apply_once(pool, events)
            .await
            .map_err(|e| Error::database(format!("writing live rows failed: {e}")).caused_by(e))
    }

    /// [`Self::apply`], retried while the database is away (a restart, a
    /// dropped connection) for up to [`RETRY_FOR`]: the transaction rolled
    /// back, so the same events are written again, whole. Any other error
    /// (a constraint, a missing column) is returned at once.
    async fn apply_retrying(
        &self,
        pool: &PgPool,
        events: &[Event],
    ) -> std::result::Result<(), sqlx::Error> {
        let started = std::time::Instant::now();
        let mut delay = Duration::from_millis(100);
        loop {
            match self.apply_once(pool, events).await {
                Err(e) if is_transient(&e) && started.elapsed() < RETRY_FOR => {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(1));
                }
                done => return done,
            }
        }
    }

    async fn apply_once(
        &self,
        pool: &PgPool,
        events: &[Event],
    ) -> std::result::Result<(), sqlx::Error> {
        let mut tx = pool.begin().await?;
        for event in events {
            self.apply_one(&mut tx, event).await?;
        }
        tx.commit().await
    }

    async fn apply_one(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        event: &Event,
    ) -> std::result::Result<(), sqlx::Error> {
        match event {
            Event::UserSeen { user: u } => {
                sqlx::query("INSERT INTO users (id, name, email, status, roles, created_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (id) DO NOTHING")
                    .bind(&u.id.0).bind(&u.name).bind(&u.email).bind(&u.status).bind(&u.roles).bind(u.created_at)
                    .execute(&mut **tx).await?;
            }
            Event::SessionStarted { session: s } | Event::SessionEnded { session: s } => {
                let q = sqlx::query(sqlx::AssertSqlSafe(self.session_sql.as_str()))
                    .bind(&s.session_id.0)
                    .bind(s.user_id.as_ref().map(|x| &x.0))
                    .bind(s.started_at)
                    .bind(s.last_activity_at)
                    .bind(s.ended_at)
                    .bind(s.client_id.as_ref().map(|x| &x.0))
                    .bind(s.request_count)
                    .bind(s.ai_request_count)
                    .bind(s.total_tokens_used)
                    .bind(s.total_ai_cost_microdollars.0)
                    .bind(&s.user_agent)
                    .bind(&s.device_type)
                    .bind(&s.browser)
                    .bind(&s.os)
                    .bind(&s.country)
                    .bind(&s.referrer_source)
                    .bind(&s.landing_page)
                    .bind(&s.fingerprint_hash)
                    .bind(s.is_bot)
                    .bind(s.is_scanner)
                    .bind(s.is_behavioral_bot)
                    .bind(&s.session_source);
                let q = if self.session_crawler {
                    q.bind(s.is_ai_crawler.unwrap_or(false))
                } else {
                    q
                };
                q.execute(&mut **tx).await?;
            }
            Event::ContextCreated { context: c } => {
                sqlx::query("INSERT INTO user_contexts (context_id, user_id, session_id, name, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (context_id) DO UPDATE SET updated_at = EXCLUDED.updated_at")
                    .bind(&c.context_id.0).bind(&c.user_id.0).bind(c.session_id.as_ref().map(|x| &x.0)).bind(&c.name).bind(c.created_at).bind(c.updated_at)
                    .execute(&mut **tx).await?;
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
                .execute(&mut **tx).await?;
                if let Some(c) = &t.context_id {
                    sqlx::query("UPDATE user_contexts SET updated_at = GREATEST(updated_at, $2) WHERE context_id = $1")
                        .bind(&c.0).bind(t.updated_at).execute(&mut **tx).await?;
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
                .execute(&mut **tx).await?;
            }
            Event::AiRequestStarted { request } => self.upsert_request(tx, request).await?,
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
                self.upsert_request(tx, request).await?;
                for m in messages {
                    sqlx::query("INSERT INTO ai_request_messages (request_id, role, content, sequence_number, name, tool_call_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                        .bind(&m.request_id.0).bind(&m.role).bind(&m.content).bind(m.sequence_number).bind(&m.name).bind(&m.tool_call_id).bind(request.created_at)
                        .execute(&mut **tx).await?;
                }
                for c in tool_calls {
                    if let Some(execution) = &c.mcp_execution_id {
                        open_execution(tx, request, c, execution).await?;
                    }
                    sqlx::query("INSERT INTO ai_request_tool_calls (request_id, tool_name, tool_input, mcp_execution_id, ai_tool_call_id, sequence_number, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)")
                        .bind(&c.request_id.0).bind(&c.tool_name).bind(&c.tool_input).bind(c.mcp_execution_id.as_ref().map(|x| &x.0)).bind(&c.ai_tool_call_id)
                        .bind(c.sequence_number).bind(request.updated_at)
                        .execute(&mut **tx).await?;
                }
                if let Some(session) = &request.session_id {
                    sqlx::query(
                        "UPDATE user_sessions SET last_activity_at = GREATEST(last_activity_at, $2), request_count = request_count + 1, \
                         ai_request_count = ai_request_count + 1, total_tokens_used = total_tokens_used + $3, \
                         total_ai_cost_microdollars = total_ai_cost_microdollars + $4 WHERE session_id = $1",
                    )
                    .bind(&session.0)
                    .bind(request.updated_at)
                    .bind(request.tokens_used.unwrap_or(0))
                    .bind(request.cost_microdollars.0)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Event::McpExecution { execution: m } => {
                sqlx::query(
                    "INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, completed_at, execution_time_ms, input, output, status, error_message, user_id, session_id, context_id, task_id, trace_id, created_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) ON CONFLICT (mcp_execution_id) DO UPDATE SET started_at = EXCLUDED.started_at, \
                     created_at = EXCLUDED.created_at, completed_at = EXCLUDED.completed_at, \
                     execution_time_ms = EXCLUDED.execution_time_ms, output = EXCLUDED.output, status = EXCLUDED.status, error_message = EXCLUDED.error_message",
                )
                .bind(&m.mcp_execution_id.0).bind(&m.tool_name).bind(&m.server_name).bind(m.started_at).bind(m.completed_at).bind(m.execution_time_ms)
                .bind(&m.input).bind(&m.output).bind(&m.status).bind(&m.error_message).bind(m.user_id.as_ref().map(|x| &x.0))
                .bind(m.session_id.as_ref().map(|x| &x.0)).bind(m.context_id.as_ref().map(|x| &x.0)).bind(m.task_id.as_ref().map(|x| &x.0))
                .bind(m.trace_id.as_ref().map(|x| &x.0)).bind(m.created_at)
                .execute(&mut **tx).await?;
            }
            Event::Log { log: l } => {
                sqlx::query(
                    "INSERT INTO logs (id, timestamp, level, module, message, metadata, user_id, session_id, task_id, trace_id, context_id, client_id) \
                     VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9,$10,$11,$12) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&l.id.0).bind(l.timestamp).bind(&l.level).bind(&l.module).bind(&l.message).bind(&l.metadata)
                .bind(l.user_id.as_ref().map(|x| &x.0)).bind(l.session_id.as_ref().map(|x| &x.0)).bind(l.task_id.as_ref().map(|x| &x.0))
                .bind(l.trace_id.as_ref().map(|x| &x.0)).bind(l.context_id.as_ref().map(|x| &x.0)).bind(l.client_id.as_ref().map(|x| &x.0))
                .execute(&mut **tx).await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn upsert_request(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        r: &AiRequestRecord,
    ) -> std::result::Result<(), sqlx::Error> {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(self.request_sql.as_str()))
            .bind(&r.id.0)
            .bind(&r.request_id)
            .bind(&r.user_id.0)
            .bind(r.session_id.as_ref().map(|x| &x.0))
            .bind(r.task_id.as_ref().map(|x| &x.0))
            .bind(r.context_id.as_ref().map(|x| &x.0))
            .bind(r.trace_id.as_ref().map(|x| &x.0))
            .bind(r.mcp_execution_id.as_ref().map(|x| &x.0))
            .bind(&r.provider)
            .bind(&r.model)
            .bind(r.tokens_used)
            .bind(r.input_tokens)
            .bind(r.output_tokens)
            .bind(r.cost_microdollars.0)
            .bind(r.latency_ms)
            .bind(r.cache_hit)
            .bind(&r.status)
            .bind(&r.error_message)
            .bind(r.created_at)
            .bind(r.updated_at)
            .bind(r.completed_at);
        let (kind, actor) = actor_of(r);
        for &i in &self.request_optional {
            q = match REQUEST_OPTIONAL[i] {
                "requested_model" => q.bind(r.requested_model.as_deref()),
                "cache_read_tokens" => q.bind(r.cache_read_tokens),
                "cache_creation_tokens" => q.bind(r.cache_creation_tokens),
                "is_streaming" => q.bind(r.is_streaming.unwrap_or(false)),
                "actor_kind" => q.bind(kind),
                "actor_id" => q.bind(actor),
                "synthetic" => q.bind(r.synthetic.unwrap_or(false)),
                "gateway_conversation_id" => q.bind(r.gateway_conversation_id.as_deref()),
                _ => q.bind(r.provider_request_id.as_deref()),
            };
        }
        q.execute(&mut **tx).await.map(|_| ())
    }
}

/// How long [`write_live`] keeps retrying a batch while the database is
/// unreachable before it gives up.
const RETRY_FOR: Duration = Duration::from_secs(60);

/// Whether `e` says the database is (momentarily) away rather than that
/// the statement is wrong: I/O, pool and protocol errors, and the SQLSTATE
/// classes 08 (connection exception) and 57 (operator intervention, e.g.
/// a shutdown or restart).
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57")),
        _ => false,
    }
}

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Who made a request: its recorded actor, else the user it ran for (the
/// actor columns are NOT NULL on a real deployment).
pub(crate) fn actor_of(r: &AiRequestRecord) -> (&str, &str) {
    (
        r.actor_kind.as_deref().unwrap_or(actor_kind::USER),
        r.actor_id.as_deref().unwrap_or(r.user_id.as_str()),
    )
}

/// Open the MCP execution a tool call names, `pending`, when it is not
/// there yet: the call is recorded when the model asks for the tool, before
/// the tool runs, and the tool call's foreign key needs the execution row.
async fn open_execution(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    request: &AiRequestRecord,
    call: &ToolCallRecord,
    execution: &McpExecutionId,
) -> std::result::Result<(), sqlx::Error> {
    let opened = request.completed_at.unwrap_or(request.updated_at);
    sqlx::query(
        "INSERT INTO mcp_tool_executions (mcp_execution_id, tool_name, server_name, started_at, input, status, user_id, session_id, context_id, task_id, trace_id, created_at) \
         VALUES ($1,$2,$3,$4,$5,'pending',$6,$7,$8,$9,$10,$4) ON CONFLICT (mcp_execution_id) DO NOTHING",
    )
    .bind(&execution.0)
    .bind(&call.tool_name)
    .bind(catalog::tool(&call.tool_name).server)
    .bind(opened)
    .bind(&call.tool_input)
    .bind(&request.user_id.0)
    .bind(request.session_id.as_ref().map(|x| &x.0))
    .bind(request.context_id.as_ref().map(|x| &x.0))
    .bind(request.task_id.as_ref().map(|x| &x.0))
    .bind(request.trace_id.as_ref().map(|x| &x.0))
    .execute(&mut **tx)
    .await
    .map(|_| ())
}
