//! `tracetop analytics …`: the platform reports (overview, conversations,
//! agents, users, tools, requests, sessions, content, traffic, costs) in
//! table, JSON or CSV.
//!
//! JSON is the query result as the engine returns it (see
//! `crate::query::types`); CSV flattens nested lists with a `dimension`
//! column (traffic, content) or one row per model with an `(all)` row first
//! (requests); single-record reports (overview, sessions, costs summary)
//! are one header and one row.

use super::common::{
    FormatArgs, SourceArgs, WindowArgs, Windowed, check_limit, heading, open_engine,
};
use crate::error::Result;
use crate::model::Timestamp;
use crate::output::{self, Block, Cell, Column, Document, Field, Format, RowSet};
use crate::query::*;
use serde::Serialize;
use std::sync::Arc;

mod burn;
pub use burn::{ZoneArgs, burn_rate_blocks, burn_rate_fields};
mod change;
mod leaders;
mod requests;
mod traffic;
pub use change::{
    ActivityChange, OverviewArgs, OverviewReport, PreviousCosts, activity_change_rows,
    activity_trend_rows, previous_cost_fields,
};
pub use leaders::tool_stats_rows;
use leaders::{agents, conversations, tools, users};
use requests::requests;
pub use requests::{ALL_KEY, request_stats_rows};
use traffic::{content, sessions, traffic};
pub use traffic::{content_rows, traffic_rows};

/// Default `--since` of the analytics reports.
pub const DEFAULT_SINCE: &str = "24h";
/// Default `--limit` of the analytics lists.
pub const DEFAULT_LIMIT: usize = 20;

/// Arguments of `tracetop analytics`.
#[derive(Debug, clap::Args)]
pub struct AnalyticsArgs {
    #[command(subcommand)]
    pub report: Report,
}

/// The reports.
#[derive(Debug, clap::Subcommand)]
pub enum Report {
    /// The platform counters and the window's activity against the previous
    /// window (↑/↓), or with --trend day|hour the activity per bucket.
    Overview(OverviewArgs),
    /// Recent conversations (contexts) with messages, requests and cost.
    Conversations(ReportArgs),
    /// Agents by task count: success rate, execution time, requests, cost.
    Agents(ReportArgs),
    /// Users by AI spend: requests, tokens, cost, sessions, tasks.
    Users(ReportArgs),
    /// Tools with execution count, success rate, average time, last use.
    Tools(ToolsReportArgs),
    /// AI request latency (p50/p95/p99), error and cache-hit rates, per model.
    Requests(ReportArgs),
    /// Sessions: counts, duration, bot share (clean traffic unless --include-bots).
    Sessions(TrafficArgs),
    /// Landing pages and referrers (clean traffic unless --include-bots).
    Content(TrafficArgs),
    /// Sessions by source, client, device and country, with bot/scanner share.
    Traffic(TrafficArgs),
    /// Spend: summary and 24h/7d/30d overview, or --by model|provider|agent|user, or --trend hour|day.
    Costs(CostsArgs),
}

/// Options every report takes.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Most rows in a list [default: 20; costs --by: all]
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// `analytics tools` options.
#[derive(Debug, clap::Args)]
pub struct ToolsReportArgs {
    #[command(flatten)]
    pub common: ReportArgs,
    /// Sort order.
    #[arg(long, value_enum, default_value = "executions")]
    pub sort: ToolSort,
}

/// Options of the session reports (sessions, content, traffic).
#[derive(Debug, clap::Args)]
pub struct TrafficArgs {
    #[command(flatten)]
    pub common: ReportArgs,
    /// Count sessions flagged as bots, AI crawlers, scanners or behavioural
    /// bots in the totals (by default they are left out, as the platform's
    /// own reports do, and shown beside).
    #[arg(long)]
    pub include_bots: bool,
}

impl TrafficArgs {
    fn counting(&self) -> Counting {
        Counting {
            include_bots: self.include_bots,
            ..Counting::PLATFORM
        }
    }
}

/// `analytics costs` options.
#[derive(Debug, clap::Args)]
pub struct CostsArgs {
    #[command(flatten)]
    pub common: ReportArgs,
    /// Count synthetic (test or probe) AI requests in the costs (by default
    /// they are left out, and the header says how many).
    #[arg(long)]
    pub include_synthetic: bool,
    /// Break the window's cost down by model, provider, agent or user.
    #[arg(long, value_enum, conflicts_with = "trend")]
    pub by: Option<CostDimension>,
    /// Cost per hour or day bucket over the window.
    #[arg(long, value_enum)]
    pub trend: Option<Bucket>,
    #[command(flatten)]
    pub zone: ZoneArgs,
}

