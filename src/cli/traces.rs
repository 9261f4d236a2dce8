//! `tracetop traces`: recent traces, newest first, filtered by agent,
//! status, tool, MCP presence, user and time window.

use super::common::{FormatArgs, SourceArgs, WindowArgs, check_limit, heading, open_engine};
use crate::error::Result;
use crate::model::UserId;
use crate::output::{self, Block, Cell, Column, RowSet};
use crate::query::{TraceListFilter, TraceListItem};

/// Default `--limit` of `tracetop traces`.
pub const DEFAULT_LIMIT: usize = 50;

/// Arguments of `tracetop traces`.
#[derive(Debug, clap::Args)]
pub struct TracesArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    /// Only traces with a task of this agent.
    #[arg(long)]
    pub agent: Option<String>,
    /// Only traces in this state (completed, failed, pending, working, …).
    #[arg(long)]
    pub status: Option<String>,
    /// Only traces that called this tool.
    #[arg(long)]
    pub tool: Option<String>,
    /// Only traces with MCP tool executions.
    #[arg(long, conflicts_with = "no_mcp")]
    pub has_mcp: bool,
    /// Only traces without MCP tool executions.
    #[arg(long)]
    pub no_mcp: bool,
    /// Only traces of this user.
    #[arg(long)]
    pub user: Option<String>,
    /// Only traces with an AI request served by this model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only traces with an AI request to this provider.
    #[arg(long)]
    pub provider: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Most traces to list.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
}

/// Run `tracetop traces`.
pub async fn run(args: TracesArgs) -> Result<()> {
    let format = args.output.format()?;
    let filter = TraceListFilter {
        window: args.window.optional_window()?,
        agent: args.agent.clone(),
        status: args.status.as_ref().map(|s| s.trim().to_ascii_lowercase()),
        tool: args.tool.clone(),
        has_mcp: match (args.has_mcp, args.no_mcp) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        user: args.user.as_deref().map(UserId::new),
        limit: check_limit(args.limit)?,
        model: args.model.clone(),
        provider: args.provider.clone(),
    };
    let engine = open_engine(&args.source).await?;
    let traces = engine.traces(&filter).await?;
    let set = trace_list_rows(&traces);
    output::emit(
        format,
        &traces,
        || set.clone(),
        || {
            vec![
                heading("Traces", filter.window.as_ref()),
                Block::Table(set.without(&["last_activity_at"])),
            ]
        },
    )
}

/// The trace list as rows.
pub fn trace_list_rows(traces: &[TraceListItem]) -> RowSet {
    RowSet::new(vec![
        Column::time("started_at", "started"),
        Column::id("trace_id", "trace"),
        Column::id("user_id", "user"),
        Column::text("agent_name", "agent"),
        Column::id("status", "status"),
        Column::num("request_count", "requests"),
        Column::num("total_tokens", "tokens"),
        Column::num("total_cost_microdollars", "cost"),
        Column::num("mcp_count", "mcp"),
        Column::num("error_count", "errors"),
        Column::time("last_activity_at", "last activity"),
        Column::id("task_status", "task"),
    ])
    .with_rows(traces.iter().map(|t| {
        vec![
            Cell::Time(t.started_at),
            Cell::text(&t.trace_id),
            Cell::opt_text(t.user_id.as_ref()),
            Cell::opt_text(t.agent_name.as_ref()),
            Cell::text(&t.status),
            Cell::Int(t.request_count),
            Cell::Int(t.total_tokens),
            Cell::Money(t.total_cost_microdollars),
            Cell::Int(t.mcp_count),
            Cell::Int(t.error_count),
            Cell::Time(t.last_activity_at),
            Cell::opt_text(t.task_status.as_ref()),
        ]
    }))
}
