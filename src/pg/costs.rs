//! AI spend: summary over a window, breakdown by model / provider / agent,
//! hourly or daily trend (every bucket present), and the 24h / 7d / 30d /
//! all-time overview. Sums are integers (`::bigint`, overflow is an error);
//! averages and shares are computed here from the integer totals.

use super::PgEngine;
use crate::error::{Error, Result};
use crate::model::{Microdollars, Timestamp};
use crate::query::{
    Bucket, CostBreakdownRow, CostDimension, CostOverview, CostSummary, CostTrendBucket, NO_AGENT,
    TimeWindow, rate,
};
use chrono::Duration;
use std::collections::BTreeMap;

pub(crate) async fn cost_summary(engine: &PgEngine, window: &TimeWindow) -> Result<CostSummary> {
    let (request_count, input_tokens, output_tokens, total_tokens, cost): (
        i64,
        i64,
        i64,
        i64,
        i64,
    ) = sqlx::query_as(
        "SELECT count(*),
                    coalesce(sum(coalesce(input_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(output_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint,
                    coalesce(sum(cost_microdollars), 0)::bigint
             FROM ai_requests WHERE created_at >= $1 AND created_at < $2",
    )
    .bind(window.start)
    .bind(window.end)
    .fetch_one(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let total = Microdollars(cost);
    Ok(CostSummary {
        request_count,
        input_tokens,
        output_tokens,
        total_tokens,
        total_cost_microdollars: total,
        avg_cost_per_request_microdollars: Microdollars::average(total, request_count),
    })
}

type BreakdownRow = (String, i64, i64, i64, i64, i64);

pub(crate) async fn cost_breakdown(
    engine: &PgEngine,
    window: &TimeWindow,
    by: CostDimension,
) -> Result<Vec<CostBreakdownRow>> {
    // Ordering: cost desc, then key (byte order, as Rust sorts strings).
    let pool = engine.pool();
    let rows: Vec<BreakdownRow> = match by {
        CostDimension::Model => {
            sqlx::query_as(
                "SELECT model, count(*),
                    coalesce(sum(coalesce(input_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(output_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint,
                    coalesce(sum(cost_microdollars), 0)::bigint AS cost
             FROM ai_requests WHERE created_at >= $1 AND created_at < $2
             GROUP BY model ORDER BY cost DESC, model COLLATE \"C\"",
            )
            .bind(window.start)
            .bind(window.end)
            .fetch_all(pool)
            .await
        }
        CostDimension::Provider => {
            sqlx::query_as(
                "SELECT provider, count(*),
                    coalesce(sum(coalesce(input_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(output_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint,
                    coalesce(sum(cost_microdollars), 0)::bigint AS cost
             FROM ai_requests WHERE created_at >= $1 AND created_at < $2
             GROUP BY provider ORDER BY cost DESC, provider COLLATE \"C\"",
            )
            .bind(window.start)
            .bind(window.end)
            .fetch_all(pool)
            .await
        }
        // agent_tasks.task_id is the primary key: the LEFT JOIN never
        // multiplies request rows.
        CostDimension::Agent => {
            sqlx::query_as(
                "SELECT coalesce(t.agent_name, $3) AS agent, count(*),
                    coalesce(sum(coalesce(r.input_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(r.output_tokens, 0)), 0)::bigint,
                    coalesce(sum(coalesce(r.tokens_used, 0)), 0)::bigint,
                    coalesce(sum(r.cost_microdollars), 0)::bigint AS cost
             FROM ai_requests r LEFT JOIN agent_tasks t ON t.task_id = r.task_id
             WHERE r.created_at >= $1 AND r.created_at < $2
             GROUP BY 1 ORDER BY cost DESC, agent COLLATE \"C\"",
            )
            .bind(window.start)
            .bind(window.end)
            .bind(NO_AGENT)
            .fetch_all(pool)
            .await
        }
    }
    .map_err(|e| engine.err(e))?;
    let total = Microdollars::checked_sum(rows.iter().map(|r| Microdollars(r.5)))
        .ok_or_else(|| Error::Other("cost total overflows 64 bits".into()))?;
    Ok(rows
        .into_iter()
        .map(
            |(key, request_count, input_tokens, output_tokens, total_tokens, cost)| {
                CostBreakdownRow {
                    dimension: by,
                    key,
                    request_count,
                    input_tokens,
                    output_tokens,
                    total_tokens,
                    total_cost_microdollars: Microdollars(cost),
                    cost_share: rate(cost, total.get()),
                }
            },
        )
        .collect())
}

pub(crate) async fn cost_trend(
    engine: &PgEngine,
    window: &TimeWindow,
    bucket: Bucket,
) -> Result<Vec<CostTrendBucket>> {
    let rows: Vec<(Timestamp, i64, i64, i64)> = sqlx::query_as(
        "SELECT date_trunc($3, created_at, 'UTC') AS b, count(*),
                coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint,
                coalesce(sum(cost_microdollars), 0)::bigint
         FROM ai_requests WHERE created_at >= $1 AND created_at < $2
         GROUP BY b",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(bucket.pg_unit())
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let mut buckets: BTreeMap<Timestamp, CostTrendBucket> = bucket
        .starts(window)
        .into_iter()
        .map(|start| {
            (
                start,
                CostTrendBucket {
                    bucket_start: start,
                    request_count: 0,
                    total_tokens: 0,
                    total_cost_microdollars: Microdollars::ZERO,
                },
            )
        })
        .collect();
    for (start, count, tokens, cost) in rows {
        if let Some(b) = buckets.get_mut(&start) {
            b.request_count = count;
            b.total_tokens = tokens;
            b.total_cost_microdollars = Microdollars(cost);
        }
    }
    Ok(buckets.into_values().collect())
}

pub(crate) async fn cost_overview(engine: &PgEngine, now: Timestamp) -> Result<CostOverview> {
    let (c24, c7, c30, total, requests): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $2), 0)::bigint,
                coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $3), 0)::bigint,
                coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $4), 0)::bigint,
                coalesce(sum(cost_microdollars), 0)::bigint,
                count(*)
         FROM ai_requests WHERE created_at < $1",
    )
    .bind(now)
    .bind(now - Duration::hours(24))
    .bind(now - Duration::days(7))
    .bind(now - Duration::days(30))
    .fetch_one(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let total = Microdollars(total);
    Ok(CostOverview {
        cost_24h_microdollars: Microdollars(c24),
        cost_7d_microdollars: Microdollars(c7),
        cost_30d_microdollars: Microdollars(c30),
        total_cost_microdollars: total,
        total_requests: requests,
        avg_cost_per_request_microdollars: Microdollars::average(total, requests),
    })
}
