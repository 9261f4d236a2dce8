//! Leaderboards: top users, agents and tools, and the sortable tools table.
//!
//! Each figure is aggregated on its own table in its own CTE and the CTEs
//! are joined on the group key afterwards, so a user with three sessions and
//! two requests shows two requests (no join multiplication).

use super::PgEngine;
use super::columns::{limit, truncate};
use crate::error::Result;
use crate::model::{Microdollars, Timestamp, UserId};
use crate::query::{AgentLeader, TimeWindow, ToolSort, ToolStats, UserLeader, int_avg, rate};
use std::cmp::Ordering;

type UserRow = (String, Option<String>, i64, i64, i64, i64, i64);

pub(crate) async fn top_users(
    engine: &PgEngine,
    window: &TimeWindow,
    n: usize,
) -> Result<Vec<UserLeader>> {
    let rows: Vec<UserRow> = sqlx::query_as(
        "WITH req AS (
             SELECT user_id, count(*) AS n,
                    coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint AS tokens,
                    coalesce(sum(cost_microdollars), 0)::bigint AS cost
             FROM ai_requests WHERE created_at >= $1 AND created_at < $2 GROUP BY user_id),
         ses AS (
             SELECT user_id, count(*) AS n FROM user_sessions
             WHERE started_at >= $1 AND started_at < $2 AND user_id IS NOT NULL GROUP BY user_id),
         tsk AS (
             SELECT user_id, count(*) AS n FROM agent_tasks
             WHERE created_at >= $1 AND created_at < $2 AND user_id IS NOT NULL GROUP BY user_id),
         ids AS (SELECT user_id FROM req UNION SELECT user_id FROM ses UNION SELECT user_id FROM tsk)
         SELECT ids.user_id, u.name, coalesce(req.n, 0), coalesce(req.tokens, 0),
                coalesce(req.cost, 0) AS cost, coalesce(ses.n, 0), coalesce(tsk.n, 0)
         FROM ids
         LEFT JOIN req ON req.user_id = ids.user_id
         LEFT JOIN ses ON ses.user_id = ids.user_id
         LEFT JOIN tsk ON tsk.user_id = ids.user_id
         LEFT JOIN users u ON u.id = ids.user_id
         ORDER BY cost DESC, coalesce(req.n, 0) DESC, ids.user_id COLLATE \"C\"
         LIMIT $3",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(limit(n))
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, user_name, requests, tokens, cost, sessions, tasks)| UserLeader {
                user_id: UserId(user_id),
                user_name,
                request_count: requests,
                total_tokens: tokens,
                total_cost_microdollars: Microdollars(cost),
                session_count: sessions,
                task_count: tasks,
            },
        )
        .collect())
}

type AgentRow = (String, i64, i64, i64, i64, i64, i64, i64);

