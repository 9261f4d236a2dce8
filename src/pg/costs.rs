//! AI spend: summary over a window, breakdown by model / provider / agent,
//! hourly or daily trend (every bucket present), and the 24h / 7d / 30d /
//! all-time overview. Sums are integers (`::bigint`, overflow is an error);
//! averages and shares are computed here from the integer totals. Trend
//! buckets are `date_trunc` in the session time zone, which the engine's
//! sessions fix to UTC.
//!
//! Rows without a model or provider are never counted (the platform's
//! cost reports skip them); synthetic rows are left out unless the caller's [`Counting`] includes
//! them (bound as a parameter: `$N OR NOT synthetic`); on a database
//! without the `synthetic` column every row is real. Cache tokens read
//! `0` where the column is absent.

use super::PgEngine;
use crate::error::{Error, Result};
use crate::model::{Microdollars, Timestamp};
use crate::query::{
    Bucket, CostBreakdownRow, CostDimension, CostOverview, CostSummary, CostTrendBucket, Counting,
    NO_AGENT, TimeWindow, cached_share, rate,
};
use chrono::Duration;
use std::collections::BTreeMap;

/// The sums every cost figure is made of, over requests aliased `r` that
/// pass `filter` (a boolean SQL expression).
fn sums_sql(engine: &PgEngine, filter: &str) -> String {
    let f = format!("FILTER (WHERE {filter})");
    format!(
        "count(*) {f} AS n,
         coalesce(sum(coalesce(r.input_tokens, 0)) {f}, 0)::bigint AS input,
         coalesce(sum(coalesce(r.output_tokens, 0)) {f}, 0)::bigint AS output,
         coalesce(sum(coalesce(r.tokens_used, 0)) {f}, 0)::bigint AS tokens,
         coalesce(sum(r.cost_microdollars) {f}, 0)::bigint AS cost,
         coalesce(sum({read}) {f}, 0)::bigint AS cache_read,
         coalesce(sum({write}) {f}, 0)::bigint AS cache_write",
        read = engine.optional_column("ai_requests", "r", "cache_read_tokens", "0"),
        write = engine.optional_column("ai_requests", "r", "cache_creation_tokens", "0"),
    )
}

#[derive(sqlx::FromRow)]
struct SumsRow {
    n: i64,
    input: i64,
    output: i64,
    tokens: i64,
    cost: i64,
    cache_read: i64,
    cache_write: i64,
}

pub(crate) async fn cost_summary(
    engine: &PgEngine,
    window: &TimeWindow,
    counting: Counting,
) -> Result<CostSummary> {
    // One scan: the counted rows' sums, the number of synthetic rows and of
    // rows without a model or provider.
    let synthetic = engine.synthetic_sql("r");
    let has_model = engine.has_model_sql("r");
    let sql = format!(
        "SELECT {sums}, count(*) FILTER (WHERE {has_model} AND {synthetic}) AS synthetic,
                count(*) FILTER (WHERE NOT {has_model}) AS no_model
         FROM ai_requests r WHERE r.created_at >= $1 AND r.created_at < $2",
        sums = sums_sql(engine, &format!("{has_model} AND ($3 OR NOT {synthetic})")),
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        sums: SumsRow,
        synthetic: i64,
        no_model: i64,
    }
    let Row {
        sums: s,
        synthetic,
        no_model,
    } = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(counting.include_synthetic)
        .fetch_one(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    let total = Microdollars(s.cost);
    Ok(CostSummary {
        request_count: s.n,
        input_tokens: s.input,
        output_tokens: s.output,
        total_tokens: s.tokens,
        total_cost_microdollars: total,
        avg_cost_per_request_microdollars: Microdollars::average(total, s.n),
        cache_read_tokens: s.cache_read,
        cache_creation_tokens: s.cache_write,
        cached_input_share: cached_share(s.cache_read, s.input),
        synthetic_requests_excluded: if counting.include_synthetic {
            0
        } else {
            synthetic
        },
        no_model_requests_excluded: no_model,
    })
}

pub(crate) async fn cost_breakdown(
    engine: &PgEngine,
    window: &TimeWindow,
    by: CostDimension,
    counting: Counting,
) -> Result<Vec<CostBreakdownRow>> {
    // Ordering: cost desc, then key (byte order, as Rust sorts strings).
    // agent_tasks.task_id is the primary key: the LEFT JOIN never
    // multiplies request rows.
    let (key, from) = match by {
        CostDimension::Model => ("coalesce(r.model::text, '')", "ai_requests r"),
        CostDimension::Provider => ("coalesce(r.provider::text, '')", "ai_requests r"),
        CostDimension::User => ("coalesce(r.user_id::text, '')", "ai_requests r"),
        CostDimension::Agent => (
            "coalesce(t.agent_name::text, $4)",
            "ai_requests r LEFT JOIN agent_tasks t ON t.task_id = r.task_id",
        ),
    };
    let sql = format!(
        "SELECT {key} AS key, {sums} FROM {from}
         WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3 OR NOT {synthetic})
           AND {has_model}
         GROUP BY 1 ORDER BY cost DESC, {key} COLLATE \"C\"",
        sums = sums_sql(engine, "true"),
        synthetic = engine.synthetic_sql("r"),
        has_model = engine.has_model_sql("r"),
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        key: String,
        #[sqlx(flatten)]
        sums: SumsRow,
    }
    let mut query = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(counting.include_synthetic);
    if by == CostDimension::Agent {
        query = query.bind(NO_AGENT);
    }
    let rows = query
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    let total = Microdollars::checked_sum(rows.iter().map(|r| Microdollars(r.sums.cost)))
        .ok_or_else(|| Error::other("cost total overflows 64 bits"))?;
    Ok(rows
        .into_iter()
        .map(|Row { key, sums: s }| CostBreakdownRow {
            dimension: by,
            key,
            request_count: s.n,
            input_tokens: s.input,
            output_tokens: s.output,
            total_tokens: s.tokens,
            total_cost_microdollars: Microdollars(s.cost),
            cost_share: rate(s.cost, total.get()),
            cache_read_tokens: s.cache_read,
            cache_creation_tokens: s.cache_write,
            cached_input_share: cached_share(s.cache_read, s.input),
        })
        .collect())
}

pub(crate) async fn cost_trend(
    engine: &PgEngine,
    window: &TimeWindow,
    bucket: Bucket,
    counting: Counting,
) -> Result<Vec<CostTrendBucket>> {
    let sql = format!(
        "SELECT date_trunc($3, r.created_at) AS b, count(*),
                coalesce(sum(coalesce(r.tokens_used, 0)), 0)::bigint,
                coalesce(sum(r.cost_microdollars), 0)::bigint
         FROM ai_requests r
         WHERE r.created_at >= $1 AND r.created_at < $2 AND ($4 OR NOT {}) AND {}
         GROUP BY b",
        engine.synthetic_sql("r"),
        engine.has_model_sql("r")
    );
    let rows: Vec<(Timestamp, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(bucket.pg_unit())
        .bind(counting.include_synthetic)
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
    let sql = format!(
        "SELECT coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $2), 0)::bigint,
                coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $3), 0)::bigint,
                coalesce(sum(cost_microdollars) FILTER (WHERE created_at >= $4), 0)::bigint,
                coalesce(sum(cost_microdollars), 0)::bigint,
                count(*)
         FROM ai_requests r WHERE r.created_at < $1 AND NOT {} AND {}",
        engine.synthetic_sql("r"),
        engine.has_model_sql("r")
    );
    let (c24, c7, c30, total, requests): (i64, i64, i64, i64, i64) =
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
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
