//! `tracetop tools`: MCP tool executions, newest first, filtered by tool
//! name, server, status and time window. (Per-tool statistics are
//! `tracetop analytics tools`.)

use super::common::{FormatArgs, SourceArgs, WindowArgs, check_limit, heading, open_engine};
use crate::error::Result;
use crate::model::McpExecutionRecord;
use crate::output::{self, Block, Cell, Column, RowSet};
use crate::query::ToolExecutionFilter;

/// Default `--limit` of `tracetop tools`.
pub const DEFAULT_LIMIT: usize = 50;

/// Arguments of `tracetop tools`.
#[derive(Debug, clap::Args)]
pub struct ToolsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    /// Only this tool.
    #[arg(long)]
    pub name: Option<String>,
    /// Only this MCP server.
    #[arg(long)]
    pub server: Option<String>,
    /// Only this status (pending, success, failed, timeout).
    #[arg(long)]
    pub status: Option<String>,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Most executions to list.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
}

/// Run `tracetop tools`.
pub async fn run(args: ToolsArgs) -> Result<()> {
    let format = args.output.format()?;
    let filter = ToolExecutionFilter {
        tool_name: args.name.clone(),
        server_name: args.server.clone(),
        status: args.status.clone(),
        window: args.window.optional_window()?,
        limit: check_limit(args.limit)?,
    };
    let engine = open_engine(&args.source).await?;
    let executions = engine.tool_executions(&filter).await?;
    let set = execution_rows(&executions);
    output::emit(
        format,
        &executions,
        || set.clone(),
        || {
            vec![
                heading("Tool executions", filter.window.as_ref()),
                Block::Table(set.clone()),
            ]
        },
    )
}

/// Executions as rows (input and output are left to JSON: they can be
/// megabytes).
pub fn execution_rows(executions: &[McpExecutionRecord]) -> RowSet {
    RowSet::new(vec![
        Column::time("started_at", "started"),
        Column::text("tool_name", "tool"),
        Column::text("server_name", "server"),
        Column::id("status", "status"),
        Column::num("execution_time_ms", "ms"),
        Column::id("trace_id", "trace"),
        Column::id("mcp_execution_id", "execution"),
        Column::text("error_message", "error"),
    ])
    .with_rows(executions.iter().map(|m| {
        vec![
            Cell::Time(m.started_at),
            Cell::text(&m.tool_name),
            Cell::text(&m.server_name),
            Cell::text(&m.status),
            Cell::opt_int(m.execution_time_ms),
            Cell::opt_text(m.trace_id.as_ref()),
            Cell::text(&m.mcp_execution_id),
            Cell::opt_text(m.error_message.as_ref()),
        ]
    }))
}
