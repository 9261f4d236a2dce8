//! Audit lookup: resolve a request, task or trace id from a prefix, then
//! gather the requests with their conversation, tool calls and linked MCP
//! executions.
//!
//! The prefix is escaped (`\`, `%`, `_` literal) and matched with
//! `LIKE 'prefix%'` against `text_pattern_ops` indexes, so the lookup is an
//! index range scan on every id column whatever the collation, in one
//! statement. An exact id wins; a prefix that matches several ids returns
//! them as candidates, never a guess.

use super::PgEngine;
use super::columns::escape_like;
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::{
    AuditCandidate, AuditRecord, AuditRequest, AuditResolution, IdKind, MAX_AUDIT_CANDIDATES,
    MIN_AUDIT_PREFIX,
};
use sqlx::PgConnection;
use sqlx::types::Json;
use std::collections::{BTreeMap, BTreeSet};

fn kind_of(text: &str) -> IdKind {
    match text {
        "request" => IdKind::Request,
        "task" => IdKind::Task,
        _ => IdKind::Trace,
    }
}

/// A row of the lookup: kind, id, first seen, whether it is the whole id.
type LookupRow = (String, String, Timestamp, bool);

fn candidate((kind, id, created_at, _): &LookupRow) -> AuditCandidate {
    AuditCandidate {
        kind: kind_of(kind),
        id: id.clone(),
        created_at: *created_at,
    }
}

pub(crate) async fn audit_lookup(engine: &PgEngine, prefix: &str) -> Result<AuditResolution> {
    let prefix = prefix.trim();
    super::columns::reject_nul("audit prefix", prefix)?;
    let shown = crate::sanitize::clean(prefix);
    if prefix.chars().count() < MIN_AUDIT_PREFIX {
        return Err(Error::input(format!(
            "audit prefix '{shown}' is too short: give at least {MIN_AUDIT_PREFIX} characters of a request, task or trace id"
        )));
    }
    let pattern = format!("{}%", escape_like(prefix));
    // The whole audit runs on one connection, statement after statement: a
    // handful of round trips cost less than the extra connections that
    // concurrent statements open (a pool connection goes back to the pool
    // asynchronously, so the next statement would open a new one).
    let mut conn = engine.session().await?;
    let found = resolve(engine, &mut conn, prefix, &pattern, &shown).await;
    conn.finish().await;
    found
}

async fn resolve(
    engine: &PgEngine,
    conn: &mut PgConnection,
    prefix: &str,
    pattern: &str,
    shown: &str,
) -> Result<AuditResolution> {
    // One statement: every id starting
    // with the prefix (text_pattern_ops range scans; an exact id matches its
    // own prefix too), flagged when it is the whole id. Exact matches are
    // kept through the LIMIT, then the list is in display order. A trace or
    // task id seen in several tables is one candidate, dated by its first row.
    let rows = sqlx::query_as::<_, LookupRow>(
        "SELECT kind, id, first_at, exact FROM (
             SELECT kind, id, min(created_at) AS first_at, id = $2 AS exact FROM (
                 SELECT 'request' AS kind, id, created_at FROM ai_requests
                     WHERE id LIKE $1 ESCAPE '\\'
                 UNION ALL SELECT 'task', task_id, created_at FROM agent_tasks
                     WHERE task_id LIKE $1 ESCAPE '\\'
                 UNION ALL SELECT 'task', task_id, created_at FROM ai_requests
                     WHERE task_id LIKE $1 ESCAPE '\\'
                 UNION ALL SELECT 'trace', trace_id, created_at FROM ai_requests
                     WHERE trace_id LIKE $1 ESCAPE '\\'
                 UNION ALL SELECT 'trace', trace_id, created_at FROM agent_tasks
                     WHERE trace_id LIKE $1 ESCAPE '\\'
                 UNION ALL SELECT 'trace', trace_id, created_at FROM mcp_tool_executions
                     WHERE trace_id LIKE $1 ESCAPE '\\'
             ) hits GROUP BY kind, id
             ORDER BY exact DESC, first_at DESC, kind, id COLLATE \"C\" LIMIT $3
         ) kept ORDER BY first_at DESC, kind, id COLLATE \"C\"",
    )
    .bind(pattern)
    .bind(prefix)
    .bind((MAX_AUDIT_CANDIDATES + 1) as i64)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| engine.err(e))?;
    let exact: Vec<AuditCandidate> = rows.iter().filter(|r| r.3).map(candidate).collect();
    let mut candidates: Vec<AuditCandidate> = rows.iter().map(candidate).collect();

    let chosen = if exact.len() == 1 {
        exact.into_iter().next()
    } else if exact.is_empty() && candidates.len() == 1 {
        candidates.pop()
    } else {
        None
    };
    if let Some(found) = chosen {
        return Ok(AuditResolution::Found(Box::new(
            build_record(engine, conn, found.kind, &found.id).await?,
        )));
    }
    if candidates.is_empty() {
        return Err(Error::not_found(format!(
            "no request, task or trace id starts with '{shown}' in {}: check the id, or list recent traces with `tracetop traces`",
            engine.display_url()
        )));
    }
    candidates.truncate(MAX_AUDIT_CANDIDATES);
    Ok(AuditResolution::Ambiguous {
        prefix: prefix.to_string(),
        candidates,
    })
}

/// The audit record's rows, fetched together (see [`record_sql`]).
#[derive(sqlx::FromRow)]
struct RecordRows {
    requests: Option<Json<Vec<AiRequestRecord>>>,
    task: Option<Json<AgentTaskRecord>>,
    messages: Option<Json<Vec<MessageRecord>>>,
    tool_calls: Option<Json<Vec<ToolCallRecord>>>,
    mcps: Option<Json<Vec<McpExecutionRecord>>>,
}

