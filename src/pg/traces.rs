//! Traces: the filtered trace list, and one trace's detail assembled from
//! eight queries run concurrently (log, AI request, MCP and step events, the
//! three summaries and the linked task) into one ordered timeline.

use super::PgEngine;
use super::columns::{bounds, limit};
use crate::error::{Error, Result};
use crate::model::*;
use crate::query::{
    AiRequestSummary, ExecutionStepSummary, McpExecutionSummary, TraceDetail, TraceEvent,
    TraceListFilter, TraceListItem, normalise_status,
};

type TraceRow = (
    String,
    Timestamp,
    Timestamp,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
);

pub(crate) async fn traces(
    engine: &PgEngine,
    filter: &TraceListFilter,
) -> Result<Vec<TraceListItem>> {
    let (start, end) = bounds(filter.window.as_ref());
    let status = filter.status.as_deref().map(normalise_status);
    // Candidate traces come from index range scans on the time columns;
    // each table is then aggregated on its own for those traces only. The
    // candidates go in as `= ANY(ARRAY(…))` so each table is read through
    // its trace_id index (a join against the CTE made the planner scan whole
    // tables: 1 day of 30 took 30x longer).
    let rows: Vec<TraceRow> = sqlx::query_as(
        "WITH cand AS (
             SELECT trace_id FROM ai_requests
                 WHERE trace_id IS NOT NULL AND created_at >= $1 AND created_at < $2
             UNION
             SELECT trace_id FROM mcp_tool_executions
                 WHERE trace_id IS NOT NULL AND created_at >= $1 AND created_at < $2
             UNION
             SELECT trace_id FROM agent_tasks
                 WHERE trace_id IS NOT NULL AND created_at >= $1 AND created_at < $2),
         req AS (
             SELECT r.trace_id, count(*) AS n,
                    coalesce(sum(coalesce(r.tokens_used, 0)), 0)::bigint AS tokens,
                    coalesce(sum(r.cost_microdollars), 0)::bigint AS cost,
                    count(*) FILTER (WHERE r.status = 'failed') AS failed,
                    count(*) FILTER (WHERE r.status = 'pending') AS pending,
                    min(r.created_at) AS first_at, max(r.created_at) AS last_at,
                    (array_agg(r.user_id ORDER BY r.created_at, r.id))[1] AS first_user,
                    coalesce(bool_or(r.model = $9), false) AS has_model,
                    coalesce(bool_or(r.provider = $10), false) AS has_provider
             FROM ai_requests r WHERE r.trace_id = ANY (ARRAY(SELECT trace_id FROM cand))
             GROUP BY r.trace_id),
         mcp AS (
             SELECT m.trace_id, count(*) AS n,
                    count(*) FILTER (WHERE m.status IN ('failed', 'timeout')) AS failed,
                    count(*) FILTER (WHERE m.status = 'pending') AS pending,
                    min(m.created_at) AS first_at, max(m.created_at) AS last_at,
                    (array_agg(m.user_id ORDER BY m.created_at, m.mcp_execution_id)
                        FILTER (WHERE m.user_id IS NOT NULL))[1] AS first_user,
                    coalesce(bool_or(m.tool_name = $5), false) AS has_tool
             FROM mcp_tool_executions m WHERE m.trace_id = ANY (ARRAY(SELECT trace_id FROM cand))
             GROUP BY m.trace_id),
         tsk AS (
             SELECT t.trace_id,
                    min(t.created_at) AS first_at, max(t.created_at) AS last_at,
                    (array_agg(t.status ORDER BY t.created_at, t.task_id))[1] AS first_status,
                    (array_agg(t.agent_name ORDER BY t.created_at, t.task_id))[1] AS first_agent,
                    (array_agg(t.user_id ORDER BY t.created_at, t.task_id))[1] AS first_user,
                    coalesce(bool_or(t.agent_name = $3), false) AS has_agent
             FROM agent_tasks t WHERE t.trace_id = ANY (ARRAY(SELECT trace_id FROM cand))
             GROUP BY t.trace_id),
         listed AS (
             SELECT c.trace_id,
                    LEAST(req.first_at, mcp.first_at, tsk.first_at) AS started_at,
                    GREATEST(req.last_at, mcp.last_at, tsk.last_at) AS last_activity_at,
                    coalesce(tsk.first_user, req.first_user, mcp.first_user) AS user_id,
                    tsk.first_agent AS agent_name,
                    CASE
                        WHEN coalesce(req.failed, 0) + coalesce(mcp.failed, 0) > 0 THEN 'failed'
                        WHEN tsk.first_status IS NOT NULL
                            THEN lower(regexp_replace(tsk.first_status, '^TASK_STATE_', ''))
                        WHEN coalesce(req.pending, 0) + coalesce(mcp.pending, 0) > 0 THEN 'pending'
                        ELSE 'completed'
                    END AS status,
                    lower(regexp_replace(tsk.first_status, '^TASK_STATE_', '')) AS task_status,
                    coalesce(req.n, 0) AS request_count,
                    coalesce(req.tokens, 0) AS total_tokens,
                    coalesce(req.cost, 0) AS total_cost,
                    coalesce(mcp.n, 0) AS mcp_count,
                    coalesce(req.failed, 0) + coalesce(mcp.failed, 0) AS error_count,
                    coalesce(tsk.has_agent, false) AS has_agent,
                    coalesce(mcp.has_tool, false) AS has_tool,
                    coalesce(req.has_model, false) AS has_model,
                    coalesce(req.has_provider, false) AS has_provider
             FROM cand c
             LEFT JOIN req ON req.trace_id = c.trace_id
             LEFT JOIN mcp ON mcp.trace_id = c.trace_id
             LEFT JOIN tsk ON tsk.trace_id = c.trace_id)
         SELECT trace_id, started_at, last_activity_at, user_id, agent_name, status,
                task_status, request_count, total_tokens, total_cost, mcp_count, error_count
         FROM listed
         WHERE ($3::text IS NULL OR has_agent)
           AND ($4::text IS NULL OR status = $4)
           AND ($5::text IS NULL OR has_tool)
           AND ($6::boolean IS NULL OR (mcp_count > 0) = $6)
           AND ($7::text IS NULL OR user_id = $7)
           AND ($9::text IS NULL OR has_model)
           AND ($10::text IS NULL OR has_provider)
         ORDER BY started_at DESC, trace_id COLLATE \"C\"
         LIMIT $8",
    )
    .bind(start)
    .bind(end)
    .bind(filter.agent.as_deref())
    .bind(status.as_deref())
    .bind(filter.tool.as_deref())
    .bind(filter.has_mcp)
    .bind(filter.user.as_ref().map(|u| u.as_str()))
    .bind(limit(filter.limit))
    .bind(filter.model.as_deref())
    .bind(filter.provider.as_deref())
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    Ok(rows
        .into_iter()
        .map(|row| TraceListItem {
            trace_id: TraceId(row.0),
            started_at: row.1,
            last_activity_at: row.2,
            user_id: row.3.map(UserId),
            agent_name: row.4,
            status: row.5,
            task_status: row.6,
            request_count: row.7,
            total_tokens: row.8,
            total_cost_microdollars: Microdollars(row.9),
            mcp_count: row.10,
            error_count: row.11,
        })
        .collect())
}

