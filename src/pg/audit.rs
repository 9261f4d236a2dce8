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
use super::columns::{Selects, escape_like};
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

/// The prefix as the lookup binds it (trimmed, checked), its LIKE pattern
/// and its text as messages show it.
struct Prefix {
    text: String,
    pattern: String,
    shown: String,
}

fn check_prefix(prefix: &str) -> Result<Prefix> {
    let prefix = prefix.trim();
    super::columns::reject_nul("audit prefix", prefix)?;
    let shown = crate::sanitize::clean(prefix);
    if prefix.chars().count() < MIN_AUDIT_PREFIX {
        return Err(Error::input(format!(
            "audit prefix '{shown}' is too short: give at least {MIN_AUDIT_PREFIX} characters of a request, task or trace id"
        )));
    }
    Ok(Prefix {
        text: prefix.to_string(),
        pattern: format!("{}%", escape_like(prefix)),
        shown,
    })
}

/// The audit lookup on a connected engine (the console, `serve`): one
/// pooled connection for the whole lookup.
pub(crate) async fn audit_lookup(engine: &PgEngine, prefix: &str) -> Result<AuditResolution> {
    let prefix = check_prefix(prefix)?;
    let mut conn = engine.pool.acquire().await.map_err(|e| engine.err(e))?;
    resolve(&mut conn, engine.selects(), &prefix, engine.display_url()).await
}

/// `tracetop audit PREFIX` on a database URL, one question then exit: one
/// direct connection, no pool, the schema check (which also finds the
/// optional columns) then the lookup statement on it. The connection is
/// closed with a Terminate, so the server logs no lost client.
pub async fn audit_lookup_direct(url: &str, prefix: &str) -> Result<AuditResolution> {
    let prefix = check_prefix(prefix)?;
    let (mut conn, display_url) = super::connect::connect_direct(url).await?;
    let found = match super::connect::check_schema(&mut conn, &display_url).await {
        Ok(columns) => resolve(&mut conn, &Selects::new(&columns), &prefix, &display_url).await,
        Err(e) => Err(e),
    };
    let _ = sqlx::Connection::close(conn).await;
    found
}

async fn resolve(
    conn: &mut PgConnection,
    selects: &Selects,
    prefix: &Prefix,
    display_url: &str,
) -> Result<AuditResolution> {
    let err = |e| super::connect::map_sqlx_error(e, display_url);
    // One statement: every id starting with the prefix (text_pattern_ops
    // range scans; an exact id matches its own prefix too), flagged when it
    // is the whole id, and the record of the one it resolves to (see
    // [`lookup_sql`]), so a found id costs one round trip.
    let found: Resolved = sqlx::query_as(sqlx::AssertSqlSafe(lookup_sql(selects)))
        .bind(&prefix.pattern)
        .bind(&prefix.text)
        .bind((MAX_AUDIT_CANDIDATES + 1) as i64)
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?;
    let rows: Vec<LookupRow> = found
        .candidates
        .map(|j| j.0)
        .unwrap_or_default()
        .into_iter()
        .map(|h| (h.kind, h.id, h.first_at, h.exact))
        .collect();
    let exact: Vec<AuditCandidate> = rows.iter().filter(|r| r.3).map(candidate).collect();
    let mut candidates: Vec<AuditCandidate> = rows.iter().map(candidate).collect();

    let chosen = if exact.len() == 1 {
        exact.into_iter().next()
    } else if exact.is_empty() && candidates.len() == 1 {
        candidates.pop()
    } else {
        None
    };
    if let Some(chosen) = chosen {
        // the statement resolved it by the same rule; were it ever to
        // disagree, the record is asked for on its own
        let record = if found.chosen_kind.as_deref() == Some(chosen.kind.as_str())
            && found.chosen_id.as_deref() == Some(chosen.id.as_str())
        {
            assemble(chosen.kind, &chosen.id, found.record)
        } else {
            build_record(conn, selects, chosen.kind, &chosen.id)
                .await
                .map_err(err)?
        };
        return Ok(AuditResolution::Found(Box::new(record)));
    }
    if candidates.is_empty() {
        return Err(Error::not_found(format!(
            "no request, task or trace id starts with '{}' in {display_url}: check the id, or list recent traces with `tracetop traces`",
            prefix.shown
        )));
    }
    candidates.truncate(MAX_AUDIT_CANDIDATES);
    Ok(AuditResolution::Ambiguous {
        prefix: prefix.text.clone(),
        candidates,
    })
}

