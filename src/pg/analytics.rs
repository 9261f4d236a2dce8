//! The analytics reports beyond costs: AI request statistics (latency
//! percentiles, error and cache-hit rates, per model), session statistics,
//! traffic (source, client, device, country), content (landing pages and
//! referrers) and recent conversations with their totals.

use super::PgEngine;
use super::columns::{limit, truncate};
use crate::error::Result;
use crate::model::*;
use crate::query::{
    ContentReport, ContentRow, ConversationRow, Counting, DIRECT_KEY, ModelRequestStats,
    RequestStats, SESSION_DURATION_CAP_SECONDS, SessionStats, TimeWindow, TrafficReport,
    TrafficRow, UNKNOWN_KEY, cached_share, int_avg, rate,
};

/// One aggregate row of request statistics: the overall row
/// (`grouping` ≠ 0, model and provider empty) or one (model, provider).
#[derive(sqlx::FromRow)]
struct StatsRow {
    grouping: i32,
    model: String,
    provider: String,
    n: i64,
    completed: i64,
    failed: i64,
    pending: i64,
    cache: i64,
    lat_sum: i64,
    lat_n: i64,
    p50: Option<i32>,
    p95: Option<i32>,
    p99: Option<i32>,
    tokens: i64,
    cost: i64,
    cache_read: i64,
    cache_write: i64,
    input: i64,
    rerouted: i64,
}

pub(crate) async fn request_stats(engine: &PgEngine, window: &TimeWindow) -> Result<RequestStats> {
    // GROUPING SETS: the overall row (model and provider NULL → '') and one
    // row per (model, provider), from one scan of the window.
    let requested = engine.optional_column("ai_requests", "r", "requested_model", "NULL");
    let sql = format!(
        "SELECT GROUPING(model, provider)::int AS grouping,
                coalesce(model, '') AS model, coalesce(provider, '') AS provider,
                count(*) AS n,
                count(*) FILTER (WHERE status = 'completed') AS completed,
                count(*) FILTER (WHERE status = 'failed') AS failed,
                count(*) FILTER (WHERE status = 'pending') AS pending,
                count(*) FILTER (WHERE cache_hit) AS cache,
                coalesce(sum(latency_ms), 0)::bigint AS lat_sum,
                count(latency_ms) AS lat_n,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
                percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
                coalesce(sum(coalesce(tokens_used, 0)), 0)::bigint AS tokens,
                coalesce(sum(cost_microdollars), 0)::bigint AS cost,
                coalesce(sum({read}), 0)::bigint AS cache_read,
                coalesce(sum({write}), 0)::bigint AS cache_write,
                coalesce(sum(coalesce(input_tokens, 0)), 0)::bigint AS input,
                count(*) FILTER (WHERE {requested} IS NOT NULL
                                   AND {requested}::text <> coalesce(model::text, '')) AS rerouted
         FROM ai_requests r WHERE created_at >= $1 AND created_at < $2
         GROUP BY GROUPING SETS ((), (model, provider))",
        read = engine.optional_column("ai_requests", "r", "cache_read_tokens", "0"),
        write = engine.optional_column("ai_requests", "r", "cache_creation_tokens", "0"),
    );
    let rows: Vec<StatsRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;

    let mut stats = RequestStats::default();
    let mut by_model = Vec::new();
    for r in rows {
        if r.grouping != 0 {
            stats = RequestStats {
                request_count: r.n,
                completed_count: r.completed,
                failed_count: r.failed,
                pending_count: r.pending,
                cache_hit_count: r.cache,
                error_rate: rate(r.failed, r.n),
                cache_hit_rate: rate(r.cache, r.n),
                avg_latency_ms: int_avg(r.lat_sum, r.lat_n),
                p50_latency_ms: r.p50.map(i64::from),
                p95_latency_ms: r.p95.map(i64::from),
                p99_latency_ms: r.p99.map(i64::from),
                total_tokens: r.tokens,
                total_cost_microdollars: Microdollars(r.cost),
                cache_read_tokens: r.cache_read,
                cache_creation_tokens: r.cache_write,
                cached_input_share: cached_share(r.cache_read, r.input),
                rerouted_request_count: r.rerouted,
                by_model: Vec::new(),
            };
        } else {
            by_model.push(ModelRequestStats {
                model: r.model,
                provider: r.provider,
                request_count: r.n,
                failed_count: r.failed,
                cache_hit_count: r.cache,
                error_rate: rate(r.failed, r.n),
                cache_hit_rate: rate(r.cache, r.n),
                avg_latency_ms: int_avg(r.lat_sum, r.lat_n),
                p50_latency_ms: r.p50.map(i64::from),
                p95_latency_ms: r.p95.map(i64::from),
                p99_latency_ms: r.p99.map(i64::from),
                total_tokens: r.tokens,
                total_cost_microdollars: Microdollars(r.cost),
            });
        }
    }
    by_model.sort_by(|a, b| {
        b.request_count
            .cmp(&a.request_count)
            .then_with(|| a.model.cmp(&b.model))
            .then_with(|| a.provider.cmp(&b.provider))
    });
    stats.by_model = by_model;
    Ok(stats)
}