/// What every report needs once its arguments are checked.
struct Prepared {
    engine: Arc<dyn QueryEngine>,
    format: Format,
    window: TimeWindow,
    limit: usize,
}

async fn prepare(args: &ReportArgs) -> Result<Prepared> {
    let format = args.output.format()?;
    let window = args.window.window_or(DEFAULT_SINCE)?;
    let limit = check_limit(args.limit.unwrap_or(DEFAULT_LIMIT))?;
    let engine = open_engine(&args.source).await?;
    Ok(Prepared {
        engine,
        format,
        window,
        limit,
    })
}

/// Run `tracetop analytics`.
pub async fn run(args: AnalyticsArgs) -> Result<()> {
    match args.report {
        Report::Overview(a) => change::overview(a).await,
        Report::Conversations(a) => conversations(a).await,
        Report::Agents(a) => agents(a).await,
        Report::Users(a) => users(a).await,
        Report::Tools(a) => tools(a).await,
        Report::Requests(a) => requests(a).await,
        Report::Sessions(a) => sessions(a).await,
        Report::Content(a) => content(a).await,
        Report::Traffic(a) => traffic(a).await,
        Report::Costs(a) => costs(a).await,
    }
}

/// A one-object report: JSON is the object with the window first, CSV one
/// header and one row (window included), the table its fields under a
/// header line that names the window.
fn single_record<T: Serialize>(
    format: Format,
    json: &T,
    title: &str,
    window: &TimeWindow,
    fields: Vec<Field>,
) -> Result<()> {
    let with_window = window_fields(window)
        .into_iter()
        .chain(fields)
        .collect::<Vec<_>>();
    output::emit(
        format,
        &Windowed::new(window, json),
        || output::record_rows(&with_window),
        || {
            vec![
                heading(title, Some(window)),
                output::record_block(&with_window[2..]),
            ]
        },
    )
}

/// `window_start` and `window_end` as the first fields of a record.
fn window_fields(window: &TimeWindow) -> Vec<Field> {
    vec![
        Field::new("window_start", "window start", Cell::Time(window.start)),
        Field::new("window_end", "window end", Cell::Time(window.end)),
    ]
}

/// The overview as fields (shared with tests of the table shape).
pub fn overview_fields(o: &PlatformOverview) -> Vec<Field> {
    vec![
        Field::new("total_users", "users", Cell::Int(o.total_users)),
        Field::new(
            "active_users_24h",
            "active users 24h",
            Cell::Int(o.active_users_24h),
        ),
        Field::new(
            "active_users_7d",
            "active users 7d",
            Cell::Int(o.active_users_7d),
        ),
        Field::new("total_sessions", "sessions", Cell::Int(o.total_sessions)),
        Field::new(
            "active_sessions",
            "active sessions",
            Cell::Int(o.active_sessions),
        ),
        Field::new("total_contexts", "contexts", Cell::Int(o.total_contexts)),
        Field::new("total_tasks", "tasks", Cell::Int(o.total_tasks)),
        Field::new(
            "total_ai_requests",
            "AI requests",
            Cell::Int(o.total_ai_requests),
        ),
    ]
}

fn list<T: Serialize>(
    format: Format,
    title: &str,
    window: &TimeWindow,
    json: &[T],
    rows: RowSet,
) -> Result<()> {
    list_hiding(format, title, window, json, rows, &[])
}

/// [`list`] with an optional note under the table's header (never in
/// JSON or CSV, whose shape stays the rows).
fn list_noting<T: Serialize>(
    format: Format,
    title: &str,
    window: &TimeWindow,
    json: &[T],
    rows: RowSet,
    note: Option<Block>,
) -> Result<()> {
    output::emit(
        format,
        json,
        || rows.clone(),
        || {
            let mut doc = vec![heading(title, Some(window))];
            doc.extend(note);
            doc.push(Block::Table(rows.clone()));
            doc
        },
    )
}

