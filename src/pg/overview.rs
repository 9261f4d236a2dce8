//! Platform overview (the eight counters), the activity trend (daily or
//! hourly counts of sessions, contexts, tasks, AI requests and MCP tool
//! executions, every bucket of the window present, empty ones as zeros)
//! and the same five counts over a whole window.
//! Buckets use `date_trunc(unit, ts)`, which truncates in the session time
//! zone: the engine's sessions are opened with `TimeZone=UTC`.

use super::PgEngine;
use crate::error::Result;
use crate::model::Timestamp;
use crate::query::{
    ACTIVE_SESSION_MINUTES, ActivityBucket, ActivityTotals, Bucket, Counting, DELETED_USER,
    PlatformOverview, TimeWindow,
};
use chrono::Duration;
use std::collections::BTreeMap;

pub(crate) async fn overview(
    engine: &PgEngine,
    now: Timestamp,
    counting: Counting,
) -> Result<PlatformOverview> {
    // Clean traffic unless asked otherwise: $5 says whether bot sessions
    // count; the flag expression is built from the columns this database has.
    let sql = format!(
        "WITH s AS (SELECT user_id, last_activity_at, ended_at FROM user_sessions s
                     WHERE $5 OR NOT {bot})
         SELECT
            (SELECT count(*) FROM users WHERE status <> $4),
            (SELECT count(DISTINCT user_id) FROM s WHERE last_activity_at >= $1),
            (SELECT count(DISTINCT user_id) FROM s WHERE last_activity_at >= $2),
            (SELECT count(*) FROM s),
            (SELECT count(*) FROM s WHERE ended_at IS NULL AND last_activity_at >= $3),
            (SELECT count(*) FROM user_contexts),
            (SELECT count(*) FROM agent_tasks),
            (SELECT count(*) FROM ai_requests)",
        bot = engine.bot_session_sql("s")
    );
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now - Duration::hours(24))
        .bind(now - Duration::days(7))
        .bind(now - Duration::minutes(ACTIVE_SESSION_MINUTES))
        .bind(DELETED_USER)
        .bind(counting.include_bots)
        .fetch_one(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    Ok(PlatformOverview {
        total_users: row.0,
        active_users_24h: row.1,
        active_users_7d: row.2,
        total_sessions: row.3,
        active_sessions: row.4,
        total_contexts: row.5,
        total_tasks: row.6,
        total_ai_requests: row.7,
    })
}

pub(crate) async fn activity_trend(
    engine: &PgEngine,
    window: &TimeWindow,
    bucket: Bucket,
) -> Result<Vec<ActivityBucket>> {
    // One round trip: each table grouped on its own (no joins), tagged 0..4.
    let rows: Vec<(i32, Timestamp, i64)> = sqlx::query_as(
        "SELECT 0, date_trunc($3, started_at), count(*) FROM user_sessions
            WHERE started_at >= $1 AND started_at < $2 GROUP BY 2
         UNION ALL
         SELECT 1, date_trunc($3, created_at), count(*) FROM user_contexts
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 2, date_trunc($3, created_at), count(*) FROM agent_tasks
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 3, date_trunc($3, created_at), count(*) FROM ai_requests
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 4, date_trunc($3, created_at), count(*) FROM mcp_tool_executions
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(bucket.pg_unit())
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;

    let mut buckets: BTreeMap<Timestamp, ActivityBucket> = bucket
        .starts(window)
        .into_iter()
        .map(|start| {
            (
                start,
                ActivityBucket {
                    bucket_start: start,
                    sessions: 0,
                    contexts: 0,
                    tasks: 0,
                    ai_requests: 0,
                    tool_executions: 0,
                },
            )
        })
        .collect();
    for (table, start, count) in rows {
        if let Some(b) = buckets.get_mut(&start) {
            match table {
                0 => b.sessions = count,
                1 => b.contexts = count,
                2 => b.tasks = count,
                3 => b.ai_requests = count,
                _ => b.tool_executions = count,
            }
        }
    }
    Ok(buckets.into_values().collect())
}

/// The activity trend's five counts over the whole window in one round
/// trip: plain range counts on the time indexes, about three times faster
/// than grouping by bucket and summing.
pub(crate) async fn activity_totals(
    engine: &PgEngine,
    window: &TimeWindow,
) -> Result<ActivityTotals> {
    let row: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM user_sessions WHERE started_at >= $1 AND started_at < $2),
            (SELECT count(*) FROM user_contexts WHERE created_at >= $1 AND created_at < $2),
            (SELECT count(*) FROM agent_tasks WHERE created_at >= $1 AND created_at < $2),
            (SELECT count(*) FROM ai_requests WHERE created_at >= $1 AND created_at < $2),
            (SELECT count(*) FROM mcp_tool_executions WHERE created_at >= $1 AND created_at < $2)",
    )
    .bind(window.start)
    .bind(window.end)
    .fetch_one(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    Ok(ActivityTotals {
        sessions: row.0,
        contexts: row.1,
        tasks: row.2,
        ai_requests: row.3,
        tool_executions: row.4,
    })
}