pub(crate) async fn trace_detail(engine: &PgEngine, trace_id: &TraceId) -> Result<TraceDetail> {
    let pool = engine.pool();
    let id = trace_id.as_str();
    super::columns::reject_nul("trace id", id)?;
    let err = |e| engine.err(e);

    let logs = async {
        sqlx::query_as::<_, LogRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM logs l WHERE l.trace_id = $1",
            engine.selects.log
        )))
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(err)
    };
    let requests = async {
        sqlx::query_as::<_, AiRequestRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM ai_requests r WHERE r.trace_id = $1",
            engine.selects.ai_request
        )))
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(err)
    };
    let mcps = async {
        sqlx::query_as::<_, McpExecutionRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM mcp_tool_executions m WHERE m.trace_id = $1",
            engine.selects.mcp
        )))
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(err)
    };
    let steps = async {
        sqlx::query_as::<_, StepRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM task_execution_steps s
              WHERE s.task_id IN (SELECT task_id FROM agent_tasks WHERE trace_id = $1)",
            engine.selects.step
        )))
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(err)
    };
    let ai_summary = async {
        sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64, i64)>(
            "SELECT count(*), count(*) FILTER (WHERE status = 'failed'),
                    coalesce(sum(coalesce(input_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(output_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint,
                    coalesce(sum(cost_microdollars), 0)::bigint,
                    coalesce(sum(coalesce(latency_ms, 0)), 0)::bigint
             FROM ai_requests WHERE trace_id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(err)
    };
    let mcp_summary = async {
        sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('failed', 'timeout')),
                    coalesce(sum(coalesce(execution_time_ms, 0)), 0)::bigint
             FROM mcp_tool_executions WHERE trace_id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(err)
    };
    let step_summary = async {
        sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT count(*), count(*) FILTER (WHERE s.status = 'completed'),
                    count(*) FILTER (WHERE s.status = 'failed'),
                    coalesce(sum(coalesce(s.duration_ms, 0)), 0)::bigint
             FROM task_execution_steps s
             WHERE s.task_id IN (SELECT task_id FROM agent_tasks WHERE trace_id = $1)",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(err)
    };
    let tasks = async {
        sqlx::query_as::<_, AgentTaskRecord>(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM agent_tasks t WHERE t.trace_id = $1
             ORDER BY t.created_at, t.task_id COLLATE \"C\"",
            engine.selects.task
        )))
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(err)
    };

    let (logs, requests, mcps, steps, ai, mcp, step, tasks) = tokio::try_join!(
        logs,
        requests,
        mcps,
        steps,
        ai_summary,
        mcp_summary,
        step_summary,
        tasks
    )?;
    let task = tasks.first().cloned();

    let mut events: Vec<TraceEvent> =
        Vec::with_capacity(logs.len() + requests.len() + mcps.len() + steps.len());
    events.extend(engine.logs_as_jsonb(logs).into_iter().map(TraceEvent::Log));
    events.extend(requests.into_iter().map(TraceEvent::AiRequest));
    events.extend(mcps.into_iter().map(TraceEvent::McpExecution));
    events.extend(steps.into_iter().map(TraceEvent::Step));
    if events.is_empty() && task.is_none() {
        return Err(Error::not_found(format!(
            "no trace '{}' in {}: check the id, or search with `tracetop traces`",
            crate::sanitize::clean(id),
            engine.display_url()
        )));
    }
    TraceEvent::sort_timeline(&mut events);

    Ok(TraceDetail {
        trace_id: trace_id.clone(),
        events,
        ai_summary: AiRequestSummary {
            request_count: ai.0,
            failed_count: ai.1,
            input_tokens: ai.2,
            output_tokens: ai.3,
            total_tokens: ai.4,
            total_cost_microdollars: Microdollars(ai.5),
            total_latency_ms: ai.6,
        },
        mcp_summary: McpExecutionSummary {
            execution_count: mcp.0,
            failed_count: mcp.1,
            total_execution_time_ms: mcp.2,
        },
        step_summary: ExecutionStepSummary {
            step_count: step.0,
            completed_count: step.1,
            failed_count: step.2,
            total_duration_ms: step.3,
        },
        task,
        tasks,
    })
}