/// [`list`] with some columns left out of the table (CSV keeps them).
fn list_hiding<T: Serialize>(
    format: Format,
    title: &str,
    window: &TimeWindow,
    json: &[T],
    rows: RowSet,
    hidden_in_table: &[&str],
) -> Result<()> {
    output::emit(
        format,
        json,
        || rows.clone(),
        || {
            vec![
                heading(title, Some(window)),
                Block::Table(rows.without(hidden_in_table)),
            ]
        },
    )
}

/// The line under a cost report's header that says how many synthetic
/// requests were left out.
/// The rows a cost report leaves out, said in one line (none when nothing
/// was left out).
fn excluded_line(summary: &CostSummary) -> Option<Block> {
    let mut parts = Vec::new();
    if summary.synthetic_requests_excluded > 0 {
        parts.push(format!(
            "{} synthetic requests left out; --include-synthetic counts them",
            summary.synthetic_requests_excluded
        ));
    }
    if summary.no_model_requests_excluded > 0 {
        parts.push(format!(
            "{} requests without a model or provider left out (rejected, no spend)",
            summary.no_model_requests_excluded
        ));
    }
    (!parts.is_empty()).then(|| Block::Line(parts.join("; ")))
}

/// `analytics costs` without --by or --trend, as JSON: the window's summary
/// and the rolling overview, kept apart because both carry a
/// `total_cost_microdollars` with a different span.
#[derive(Debug, Clone, Serialize)]
pub struct CostReport {
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub summary: CostSummary,
    pub overview: CostOverview,
    /// The previous window of the same length and the change.
    #[serde(flatten)]
    pub previous: PreviousCosts,
    /// Spend now, today and this month at `window_end`, with projections.
    #[serde(flatten)]
    pub burn_rate: crate::model::BurnRate,
}

/// The cost report as one flat record (CSV and table): window figures
/// unprefixed, the all-time figures prefixed `all_time_`, then the
/// previous window's (`previous_…`, `…_change_percent`).
pub fn cost_report_fields(r: &CostReport) -> Vec<Field> {
    let (s, o) = (&r.summary, &r.overview);
    vec![
        Field::new("window_start", "window start", Cell::Time(r.window_start)),
        Field::new("window_end", "window end", Cell::Time(r.window_end)),
        Field::new("request_count", "requests", Cell::Int(s.request_count)),
        Field::new("input_tokens", "input tokens", Cell::Int(s.input_tokens)),
        Field::new("output_tokens", "output tokens", Cell::Int(s.output_tokens)),
        Field::new("total_tokens", "tokens", Cell::Int(s.total_tokens)),
        Field::new(
            "total_cost_microdollars",
            "cost",
            Cell::Money(s.total_cost_microdollars),
        ),
        Field::new(
            "avg_cost_per_request_microdollars",
            "avg per request",
            Cell::Money(s.avg_cost_per_request_microdollars),
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
            "synthetic_requests_excluded",
            "synthetic left out",
            Cell::Int(s.synthetic_requests_excluded),
        ),
        Field::new(
            "no_model_requests_excluded",
            "no model, left out",
            Cell::Int(s.no_model_requests_excluded),
        ),
        Field::new(
            "cost_24h_microdollars",
            "last 24h",
            Cell::Money(o.cost_24h_microdollars),
        ),
        Field::new(
            "cost_7d_microdollars",
            "last 7d",
            Cell::Money(o.cost_7d_microdollars),
        ),
        Field::new(
            "cost_30d_microdollars",
            "last 30d",
            Cell::Money(o.cost_30d_microdollars),
        ),
        Field::new(
            "all_time_cost_microdollars",
            "all time",
            Cell::Money(o.total_cost_microdollars),
        ),
        Field::new(
            "all_time_requests",
            "all-time requests",
            Cell::Int(o.total_requests),
        ),
        Field::new(
            "all_time_avg_cost_per_request_microdollars",
            "all-time avg per request",
            Cell::Money(o.avg_cost_per_request_microdollars),
        ),
    ]
    .into_iter()
    .chain(previous_cost_fields(&r.previous))
    .collect()
}

/// Fields of the cost record before the rolling figures (the window, its
/// figures with cache tokens and the two left-out counts), and the rolling
/// ones before the previous window's.
const COST_WINDOW_FIELDS: usize = 13;
const COST_ROLLING_FIELDS: usize = 6;