/// The audit record's rows, fetched together (see [`record_parts`]).
#[derive(sqlx::FromRow)]
struct RecordRows {
    requests: Option<Json<Vec<AiRequestRecord>>>,
    task: Option<Json<AgentTaskRecord>>,
    messages: Option<Json<Vec<MessageRecord>>>,
    tool_calls: Option<Json<Vec<ToolCallRecord>>>,
    mcps: Option<Json<Vec<McpExecutionRecord>>>,
}

/// One id the prefix matches.
#[derive(serde::Deserialize)]
struct Hit {
    kind: String,
    id: String,
    first_at: Timestamp,
    exact: bool,
}

/// The answer of [`lookup_sql`].
#[derive(sqlx::FromRow)]
struct Resolved {
    candidates: Option<Json<Vec<Hit>>>,
    chosen_kind: Option<String>,
    chosen_id: Option<String>,
    #[sqlx(flatten)]
    record: RecordRows,
}

/// The lookup and the record in one statement. `found`: every id the
/// prefix matches (a trace or task id seen in several tables is one
/// candidate, dated by its first row), exact matches kept through the
/// LIMIT; `chosen`: the one it resolves to, by the rule of
/// [`resolve`] (the single exact match, else the single candidate), or
/// none; then the record of `chosen` as [`record_parts`] gathers it (all
/// empty when none). Candidates come back in display order.
fn lookup_sql(selects: &Selects) -> String {
    let chosen = |kind: &str| format!("(SELECT id FROM chosen WHERE kind = '{kind}')");
    let (ctes, columns) = record_parts(
        selects,
        &format!(
            "r.id = {} OR r.task_id = {} OR r.trace_id = {}",
            chosen("request"),
            chosen("task"),
            chosen("trace")
        ),
        &format!(
            "t.task_id = (SELECT task_id FROM req WHERE (SELECT kind FROM chosen) = 'request' LIMIT 1)
             OR t.task_id = {} OR t.trace_id = {}
             ORDER BY t.created_at, t.task_id COLLATE \"C\" LIMIT 1",
            chosen("task"),
            chosen("trace")
        ),
    );
    format!(
        "WITH found AS (
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
         ),
         chosen AS (
             SELECT kind, id FROM found
             WHERE CASE (SELECT count(*) FROM found WHERE exact)
                     WHEN 1 THEN exact
                     WHEN 0 THEN (SELECT count(*) FROM found) = 1
                     ELSE false
                   END
         ),
         {ctes}
         SELECT (SELECT json_agg(f ORDER BY f.first_at DESC, f.kind, f.id COLLATE \"C\") FROM found f)
                    AS candidates,
                (SELECT kind FROM chosen) AS chosen_kind, (SELECT id FROM chosen) AS chosen_id,
                {columns}"
    )
}

/// The record of one resolved id in one statement (the fallback of
/// [`lookup_sql`]).
fn record_sql(selects: &Selects, kind: IdKind) -> String {
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
    let (ctes, columns) = record_parts(selects, requests_of, task_of);
    format!("WITH {ctes} SELECT {columns}")
}

/// Everything an audit record holds, as CTEs and one row of JSON arrays
/// (each record's select list, so the fields decode as the records do
/// elsewhere): the requests `requests_of` selects (alias `r`), the task
/// `task_of` selects (alias `t`), their messages and tool calls, and the
/// MCP executions a request or one of its tool calls links. One round
/// trip and one plan instead of five.
fn record_parts(s: &Selects, requests_of: &str, task_of: &str) -> (String, String) {
    let ctes = format!(
        "req AS (SELECT {request} FROM ai_requests r WHERE {requests_of}),
         calls AS (SELECT {tool_call}, tc.id AS tool_call_order FROM ai_request_tool_calls tc
                   WHERE tc.request_id IN (SELECT id FROM req))",
        request = s.ai_request,
        tool_call = s.tool_call,
    );
    let columns = format!(
        "(SELECT json_agg(x ORDER BY x.created_at, x.id COLLATE \"C\") FROM req x) AS requests,
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
        task = s.task,
        message = s.message,
        mcp = s.mcp,
    );
    (ctes, columns)
}

/// Gather the audit record of one resolved id.
async fn build_record(
    conn: &mut PgConnection,
    selects: &Selects,
    kind: IdKind,
    id: &str,
) -> std::result::Result<AuditRecord, sqlx::Error> {
    let rows: RecordRows = sqlx::query_as(sqlx::AssertSqlSafe(record_sql(selects, kind)))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(assemble(kind, id, rows))
}

/// The audit record of `id` from its rows.
fn assemble(kind: IdKind, id: &str, rows: RecordRows) -> AuditRecord {
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

    AuditRecord {
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
    }
}