/// One statement for everything an audit record holds, as one row of
/// JSON arrays (each record's select list, so the fields decode as the
/// records do elsewhere): the requests of the resolved id, its task, their
/// messages and tool calls, and the MCP executions a request or one of its
/// tool calls links. One round trip and one plan instead of five.
fn record_sql(engine: &PgEngine, kind: IdKind) -> String {
    let s = &engine.selects;
    let (requests_of, task_of) = match kind {
        IdKind::Request => (
            "r.id = $1",
            // the request's own task
            "t.task_id = (SELECT task_id FROM req LIMIT 1)",
        ),
        IdKind::Task => ("r.task_id = $1", "t.task_id = $1"),
        IdKind::Trace => (
            "r.trace_id = $1",
            // the trace's first task (the root of a delegation chain)
            "t.trace_id = $1 ORDER BY t.created_at, t.task_id COLLATE \"C\" LIMIT 1",
        ),
    };
    format!(
        "WITH req AS (SELECT {request} FROM ai_requests r WHERE {requests_of}),
              calls AS (SELECT {tool_call}, tc.id AS tool_call_order FROM ai_request_tool_calls tc
                        WHERE tc.request_id IN (SELECT id FROM req))
         SELECT
           (SELECT json_agg(x ORDER BY x.created_at, x.id COLLATE \"C\") FROM req x) AS requests,
           (SELECT to_json(x) FROM (SELECT {task} FROM agent_tasks t WHERE {task_of}) x) AS task,
           (SELECT json_agg(x ORDER BY x.request_id, x.sequence_number, x.message_order)
              FROM (SELECT {message}, msg.id AS message_order FROM ai_request_messages msg
                    WHERE msg.request_id IN (SELECT id FROM req)) x) AS messages,
           (SELECT json_agg(x ORDER BY x.request_id, x.sequence_number, x.tool_call_order)
              FROM calls x) AS tool_calls,
           (SELECT json_agg(x ORDER BY x.started_at, x.mcp_execution_id COLLATE \"C\")
              FROM (SELECT {mcp} FROM mcp_tool_executions m
                    WHERE m.mcp_execution_id IN (SELECT mcp_execution_id FROM req
                                                 UNION SELECT mcp_execution_id FROM calls)) x) AS mcps",
        request = s.ai_request,
        tool_call = s.tool_call,
        task = s.task,
        message = s.message,
        mcp = s.mcp,
    )
}

/// Gather the audit record of one resolved id.
async fn build_record(
    engine: &PgEngine,
    conn: &mut PgConnection,
    kind: IdKind,
    id: &str,
) -> Result<AuditRecord> {
    let rows: RecordRows = sqlx::query_as(sqlx::AssertSqlSafe(record_sql(engine, kind)))
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| engine.err(e))?;
    let requests = rows.requests.map(|j| j.0).unwrap_or_default();
    let task = rows.task.map(|j| j.0);
    let messages = rows.messages.map(|j| j.0).unwrap_or_default();
    let tool_calls = rows.tool_calls.map(|j| j.0).unwrap_or_default();
    let mcps = rows.mcps.map(|j| j.0).unwrap_or_default();

    // MCP executions linked by a tool call or by the request itself.
    let mut links: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &requests {
        if let Some(m) = &r.mcp_execution_id {
            links.entry(r.id.0.clone()).or_default().insert(m.0.clone());
        }
    }
    for tc in &tool_calls {
        if let Some(m) = &tc.mcp_execution_id {
            links
                .entry(tc.request_id.0.clone())
                .or_default()
                .insert(m.0.clone());
        }
    }

    let mut by_request_messages: BTreeMap<String, Vec<MessageRecord>> = BTreeMap::new();
    for m in messages {
        by_request_messages
            .entry(m.request_id.0.clone())
            .or_default()
            .push(m);
    }
    let mut by_request_calls: BTreeMap<String, Vec<ToolCallRecord>> = BTreeMap::new();
    for tc in tool_calls {
        by_request_calls
            .entry(tc.request_id.0.clone())
            .or_default()
            .push(tc);
    }

    let trace_id = match kind {
        IdKind::Trace => Some(TraceId::new(id)),
        _ => task
            .as_ref()
            .and_then(|t| t.trace_id.clone())
            .or_else(|| requests.iter().find_map(|r| r.trace_id.clone())),
    };
    let task_id = match kind {
        IdKind::Task => Some(TaskId::new(id)),
        IdKind::Request => requests.first().and_then(|r| r.task_id.clone()),
        IdKind::Trace => task.as_ref().map(|t| t.task_id.clone()),
    };

    let audit_requests = requests
        .into_iter()
        .map(|request| {
            let linked = links.get(request.id.as_str());
            AuditRequest {
                messages: by_request_messages
                    .remove(request.id.as_str())
                    .unwrap_or_default(),
                tool_calls: by_request_calls
                    .remove(request.id.as_str())
                    .unwrap_or_default(),
                mcp_executions: mcps
                    .iter()
                    .filter(|m| linked.is_some_and(|l| l.contains(m.mcp_execution_id.as_str())))
                    .cloned()
                    .collect(),
                request,
            }
        })
        .collect::<Vec<_>>();

    Ok(AuditRecord {
        matched_kind: kind,
        matched_id: id.to_string(),
        trace_id,
        task_id,
        request_ids: audit_requests
            .iter()
            .map(|a| a.request.id.clone())
            .collect(),
        task,
        requests: audit_requests,
    })
}
