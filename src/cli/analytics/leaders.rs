//! `analytics conversations`, `agents`, `users` and `tools`: the lists and
//! leaderboards.

use super::*;

pub(super) async fn conversations(args: ReportArgs) -> Result<()> {
    let p = prepare(&args).await?;
    let rows = p.engine.conversations(&p.window, p.limit).await?;
    let set = RowSet::new(vec![
        Column::time("updated_at", "updated"),
        Column::id("context_id", "context"),
        Column::text("name", "name"),
        Column::id("user_id", "user"),
        Column::num("message_count", "messages"),
        Column::num("request_count", "requests"),
        Column::num("total_tokens", "tokens"),
        Column::num("total_cost_microdollars", "cost"),
        Column::time("created_at", "created"),
    ])
    .with_rows(rows.iter().map(|r| {
        vec![
            Cell::Time(r.updated_at),
            Cell::text(&r.context_id),
            Cell::text(&r.name),
            Cell::text(&r.user_id),
            Cell::Int(r.message_count),
            Cell::Int(r.request_count),
            Cell::Int(r.total_tokens),
            Cell::Money(r.total_cost_microdollars),
            Cell::Time(r.created_at),
        ]
    }));
    list_hiding(
        p.format,
        "Conversations",
        &p.window,
        &rows,
        set,
        &["created_at"],
    )
}

pub(super) async fn agents(args: ReportArgs) -> Result<()> {
    let p = prepare(&args).await?;
    let rows = p.engine.top_agents(&p.window, p.limit).await?;
    let set = RowSet::new(vec![
        Column::text("agent_name", "agent"),
        Column::num("task_count", "tasks"),
        Column::num("completed_count", "completed"),
        Column::num("failed_count", "failed"),
        Column::num("success_rate", "success"),
        Column::num("avg_execution_time_ms", "avg ms"),
        Column::num("request_count", "requests"),
        Column::num("total_cost_microdollars", "cost"),
    ])
    .with_rows(rows.iter().map(|r| {
        vec![
            Cell::text(&r.agent_name),
            Cell::Int(r.task_count),
            Cell::Int(r.completed_count),
            Cell::Int(r.failed_count),
            Cell::Rate(r.success_rate),
            Cell::Int(r.avg_execution_time_ms),
            Cell::Int(r.request_count),
            Cell::Money(r.total_cost_microdollars),
        ]
    }));
    list(p.format, "Top agents", &p.window, &rows, set)
}

pub(super) async fn users(args: ReportArgs) -> Result<()> {
    let p = prepare(&args).await?;
    let rows = p.engine.top_users(&p.window, p.limit).await?;
    let set = RowSet::new(vec![
        Column::id("user_id", "user"),
        Column::text("user_name", "name"),
        Column::num("request_count", "requests"),
        Column::num("total_tokens", "tokens"),
        Column::num("total_cost_microdollars", "cost"),
        Column::num("session_count", "sessions"),
        Column::num("task_count", "tasks"),
    ])
    .with_rows(rows.iter().map(|r| {
        vec![
            Cell::text(&r.user_id),
            Cell::opt_text(r.user_name.as_ref()),
            Cell::Int(r.request_count),
            Cell::Int(r.total_tokens),
            Cell::Money(r.total_cost_microdollars),
            Cell::Int(r.session_count),
            Cell::Int(r.task_count),
        ]
    }));
    list(p.format, "Top users", &p.window, &rows, set)
}

pub(super) async fn tools(args: ToolsReportArgs) -> Result<()> {
    let p = prepare(&args.common).await?;
    let rows = p.engine.tools(&p.window, args.sort, p.limit).await?;
    let set = tool_stats_rows(&rows);
    list(p.format, "Tools", &p.window, &rows, set)
}

/// Tool statistics as rows.
pub fn tool_stats_rows(rows: &[ToolStats]) -> RowSet {
    RowSet::new(vec![
        Column::text("tool_name", "tool"),
        Column::text("server_name", "server"),
        Column::num("execution_count", "executions"),
        Column::num("success_count", "ok"),
        Column::num("failure_count", "failed"),
        Column::num("success_rate", "success"),
        Column::num("avg_time_ms", "avg ms"),
        Column::time("last_used", "last used"),
    ])
    .with_rows(rows.iter().map(|r| {
        vec![
            Cell::text(&r.tool_name),
            Cell::text(&r.server_name),
            Cell::Int(r.execution_count),
            Cell::Int(r.success_count),
            Cell::Int(r.failure_count),
            Cell::Rate(r.success_rate),
            Cell::Int(r.avg_time_ms),
            Cell::Time(r.last_used),
        ]
    }))
}
