//! Platform overview (the eight counters) and the activity trend: daily or
//! hourly counts of sessions, contexts, tasks, AI requests and MCP tool
//! executions, every bucket of the window present (empty ones as zeros).

use super::PgEngine;
use crate::error::Result;
use crate::model::Timestamp;
use crate::query::{ACTIVE_SESSION_MINUTES, ActivityBucket, Bucket, PlatformOverview, TimeWindow};
use chrono::Duration;
use std::collections::BTreeMap;

pub(crate) async fn overview(engine: &PgEngine, now: Timestamp) -> Result<PlatformOverview> {
    let row: (i64, i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM users),
            (SELECT count(DISTINCT user_id) FROM user_sessions WHERE last_activity_at >= $1),
            (SELECT count(DISTINCT user_id) FROM user_sessions WHERE last_activity_at >= $2),
            (SELECT count(*) FROM user_sessions),
            (SELECT count(*) FROM user_sessions WHERE ended_at IS NULL AND last_activity_at >= $3),
            (SELECT count(*) FROM user_contexts),
            (SELECT count(*) FROM agent_tasks),
            (SELECT count(*) FROM ai_requests)",
    )
    .bind(now - Duration::hours(24))
    .bind(now - Duration::days(7))
    .bind(now - Duration::minutes(ACTIVE_SESSION_MINUTES))
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
        "SELECT 0, date_trunc($3, started_at, 'UTC'), count(*) FROM user_sessions
            WHERE started_at >= $1 AND started_at < $2 GROUP BY 2
         UNION ALL
         SELECT 1, date_trunc($3, created_at, 'UTC'), count(*) FROM user_contexts
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 2, date_trunc($3, created_at, 'UTC'), count(*) FROM agent_tasks
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 3, date_trunc($3, created_at, 'UTC'), count(*) FROM ai_requests
            WHERE created_at >= $1 AND created_at < $2 GROUP BY 2
         UNION ALL
         SELECT 4, date_trunc($3, created_at, 'UTC'), count(*) FROM mcp_tool_executions
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