pub(crate) async fn top_agents(
    engine: &PgEngine,
    window: &TimeWindow,
    n: usize,
) -> Result<Vec<AgentLeader>> {
    let rows: Vec<AgentRow> = sqlx::query_as(
        "WITH tsk AS (
             SELECT agent_name, count(*) AS n,
                    count(*) FILTER (WHERE status = 'TASK_STATE_COMPLETED') AS completed,
                    count(*) FILTER (WHERE status = 'TASK_STATE_FAILED') AS failed,
                    coalesce(sum(execution_time_ms), 0)::bigint AS time_sum,
                    count(execution_time_ms) AS time_n
             FROM agent_tasks
             WHERE created_at >= $1 AND created_at < $2 AND agent_name IS NOT NULL
             GROUP BY agent_name),
         req AS (
             SELECT t.agent_name, count(*) AS n, coalesce(sum(r.cost_microdollars), 0)::bigint AS cost
             FROM ai_requests r JOIN agent_tasks t ON t.task_id = r.task_id
             WHERE r.created_at >= $1 AND r.created_at < $2 AND t.agent_name IS NOT NULL
             GROUP BY t.agent_name),
         names AS (SELECT agent_name FROM tsk UNION SELECT agent_name FROM req)
         SELECT names.agent_name, coalesce(tsk.n, 0) AS task_count, coalesce(tsk.completed, 0),
                coalesce(tsk.failed, 0), coalesce(tsk.time_sum, 0), coalesce(tsk.time_n, 0),
                coalesce(req.n, 0), coalesce(req.cost, 0)
         FROM names
         LEFT JOIN tsk ON tsk.agent_name = names.agent_name
         LEFT JOIN req ON req.agent_name = names.agent_name
         ORDER BY task_count DESC, names.agent_name COLLATE \"C\"
         LIMIT $3",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(limit(n))
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    Ok(rows
        .into_iter()
        .map(
            |(agent_name, tasks, completed, failed, time_sum, time_n, requests, cost)| {
                AgentLeader {
                    agent_name,
                    task_count: tasks,
                    completed_count: completed,
                    failed_count: failed,
                    success_rate: rate(completed, tasks),
                    avg_execution_time_ms: int_avg(time_sum, time_n),
                    request_count: requests,
                    total_cost_microdollars: Microdollars(cost),
                }
            },
        )
        .collect())
}

type ToolRow = (String, String, i64, i64, i64, i64, i64, Timestamp);

pub(crate) async fn tools(
    engine: &PgEngine,
    window: &TimeWindow,
    sort: ToolSort,
    n: usize,
) -> Result<Vec<ToolStats>> {
    // Tools are few (tens to hundreds of groups): aggregate in SQL, sort in
    // Rust where the sort keys (rates, averages) are computed exactly.
    let rows: Vec<ToolRow> = sqlx::query_as(
        "SELECT tool_name, server_name, count(*),
                count(*) FILTER (WHERE status = 'success'),
                count(*) FILTER (WHERE status IN ('failed', 'timeout')),
                coalesce(sum(execution_time_ms), 0)::bigint,
                count(execution_time_ms),
                max(started_at)
         FROM mcp_tool_executions WHERE started_at >= $1 AND started_at < $2
         GROUP BY server_name, tool_name",
    )
    .bind(window.start)
    .bind(window.end)
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let mut stats: Vec<ToolStats> = rows
        .into_iter()
        .map(
            |(tool_name, server_name, count, success, failure, time_sum, time_n, last_used)| {
                ToolStats {
                    tool_name,
                    server_name,
                    execution_count: count,
                    success_count: success,
                    failure_count: failure,
                    success_rate: rate(success, count),
                    avg_time_ms: int_avg(time_sum, time_n),
                    last_used,
                }
            },
        )
        .collect();
    sort_tools(&mut stats, sort);
    Ok(truncate(stats, n))
}

/// Sort the tools table: the chosen key (descending, except `Name`
/// ascending), ties by tool name then server name.
pub fn sort_tools(stats: &mut [ToolStats], sort: ToolSort) {
    let by_name = |a: &ToolStats, b: &ToolStats| {
        a.tool_name
            .cmp(&b.tool_name)
            .then_with(|| a.server_name.cmp(&b.server_name))
    };
    stats.sort_by(|a, b| {
        let primary = match sort {
            ToolSort::Executions => b.execution_count.cmp(&a.execution_count),
            // exact comparison of success/count fractions by cross-multiplying
            ToolSort::SuccessRate => {
                let lhs = i128::from(b.success_count) * i128::from(a.execution_count.max(1));
                let rhs = i128::from(a.success_count) * i128::from(b.execution_count.max(1));
                lhs.cmp(&rhs)
            }
            ToolSort::AvgTime => b.avg_time_ms.cmp(&a.avg_time_ms),
            ToolSort::LastUsed => b.last_used.cmp(&a.last_used),
            ToolSort::Name => Ordering::Equal,
        };
        primary.then_with(|| by_name(a, b))
    });
}
