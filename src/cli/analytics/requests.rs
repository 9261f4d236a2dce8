//! `analytics requests`: latency percentiles, error and cache-hit rates, per
//! model with an `(all)` row first.

use super::*;

pub(super) async fn requests(args: ReportArgs) -> Result<()> {
    let p = prepare(&args).await?;
    let stats = p.engine.request_stats(&p.window).await?;
    let set = request_stats_rows(&stats);
    let overall = request_stats_fields(&stats);
    output::emit(
        p.format,
        &Windowed::new(&p.window, &stats),
        || set.clone(),
        || {
            vec![
                heading("AI requests", Some(&p.window)),
                output::record_block(&overall),
                Block::Heading("By model".into()),
                Block::Table(set.without(&["provider", "failed_count", "cache_hit_count"])),
            ]
        },
    )
}

fn request_stats_fields(s: &RequestStats) -> Vec<Field> {
    vec![
        Field::new("request_count", "requests", Cell::Int(s.request_count)),
        Field::new("completed_count", "completed", Cell::Int(s.completed_count)),
        Field::new("failed_count", "failed", Cell::Int(s.failed_count)),
        Field::new("pending_count", "pending", Cell::Int(s.pending_count)),
        Field::new("error_rate", "error rate", Cell::Rate(s.error_rate)),
        Field::new(
            "cache_hit_rate",
            "cache-hit rate",
            Cell::Rate(s.cache_hit_rate),
        ),
        Field::new(
            "avg_latency_ms",
            "avg latency ms",
            Cell::Int(s.avg_latency_ms),
        ),
        Field::new(
            "p50_latency_ms",
            "p50 latency ms",
            Cell::opt_int(s.p50_latency_ms),
        ),
        Field::new(
            "p95_latency_ms",
            "p95 latency ms",
            Cell::opt_int(s.p95_latency_ms),
        ),
        Field::new(
            "p99_latency_ms",
            "p99 latency ms",
            Cell::opt_int(s.p99_latency_ms),
        ),
        Field::new("total_tokens", "tokens", Cell::Int(s.total_tokens)),
        Field::new(
            "total_cost_microdollars",
            "cost",
            Cell::Money(s.total_cost_microdollars),
        ),
        Field::new(
            "cache_read_tokens",
            "cache read tokens",
            Cell::Int(s.cache_read_tokens),
        ),
        Field::new(
            "cache_creation_tokens",
            "cache write tokens",
            Cell::Int(s.cache_creation_tokens),
        ),
        Field::new(
            "cached_input_share",
            "cached input",
            Cell::Rate(s.cached_input_share),
        ),
        Field::new(
            "rerouted_request_count",
            "served by another model",
            Cell::Int(s.rerouted_request_count),
        ),
    ]
}

/// Group label of the overall row in `analytics requests` CSV.
pub const ALL_KEY: &str = "(all)";

/// Request statistics as rows: the overall figures first (model and
/// provider `(all)`), then one row per model.
pub fn request_stats_rows(s: &RequestStats) -> RowSet {
    let set = RowSet::new(vec![
        Column::text("model", "model"),
        Column::id("provider", "provider"),
        Column::num("request_count", "requests"),
        Column::num("failed_count", "failed"),
        Column::num("cache_hit_count", "cache hits"),
        Column::num("error_rate", "errors"),
        Column::num("cache_hit_rate", "cache"),
        Column::num("avg_latency_ms", "avg ms"),
        Column::num("p50_latency_ms", "p50 ms"),
        Column::num("p95_latency_ms", "p95 ms"),
        Column::num("p99_latency_ms", "p99 ms"),
        Column::num("total_tokens", "tokens"),
        Column::num("total_cost_microdollars", "cost"),
    ]);
    let overall = vec![
        Cell::text(ALL_KEY),
        Cell::text(ALL_KEY),
        Cell::Int(s.request_count),
        Cell::Int(s.failed_count),
        Cell::Int(s.cache_hit_count),
        Cell::Rate(s.error_rate),
        Cell::Rate(s.cache_hit_rate),
        Cell::Int(s.avg_latency_ms),
        Cell::opt_int(s.p50_latency_ms),
        Cell::opt_int(s.p95_latency_ms),
        Cell::opt_int(s.p99_latency_ms),
        Cell::Int(s.total_tokens),
        Cell::Money(s.total_cost_microdollars),
    ];
    set.with_rows(std::iter::once(overall).chain(s.by_model.iter().map(|m| {
        vec![
            Cell::text(&m.model),
            Cell::text(&m.provider),
            Cell::Int(m.request_count),
            Cell::Int(m.failed_count),
            Cell::Int(m.cache_hit_count),
            Cell::Rate(m.error_rate),
            Cell::Rate(m.cache_hit_rate),
            Cell::Int(m.avg_latency_ms),
            Cell::opt_int(m.p50_latency_ms),
            Cell::opt_int(m.p95_latency_ms),
            Cell::opt_int(m.p99_latency_ms),
            Cell::Int(m.total_tokens),
            Cell::Money(m.total_cost_microdollars),
        ]
    })))
}