async fn costs(args: CostsArgs) -> Result<()> {
    let zone = args.zone.zone()?;
    let p = prepare(&args.common).await?;
    let counting = Counting {
        include_synthetic: args.include_synthetic,
        ..Counting::PLATFORM
    };
    if let Some(by) = args.by {
        let (mut rows, summary) = futures::try_join!(
            p.engine.cost_breakdown_counting(&p.window, by, counting),
            p.engine.cost_summary_counting(&p.window, counting)
        )?;
        if let Some(limit) = args.common.limit {
            rows.truncate(limit);
        }
        let set = cost_breakdown_rows(by, &rows);
        let title = format!("Costs by {}", by.column());
        return list_noting(
            p.format,
            &title,
            &p.window,
            &rows,
            set,
            excluded_line(&summary),
        );
    }
    if let Some(bucket) = args.trend {
        let (rows, summary) = futures::try_join!(
            p.engine.cost_trend_counting(&p.window, bucket, counting),
            p.engine.cost_summary_counting(&p.window, counting)
        )?;
        let set = RowSet::new(vec![
            Column::time("bucket_start", "bucket"),
            Column::num("request_count", "requests"),
            Column::num("total_tokens", "tokens"),
            Column::num("total_cost_microdollars", "cost"),
        ])
        .with_rows(rows.iter().map(|r| {
            vec![
                Cell::Time(r.bucket_start),
                Cell::Int(r.request_count),
                Cell::Int(r.total_tokens),
                Cell::Money(r.total_cost_microdollars),
            ]
        }));
        let title = match bucket {
            Bucket::Hour => "Cost per hour",
            Bucket::Day => "Cost per day",
        };
        return list_noting(
            p.format,
            title,
            &p.window,
            &rows,
            set,
            excluded_line(&summary),
        );
    }
    let (compared, overview) = futures::try_join!(
        cost_change_counting(p.engine.as_ref(), &p.window, counting),
        p.engine.cost_overview(p.window.end),
    )?;
    // after, not beside: a remote server caps the queries a token runs at once
    let burn_rate = crate::budget::burn_rate(p.engine.as_ref(), p.window.end, zone).await?;
    let report = CostReport {
        window_start: p.window.start,
        window_end: p.window.end,
        previous: PreviousCosts::from(&compared),
        summary: compared.current,
        overview,
        burn_rate,
    };
    let fields = cost_report_fields(&report);
    output::emit(
        p.format,
        &report,
        || {
            let mut all = fields.clone();
            all.extend(burn_rate_fields(&report.burn_rate));
            output::record_rows(&all)
        },
        || {
            let rolling_end = COST_WINDOW_FIELDS + COST_ROLLING_FIELDS;
            let previous = TimeWindow {
                start: report.previous.previous_window_start,
                end: report.previous.previous_window_end,
            };
            let mut doc = vec![heading("Costs", Some(&p.window))];
            doc.extend(excluded_line(&report.summary));
            doc.extend([
                output::record_block(&fields[2..COST_WINDOW_FIELDS]),
                heading("Previous window", Some(&previous)),
                output::record_block(&fields[rolling_end + 2..]),
                Block::Heading("Rolling".into()),
                output::record_block(&fields[COST_WINDOW_FIELDS..rolling_end]),
            ]);
            doc.extend(burn_rate_blocks(&report.burn_rate));
            doc
        },
    )
}

/// A cost breakdown as rows; the first column is named after the dimension.
pub fn cost_breakdown_rows(by: CostDimension, rows: &[CostBreakdownRow]) -> RowSet {
    RowSet::new(vec![
        Column::text(by.column(), by.column()),
        Column::num("request_count", "requests"),
        Column::num("input_tokens", "input"),
        Column::num("output_tokens", "output"),
        Column::num("total_tokens", "tokens"),
        Column::num("total_cost_microdollars", "cost"),
        Column::num("cost_share", "share"),
        Column::num("cache_read_tokens", "cache read"),
        Column::num("cache_creation_tokens", "cache write"),
        Column::num("cached_input_share", "cached"),
    ])
    .with_rows(rows.iter().map(|r| {
        vec![
            Cell::text(&r.key),
            Cell::Int(r.request_count),
            Cell::Int(r.input_tokens),
            Cell::Int(r.output_tokens),
            Cell::Int(r.total_tokens),
            Cell::Money(r.total_cost_microdollars),
            Cell::Rate(r.cost_share),
            Cell::Int(r.cache_read_tokens),
            Cell::Int(r.cache_creation_tokens),
            Cell::Rate(r.cached_input_share),
        ]
    }))
}
