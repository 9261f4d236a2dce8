//! `tracetop budgets`: every `[[budget]]` of the config file evaluated now
//! (or `--at`): spent in the period so far, the limit, the share spent,
//! the projection at period end and the state (`ok` / `warn` / `over`).
//!
//! Table, `--format json` (an array of budget objects, snake_case, money
//! in `_microdollars`, shares in `_percent`) or `--format csv` (the same
//! fields, raw units). Reads a database, or a remote `tracetop serve`.

use super::common::{FormatArgs, SourceArgs, heading, open_engine};
use crate::budget::{SpendConfig, evaluate};
use crate::error::{Error, Result};
use crate::model::*;
use crate::output::{self, Block, Cell, Column, Format, RowSet};
use crate::query::parse_instant;
use std::path::PathBuf;

/// Arguments of `tracetop budgets`.
#[derive(Debug, clap::Args)]
pub struct BudgetsArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub output: FormatArgs,
    /// Config file with the `[[budget]]` entries (default:
    /// $XDG_CONFIG_HOME/tracetop/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Evaluate at this instant instead of now: a duration back (2h), a
    /// date or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

/// Run `tracetop budgets`.
pub async fn run(args: BudgetsArgs) -> Result<()> {
    let format = args.output.format()?;
    let config = SpendConfig::load(args.config.as_deref())?;
    let now = chrono::Utc::now();
    let at = match args.at.as_deref() {
        Some(text) => parse_instant(text, now)?,
        None => now,
    };
    if config.budgets.is_empty() {
        return Err(Error::input(
            "no budgets configured: add [[budget]] entries (name, scope, match, period, limit_usd) \
             to the config file, or pass --config FILE",
        ));
    }
    let engine = open_engine(&args.source).await?;
    let statuses = evaluate(engine.as_ref(), &config.budgets, at).await?;
    print(format, &statuses, at)
}

/// Write the statuses in `format` to stdout.
pub fn print(format: Format, statuses: &[BudgetStatus], at: Timestamp) -> Result<()> {
    output::emit(
        format,
        statuses,
        || rows(statuses, true),
        || {
            vec![
                heading(
                    &format!("Budgets at {}", at.format("%Y-%m-%d %H:%M:%S UTC")),
                    None,
                ),
                Block::Table(rows(statuses, false)),
                Block::Line(
                    "projected = spent + the last hour's spend × the time left in the period"
                        .into(),
                ),
            ]
        },
    )
}

/// The statuses as rows: `raw` for CSV (percentages as numbers), else
/// for the table.
pub fn rows(statuses: &[BudgetStatus], raw: bool) -> RowSet {
    let pct = |p: f64| {
        if raw {
            Cell::Text(format!("{p:.2}"))
        } else {
            Cell::Rate(p / 100.0)
        }
    };
    let mut columns = vec![
        Column::text("name", "budget"),
        Column::text("scope", "scope"),
        Column::text("match", "match"),
        Column::text("period", "period"),
        Column::num("spent_microdollars", "spent"),
        Column::num("limit_microdollars", "limit"),
        Column::num("spent_percent", "%"),
        Column::num("projected_microdollars", "projected"),
        Column::num("projected_percent", "proj %"),
        Column::text("state", "state"),
        Column::text("state_basis", "by"),
    ];
    if raw {
        columns.extend([
            Column::time("period_start", "period start"),
            Column::time("period_end", "period end"),
            Column::text("timezone", "timezone"),
            Column::num("warn_at", "warn at"),
            Column::num("rate_window_microdollars", "last hour"),
            Column::time("at", "at"),
        ]);
    }
    RowSet::new(columns).with_rows(statuses.iter().map(|s| {
        let state = match s.state {
            BudgetState::Ok => "ok",
            BudgetState::Warn if raw => "warn",
            BudgetState::Warn => "⚠ warn",
            BudgetState::Over if raw => "over",
            BudgetState::Over => "✗ over",
        };
        let mut row = vec![
            Cell::text(&s.name),
            Cell::text(s.scope.name()),
            Cell::opt_text(s.pattern.as_deref()),
            Cell::text(s.period.name()),
            Cell::Money(s.spent_microdollars),
            Cell::Money(s.limit_microdollars),
            pct(s.spent_percent),
            Cell::Money(s.projected_microdollars),
            pct(s.projected_percent),
            Cell::text(state),
            Cell::opt_text(s.state_basis.map(|b| match b {
                StateBasis::Spent => "spent",
                StateBasis::Projected => "projected",
            })),
        ];
        if raw {
            row.extend([
                Cell::Time(s.period_start),
                Cell::Time(s.period_end),
                Cell::text(&s.timezone),
                Cell::Text(format!("{}", s.warn_at)),
                Cell::Money(s.rate_window_microdollars),
                Cell::Time(s.at),
            ]);
        }
        row
    }))
}
