//! What changed: `analytics overview` (the platform counters, the window's
//! activity against the previous window of the same length, or with
//! `--trend day|hour` the activity per bucket) and the previous-window
//! figures the cost report carries (`previous_…`, `…_change_percent`).
//!
//! A change is `null` in JSON, empty in CSV and `-` in tables when the
//! previous value is 0; tables show it as `↑ 12.5%` / `↓ 3.0%`.

use super::{ReportArgs, list, overview_fields, prepare, window_fields};
use crate::cli::common::heading;
use crate::error::Result;
use crate::model::{Microdollars, Timestamp};
use crate::output::{self, Block, Cell, Column, Field, RowSet};
use crate::query::Counting;
use crate::query::{
    ActivityBucket, ActivityTotals, Bucket, Compared, CostSummary, PlatformOverview,
    activity_change, change_percent,
};
use serde::Serialize;

/// `analytics overview` options.
#[derive(Debug, clap::Args)]
pub struct OverviewArgs {
    #[command(flatten)]
    pub common: ReportArgs,
    /// Instead of the counters: sessions, contexts, tasks, AI requests and
    /// tool executions per day or hour of the window.
    #[arg(long, value_enum)]
    pub trend: Option<Bucket>,
    /// Count sessions flagged as bots, AI crawlers, scanners or behavioural
    /// bots in the user and session counters (left out by default, as the
    /// platform's own overview does).
    #[arg(long)]
    pub include_bots: bool,
}

/// `analytics overview` as JSON: the window and the previous one, the
/// eight counters (relative to the window's end), then each activity
/// dimension as `x`, `previous_x`, `x_change_percent`.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewReport {
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub previous_window_start: Timestamp,
    pub previous_window_end: Timestamp,
    #[serde(flatten)]
    pub counters: PlatformOverview,
    #[serde(flatten)]
    pub activity: ActivityChange,
}

/// The window's activity beside the previous window's.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityChange {
    pub sessions: i64,
    pub previous_sessions: i64,
    pub sessions_change_percent: Option<f64>,
    pub contexts: i64,
    pub previous_contexts: i64,
    pub contexts_change_percent: Option<f64>,
    pub tasks: i64,
    pub previous_tasks: i64,
    pub tasks_change_percent: Option<f64>,
    pub ai_requests: i64,
    pub previous_ai_requests: i64,
    pub ai_requests_change_percent: Option<f64>,
    pub tool_executions: i64,
    pub previous_tool_executions: i64,
    pub tool_executions_change_percent: Option<f64>,
}

impl From<&Compared<ActivityTotals>> for ActivityChange {
    fn from(c: &Compared<ActivityTotals>) -> Self {
        let (now, before) = (&c.current, &c.previous);
        ActivityChange {
            sessions: now.sessions,
            previous_sessions: before.sessions,
            sessions_change_percent: change_percent(now.sessions, before.sessions),
            contexts: now.contexts,
            previous_contexts: before.contexts,
            contexts_change_percent: change_percent(now.contexts, before.contexts),
            tasks: now.tasks,
            previous_tasks: before.tasks,
            tasks_change_percent: change_percent(now.tasks, before.tasks),
            ai_requests: now.ai_requests,
            previous_ai_requests: before.ai_requests,
            ai_requests_change_percent: change_percent(now.ai_requests, before.ai_requests),
            tool_executions: now.tool_executions,
            previous_tool_executions: before.tool_executions,
            tool_executions_change_percent: change_percent(
                now.tool_executions,
                before.tool_executions,
            ),
        }
    }
}

/// Table titles of the activity dimensions, in [`ActivityTotals::dimensions`] order.
const ACTIVITY_TITLES: [&str; 5] = [
    "sessions",
    "contexts",
    "tasks",
    "AI requests",
    "tool executions",
];

/// Run `analytics overview`.
pub(super) async fn overview(args: OverviewArgs) -> Result<()> {
    let p = prepare(&args.common).await?;
    if let Some(bucket) = args.trend {
        let rows = p.engine.activity_trend(&p.window, bucket).await?;
        let title = match bucket {
            Bucket::Hour => "Activity per hour",
            Bucket::Day => "Activity per day",
        };
        return list(
            p.format,
            title,
            &p.window,
            &rows,
            activity_trend_rows(&rows),
        );
    }
    let (counters, activity) = futures::try_join!(
        p.engine.overview_counting(
            p.window.end,
            Counting {
                include_bots: args.include_bots,
                ..Counting::PLATFORM
            }
        ),
        activity_change(p.engine.as_ref(), &p.window)
    )?;
    let report = OverviewReport {
        window_start: activity.window.start,
        window_end: activity.window.end,
        previous_window_start: activity.previous_window.start,
        previous_window_end: activity.previous_window.end,
        counters,
        activity: ActivityChange::from(&activity),
    };
    let fields = overview_report_fields(&report, &activity);
    output::emit(
        p.format,
        &report,
        || output::record_rows(&fields),
        || {
            vec![
                heading("Platform overview", Some(&p.window)),
                output::record_block(&overview_fields(&report.counters)),
                heading(
                    "Activity against the previous window",
                    Some(&activity.previous_window),
                ),
                Block::Table(activity_change_rows(&activity)),
            ]
        },
    )
}