pub(crate) async fn session_stats(
    engine: &PgEngine,
    window: &TimeWindow,
    counting: Counting,
) -> Result<SessionStats> {
    let bot = engine.bot_session_sql("us");
    let crawler = engine.optional_column("user_sessions", "us", "is_ai_crawler", "false");
    // `counted`: the sessions the totals cover; the bot figures beside them
    // cover every session in the window.
    let counted = format!("($3 OR NOT {bot})");
    let cap = SESSION_DURATION_CAP_SECONDS;
    let sql = format!(
        "SELECT count(*) FILTER (WHERE {counted}) AS sessions,
                count(DISTINCT us.user_id) FILTER (WHERE {counted}) AS users,
                count(us.ended_at) FILTER (WHERE {counted}) AS ended,
                coalesce(sum(least(extract(epoch FROM us.ended_at) - extract(epoch FROM us.started_at), {cap})
                              * 1000000) FILTER (WHERE {counted} AND us.ended_at IS NOT NULL),
                         0)::bigint AS duration_us,
                coalesce(sum(us.request_count) FILTER (WHERE {counted}), 0)::bigint AS requests,
                coalesce(sum(us.ai_request_count) FILTER (WHERE {counted}), 0)::bigint AS ai_requests,
                count(*) AS all_sessions,
                count(*) FILTER (WHERE {bot}) AS bots,
                count(*) FILTER (WHERE us.is_scanner) AS scanners,
                count(*) FILTER (WHERE us.is_behavioral_bot) AS behavioral,
                count(*) FILTER (WHERE {crawler}) AS crawlers
         FROM user_sessions us WHERE us.started_at >= $1 AND us.started_at < $2"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        sessions: i64,
        users: i64,
        ended: i64,
        duration_us: i64,
        requests: i64,
        ai_requests: i64,
        all_sessions: i64,
        bots: i64,
        scanners: i64,
        behavioral: i64,
        crawlers: i64,
    }
    let r: Row = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(counting.include_bots)
        .fetch_one(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    Ok(SessionStats {
        bots_included: counting.include_bots,
        session_count: r.sessions,
        unique_users: r.users,
        ended_count: r.ended,
        avg_duration_seconds: int_avg(r.duration_us, r.ended.saturating_mul(1_000_000)),
        total_requests: r.requests,
        total_ai_requests: r.ai_requests,
        bot_sessions: r.bots,
        scanner_sessions: r.scanners,
        behavioral_bot_sessions: r.behavioral,
        ai_crawler_sessions: r.crawlers,
        bot_share: rate(r.bots, r.all_sessions),
    })
}

pub(crate) async fn traffic(
    engine: &PgEngine,
    window: &TimeWindow,
    n: usize,
    counting: Counting,
) -> Result<TrafficReport> {
    // One scan, five groupings: dimension 0 source, 1 client, 2 device,
    // 3 country (the NULL key becomes `(unknown)`), 4 the window's totals.
    let bot = engine.bot_session_sql("us");
    let sql = format!(
        "SELECT CASE WHEN GROUPING(us.session_source) = 0 THEN 0
                     WHEN GROUPING(us.client_id) = 0 THEN 1
                     WHEN GROUPING(us.device_type) = 0 THEN 2
                     WHEN GROUPING(us.country) = 0 THEN 3
                     ELSE 4 END AS dim,
                coalesce(us.session_source::text, us.client_id::text, us.device_type::text,
                         us.country::text, $3),
                count(*) FILTER (WHERE $4 OR NOT {bot}),
                count(*) FILTER (WHERE {bot}),
                count(*) FILTER (WHERE us.is_scanner),
                count(*)
         FROM user_sessions us WHERE us.started_at >= $1 AND us.started_at < $2
         GROUP BY GROUPING SETS ((us.session_source), (us.client_id), (us.device_type),
                                 (us.country), ())"
    );
    let rows: Vec<(i32, String, i64, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(UNKNOWN_KEY)
        .bind(counting.include_bots)
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    let (total, bots, scanners, all) = rows
        .iter()
        .find(|r| r.0 == 4)
        .map(|r| (r.2, r.3, r.4, r.5))
        .unwrap_or((0, 0, 0, 0));

    let mut groups: [Vec<TrafficRow>; 4] = Default::default();
    for (dim, key, count, bot, scanner, _) in rows {
        let Some(slot) = usize::try_from(dim).ok().filter(|d| *d < 4) else {
            continue;
        };
        groups[slot].push(TrafficRow {
            key,
            session_count: count,
            bot_count: bot,
            scanner_count: scanner,
            share: rate(count, total),
        });
    }
    let [source, client, device, country] = groups.map(|mut rows| {
        crate::query::sort_traffic_rows(&mut rows);
        truncate(rows, n)
    });
    Ok(TrafficReport {
        bots_included: counting.include_bots,
        total_sessions: total,
        bot_sessions: bots,
        scanner_sessions: scanners,
        bot_share: rate(bots, all),
        scanner_share: rate(scanners, all),
        by_source: source,
        by_client: client,
        by_device: device,
        by_country: country,
    })
}

pub(crate) async fn content(
    engine: &PgEngine,
    window: &TimeWindow,
    n: usize,
    counting: Counting,
) -> Result<ContentReport> {
    // One scan of the counted sessions: landing pages (0), referrers (1)
    // and the total (2); then the window's bot sessions.
    let bot = engine.bot_session_sql("us");
    let sql = format!(
        "SELECT CASE WHEN GROUPING(us.landing_page) = 0 THEN 0
                     WHEN GROUPING(us.referrer_source) = 0 THEN 1
                     ELSE 2 END,
                CASE WHEN GROUPING(us.landing_page) = 0 THEN coalesce(us.landing_page::text, $3)
                     ELSE coalesce(us.referrer_source::text, $4) END,
                count(*), count(DISTINCT us.user_id)
         FROM user_sessions us
         WHERE us.started_at >= $1 AND us.started_at < $2 AND ($5 OR NOT {bot})
         GROUP BY GROUPING SETS ((us.landing_page), (us.referrer_source), ())"
    );
    let rows: Vec<(i32, String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(window.start)
        .bind(window.end)
        .bind(UNKNOWN_KEY)
        .bind(DIRECT_KEY)
        .bind(counting.include_bots)
        .fetch_all(engine.pool())
        .await
        .map_err(|e| engine.err(e))?;
    let bot_sessions: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM user_sessions us
         WHERE us.started_at >= $1 AND us.started_at < $2 AND {bot}"
    )))
    .bind(window.start)
    .bind(window.end)
    .fetch_one(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let total = rows.iter().find(|r| r.0 == 2).map(|r| r.2).unwrap_or(0);
    let mut landing = Vec::new();
    let mut referrers = Vec::new();
    for (grouping, key, count, users) in rows {
        let row = ContentRow {
            key,
            session_count: count,
            unique_users: users,
            share: rate(count, total),
        };
        match grouping {
            0 => landing.push(row),
            1 => referrers.push(row),
            _ => {}
        }
    }
    let order = |rows: &mut Vec<ContentRow>| {
        rows.sort_by(|a, b| {
            b.session_count
                .cmp(&a.session_count)
                .then_with(|| a.key.cmp(&b.key))
        })
    };
    order(&mut landing);
    order(&mut referrers);
    Ok(ContentReport {
        bots_included: counting.include_bots,
        total_sessions: total,
        bot_sessions,
        landing_pages: truncate(landing, n),
        referrers: truncate(referrers, n),
    })
}

type ConversationSqlRow = (
    String,
    String,
    String,
    Timestamp,
    Timestamp,
    i64,
    i64,
    i64,
    i64,
);

pub(crate) async fn conversations(
    engine: &PgEngine,
    window: &TimeWindow,
    n: usize,
) -> Result<Vec<ConversationRow>> {
    // Pick the contexts first (index on updated_at), then aggregate requests
    // and messages for those contexts only, each in its own CTE.
    let rows: Vec<ConversationSqlRow> = sqlx::query_as(
        "WITH ctx AS (
             SELECT context_id, name, user_id, created_at, updated_at FROM user_contexts
             WHERE updated_at >= $1 AND updated_at < $2
             ORDER BY updated_at DESC, context_id COLLATE \"C\" LIMIT $3),
         req AS (
             SELECT r.context_id, count(*) AS n,
                    coalesce(sum(coalesce(r.tokens_used, 0)), 0)::bigint AS tokens,
                    coalesce(sum(r.cost_microdollars), 0)::bigint AS cost
             FROM ai_requests r WHERE r.context_id IN (SELECT context_id FROM ctx)
             GROUP BY r.context_id),
         msg AS (
             SELECT r.context_id, count(*) AS n
             FROM ai_request_messages m JOIN ai_requests r ON r.id = m.request_id
             WHERE r.context_id IN (SELECT context_id FROM ctx)
             GROUP BY r.context_id)
         SELECT ctx.context_id, ctx.name, ctx.user_id, ctx.created_at, ctx.updated_at,
                coalesce(msg.n, 0), coalesce(req.n, 0), coalesce(req.tokens, 0), coalesce(req.cost, 0)
         FROM ctx
         LEFT JOIN req ON req.context_id = ctx.context_id
         LEFT JOIN msg ON msg.context_id = ctx.context_id
         ORDER BY ctx.updated_at DESC, ctx.context_id COLLATE \"C\"",
    )
    .bind(window.start)
    .bind(window.end)
    .bind(limit(n))
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    Ok(rows
        .into_iter()
        .map(|r| ConversationRow {
            context_id: ContextId(r.0),
            name: r.1,
            user_id: UserId(r.2),
            created_at: r.3,
            updated_at: r.4,
            message_count: r.5,
            request_count: r.6,
            total_tokens: r.7,
            total_cost_microdollars: Microdollars(r.8),
        })
        .collect())
}
