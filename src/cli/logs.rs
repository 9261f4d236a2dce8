//! `tracetop logs search PATTERN` (case-insensitive literal substring of
//! the message, newest first, with level/module/trace/time filters) and
//! `tracetop logs summary` (counts by level, top modules, time range, of
//! the lines the same filters match).
//!
//! The summary's CSV is one table with a `dimension` column: a `total` row,
//! then `level` rows in severity order, then `module` rows.

use super::common::{
    FormatArgs, SourceArgs, WindowArgs, Windowed, check_limit, heading, open_engine,
};
use crate::error::Result;
use crate::model::TraceId;
use crate::output::{self, Block, Cell, Column, Field, RowSet};
use crate::query::{LogFilter, LogSummary};

/// Default `--limit` of `logs search`.
pub const DEFAULT_LIMIT: usize = 100;

/// Default `--since` of `logs summary` (before `--until`).
pub const SUMMARY_DEFAULT_SINCE: &str = "24h";

/// Arguments of `tracetop logs`.
#[derive(Debug, clap::Args)]
pub struct LogsArgs {
    #[command(subcommand)]
    pub command: LogsCommand,
}

/// `tracetop logs` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum LogsCommand {
    /// Log lines whose message contains PATTERN (case-insensitive, literal).
    Search(SearchArgs),
    /// Counts by level, top modules and time range.
    Summary(SummaryArgs),
}

/// Arguments of `tracetop logs search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Text to find in messages (`%`, `_` and `\` are literal).
    #[arg(value_name = "PATTERN")]
    pub pattern: String,
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    #[command(flatten)]
    pub only: LineFilterArgs,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Most lines to show.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_LIMIT)]
    pub limit: usize,
}

/// The line filters `search` and `summary` share.
#[derive(Debug, clap::Args)]
pub struct LineFilterArgs {
    /// Only this level (error, warn, info, debug, trace), or a comma set
    /// (error,warn).
    #[arg(long)]
    pub level: Option<String>,
    /// Only this module.
    #[arg(long)]
    pub module: Option<String>,
    /// Only lines of this trace.
    #[arg(long, value_name = "ID")]
    pub trace: Option<String>,
}

/// Arguments of `tracetop logs summary`.
#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    /// Count only lines whose message contains this text (case-insensitive,
    /// literal).
    #[arg(long, value_name = "PATTERN")]
    pub grep: Option<String>,
    #[command(flatten)]
    pub only: LineFilterArgs,
    #[command(flatten)]
    pub window: WindowArgs,
}

/// Run `tracetop logs`.
pub async fn run(args: LogsArgs) -> Result<()> {
    match args.command {
        LogsCommand::Search(a) => search(a).await,
        LogsCommand::Summary(a) => summary(a).await,
    }
}

async fn search(args: SearchArgs) -> Result<()> {
    let format = args.output.format()?;
    let filter = LogFilter {
        pattern: Some(args.pattern.clone()).filter(|p| !p.is_empty()),
        level: args.only.level.clone(),
        module: args.only.module.clone(),
        trace_id: args.only.trace.as_deref().map(TraceId::new),
        window: args.window.optional_window()?,
        limit: check_limit(args.limit)?,
    };
    let engine = open_engine(&args.source).await?;
    let logs = engine.log_search(&filter).await?;
    let set = RowSet::new(vec![
        Column::time("timestamp", "time"),
        Column::id("level", "level"),
        Column::text("module", "module"),
        Column::text("message", "message"),
        Column::id("trace_id", "trace"),
        Column::id("id", "id"),
    ])
    .with_rows(logs.iter().map(|l| {
        vec![
            Cell::Time(l.timestamp),
            Cell::text(&l.level),
            Cell::text(&l.module),
            Cell::text(&l.message),
            Cell::opt_text(l.trace_id.as_ref()),
            Cell::text(&l.id),
        ]
    }));
    output::emit(
        format,
        &logs,
        || set.clone(),
        || match &filter.window {
            Some(w) => vec![heading("Logs", Some(w)), Block::Table(set.clone())],
            None => vec![Block::Table(set.clone())],
        },
    )
}

/// The summary as one table: `total`, then `level`, then `module` rows.
pub fn summary_rows(s: &LogSummary) -> RowSet {
    let mut set = RowSet::new(vec![
        Column::id("dimension", "dimension"),
        Column::text("key", "key"),
        Column::num("count", "count"),
    ]);
    set.push(vec![Cell::text("total"), Cell::Empty, Cell::Int(s.total)]);
    for l in &s.by_level {
        set.push(vec![
            Cell::text("level"),
            Cell::text(&l.level),
            Cell::Int(l.count),
        ]);
    }
    for m in &s.top_modules {
        set.push(vec![
            Cell::text("module"),
            Cell::text(&m.module),
            Cell::Int(m.count),
        ]);
    }
    set
}

async fn summary(args: SummaryArgs) -> Result<()> {
    let format = args.output.format()?;
    let window = args.window.window_or(SUMMARY_DEFAULT_SINCE)?;
    let filter = LogFilter {
        pattern: args.grep.clone().filter(|p| !p.is_empty()),
        level: args.only.level.clone(),
        module: args.only.module.clone(),
        trace_id: args.only.trace.as_deref().map(TraceId::new),
        window: Some(window),
        limit: 0,
    };
    let engine = open_engine(&args.source).await?;
    let s = engine.log_summary_filtered(&filter).await?;
    output::emit(
        format,
        &Windowed::new(&window, &s),
        || summary_rows(&s),
        || {
            vec![
                heading("Logs", Some(&window)),
                output::record_block(&[
                    Field::new("total", "lines", Cell::Int(s.total)),
                    Field::new(
                        "first_at",
                        "first",
                        s.first_at.map(Cell::Time).unwrap_or(Cell::Empty),
                    ),
                    Field::new(
                        "last_at",
                        "last",
                        s.last_at.map(Cell::Time).unwrap_or(Cell::Empty),
                    ),
                ]),
                Block::Heading("By level".into()),
                Block::Table(
                    RowSet::new(vec![
                        Column::id("level", "level"),
                        Column::num("count", "count"),
                    ])
                    .with_rows(
                        s.by_level
                            .iter()
                            .map(|l| vec![Cell::text(&l.level), Cell::Int(l.count)]),
                    ),
                ),
                Block::Heading("Top modules".into()),
                Block::Table(
                    RowSet::new(vec![
                        Column::text("module", "module"),
                        Column::num("count", "count"),
                    ])
                    .with_rows(
                        s.top_modules
                            .iter()
                            .map(|m| vec![Cell::text(&m.module), Cell::Int(m.count)]),
                    ),
                ),
            ]
        },
    )
}