/// The overview as one CSV record: windows, counters, then each dimension's
/// figure, previous figure and change.
fn overview_report_fields(r: &OverviewReport, c: &Compared<ActivityTotals>) -> Vec<Field> {
    let mut fields = window_fields(&c.window);
    fields.push(Field::new(
        "previous_window_start",
        "previous window start",
        Cell::Time(r.previous_window_start),
    ));
    fields.push(Field::new(
        "previous_window_end",
        "previous window end",
        Cell::Time(r.previous_window_end),
    ));
    fields.extend(overview_fields(&r.counters));
    let a = &r.activity;
    let dims = [
        (
            "sessions",
            "previous_sessions",
            "sessions_change_percent",
            a.sessions,
            a.previous_sessions,
            a.sessions_change_percent,
        ),
        (
            "contexts",
            "previous_contexts",
            "contexts_change_percent",
            a.contexts,
            a.previous_contexts,
            a.contexts_change_percent,
        ),
        (
            "tasks",
            "previous_tasks",
            "tasks_change_percent",
            a.tasks,
            a.previous_tasks,
            a.tasks_change_percent,
        ),
        (
            "ai_requests",
            "previous_ai_requests",
            "ai_requests_change_percent",
            a.ai_requests,
            a.previous_ai_requests,
            a.ai_requests_change_percent,
        ),
        (
            "tool_executions",
            "previous_tool_executions",
            "tool_executions_change_percent",
            a.tool_executions,
            a.previous_tool_executions,
            a.tool_executions_change_percent,
        ),
    ];
    for (key, previous_key, change_key, now, before, change) in dims {
        fields.push(Field::new(key, key, Cell::Int(now)));
        fields.push(Field::new(previous_key, previous_key, Cell::Int(before)));
        fields.push(Field::new(change_key, change_key, Cell::Change(change)));
    }
    fields
}

/// One row per activity dimension: window, previous window, change.
pub fn activity_change_rows(c: &Compared<ActivityTotals>) -> RowSet {
    RowSet::new(vec![
        Column::text("dimension", "activity"),
        Column::num("current", "window"),
        Column::num("previous", "previous"),
        Column::num("change_percent", "change"),
    ])
    .with_rows(
        c.current
            .dimensions()
            .into_iter()
            .zip(c.previous.dimensions())
            .zip(ACTIVITY_TITLES)
            .map(|(((_, now), (_, before)), title)| {
                vec![
                    Cell::text(title),
                    Cell::Int(now),
                    Cell::Int(before),
                    Cell::Change(change_percent(now, before)),
                ]
            }),
    )
}

/// The activity trend as rows.
pub fn activity_trend_rows(rows: &[ActivityBucket]) -> RowSet {
    RowSet::new(vec![
        Column::time("bucket_start", "bucket"),
        Column::num("sessions", "sessions"),
        Column::num("contexts", "contexts"),
        Column::num("tasks", "tasks"),
        Column::num("ai_requests", "AI requests"),
        Column::num("tool_executions", "tool executions"),
    ])
    .with_rows(rows.iter().map(|b| {
        vec![
            Cell::Time(b.bucket_start),
            Cell::Int(b.sessions),
            Cell::Int(b.contexts),
            Cell::Int(b.tasks),
            Cell::Int(b.ai_requests),
            Cell::Int(b.tool_executions),
        ]
    }))
}

/// The cost report's previous window: its figures and the change of each.
#[derive(Debug, Clone, Serialize)]
pub struct PreviousCosts {
    pub previous_window_start: Timestamp,
    pub previous_window_end: Timestamp,
    pub previous_request_count: i64,
    pub previous_total_tokens: i64,
    pub previous_total_cost_microdollars: Microdollars,
    pub request_change_percent: Option<f64>,
    pub tokens_change_percent: Option<f64>,
    pub cost_change_percent: Option<f64>,
}

impl From<&Compared<CostSummary>> for PreviousCosts {
    fn from(c: &Compared<CostSummary>) -> Self {
        let (now, before) = (&c.current, &c.previous);
        PreviousCosts {
            previous_window_start: c.previous_window.start,
            previous_window_end: c.previous_window.end,
            previous_request_count: before.request_count,
            previous_total_tokens: before.total_tokens,
            previous_total_cost_microdollars: before.total_cost_microdollars,
            request_change_percent: change_percent(now.request_count, before.request_count),
            tokens_change_percent: change_percent(now.total_tokens, before.total_tokens),
            cost_change_percent: change_percent(
                now.total_cost_microdollars.get(),
                before.total_cost_microdollars.get(),
            ),
        }
    }
}

/// The previous-window fields of the cost report (CSV and table).
pub fn previous_cost_fields(p: &PreviousCosts) -> Vec<Field> {
    vec![
        Field::new(
            "previous_window_start",
            "previous window start",
            Cell::Time(p.previous_window_start),
        ),
        Field::new(
            "previous_window_end",
            "previous window end",
            Cell::Time(p.previous_window_end),
        ),
        Field::new(
            "previous_request_count",
            "requests",
            Cell::Int(p.previous_request_count),
        ),
        Field::new(
            "request_change_percent",
            "requests change",
            Cell::Change(p.request_change_percent),
        ),
        Field::new(
            "previous_total_tokens",
            "tokens",
            Cell::Int(p.previous_total_tokens),
        ),
        Field::new(
            "tokens_change_percent",
            "tokens change",
            Cell::Change(p.tokens_change_percent),
        ),
        Field::new(
            "previous_total_cost_microdollars",
            "cost",
            Cell::Money(p.previous_total_cost_microdollars),
        ),
        Field::new(
            "cost_change_percent",
            "cost change",
            Cell::Change(p.cost_change_percent),
        ),
    ]
}
