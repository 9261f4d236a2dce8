//! Command-line interface: the clap command tree and dispatch. Each
//! subcommand lives in its own file with its own `Args` struct and an async
//! `run`; this file only routes and turns errors into one line on stderr
//! with a non-zero exit.

pub mod analytics;
pub mod anomalies;
pub mod audit;
pub mod budgets;
pub mod common;
pub mod completions;
pub mod console;
pub mod demo;
pub mod global_flags;
pub mod logs;
pub mod migrate;
pub mod record;
pub mod record_window;
pub mod replay;
pub mod serve;
pub mod simulate;
pub mod tail;
pub mod tools;
pub mod trace;
pub mod traces;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// tracetop: a terminal console for live AI operations.
#[derive(Debug, Parser)]
#[command(name = "tracetop", version, about, propagate_version = true)]
pub struct Cli {
    /// Without a subcommand, open the console on this source.
    #[command(flatten)]
    pub console: console::ConsoleArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the console on synthetic live traffic (no database needed).
    Demo(demo::DemoArgs),
    /// Create the audit tables, indexes and tracetop_reviews (idempotent).
    Migrate(migrate::MigrateArgs),
    /// Fill a database with a realistic, deterministic workload.
    Simulate(simulate::SimulateArgs),
    /// Platform reports: overview, costs, agents, tools, requests, ...
    Analytics(analytics::AnalyticsArgs),
    /// One trace as a timeline.
    Trace(trace::TraceArgs),
    /// Recent traces, filtered.
    Traces(traces::TracesArgs),
    /// Resolve a request, task or trace id by prefix; export reviews.
    Audit(audit::AuditArgs),
    /// Search and summarise logs.
    Logs(logs::LogsArgs),
    /// MCP tool executions, filtered.
    Tools(tools::ToolsArgs),
    /// Stream live events to stdout (JSON lines or text).
    Tail(tail::TailArgs),
    /// Serve the live stream and query API over HTTP (SSE).
    Serve(serve::ServeArgs),
    /// Detected anomalies.
    Anomalies(anomalies::AnomaliesArgs),
    /// Spend against the configured budgets: spent, limit, projection, state.
    Budgets(budgets::BudgetsArgs),
    /// Record a source's events to a JSON-lines file.
    Record(record::RecordArgs),
    /// Replay a recorded file as a live source.
    Replay(replay::ReplayArgs),
    /// Print shell completions.
    Completions(completions::CompletionsArgs),
}

/// Parse arguments, run the command, return the process exit code.
pub fn main() -> i32 {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("tracetop: {e}");
            return e.exit_code();
        }
    };
    // Stream printers are one pipeline (read, parse, print): on a single
    // thread they skip the cross-thread wake-ups that dominate a fast stream.
    let single_pipeline = matches!(
        cli.command,
        Some(Command::Tail(_) | Command::Record(_) | Command::Replay(_))
    );
    let built = if single_pipeline {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    };
    let runtime = match built {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tracetop: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let result = runtime.block_on(dispatch(cli));
    // Everything a command does is done when `dispatch` returns; tasks left
    // behind (a pooled connection's release ping) are not waited for.
    runtime.shutdown_background();
    match result {
        Ok(()) => 0,
        Err(e) => {
            // every message passes the redaction, whatever built it
            eprintln!("tracetop: {}", crate::error::redact_urls_in(&e.to_string()));
            e.exit_code()
        }
    }
}

/// Parse the command line (clap prints help, version and usage errors and
/// exits itself), then refuse flags the chosen subcommand would drop.
fn parse() -> crate::error::Result<Cli> {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let definition = Cli::command();
    let matches = command().get_matches();
    global_flags::check(&definition, &matches, &argv)?;
    Ok(Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit()))
}

/// The command tree as it is parsed and shown: a subcommand that has no
/// use for a global source flag (`--database-url`, `--remote`,
/// `--token-file`, `--prices`), itself or in any subcommand under it, gets a
/// hidden flag of that name instead of the global one, so its `--help` does
/// not offer it (a command's help offers `--remote` only when it answers
/// through a server, `--prices` only where prices are used) and
/// [`global_flags::check`] refuses it in one line wherever it is given.
pub fn command() -> clap::Command {
    hide_unused_globals(Cli::command())
}

fn hide_unused_globals(mut command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, |mut sub| {
            // a parent passes the globals on to the leaves that use them
            if sub.has_subcommands() {
                sub = hide_unused_globals(sub);
            }
            for (id, long, value) in global_flags::GLOBAL_SOURCE_FLAG_NAMES {
                if !global_flags::uses_flag(&sub, id) {
                    sub = sub.arg(
                        clap::Arg::new(id)
                            .long(long)
                            .value_name(value)
                            .num_args(1)
                            .hide(true),
                    );
                }
            }
            sub
        });
    }
    command
}

async fn dispatch(cli: Cli) -> crate::error::Result<()> {
    match cli.command {
        None => console::run(cli.console).await,
        Some(Command::Demo(a)) => demo::run(a).await,
        Some(Command::Migrate(a)) => migrate::run(a).await,
        Some(Command::Simulate(a)) => simulate::run(a).await,
        Some(Command::Analytics(a)) => analytics::run(a).await,
        Some(Command::Trace(a)) => trace::run(a).await,
        Some(Command::Traces(a)) => traces::run(a).await,
        Some(Command::Audit(a)) => audit::run(a).await,
        Some(Command::Logs(a)) => logs::run(a).await,
        Some(Command::Tools(a)) => tools::run(a).await,
        Some(Command::Tail(a)) => tail::run(a).await,
        Some(Command::Serve(a)) => serve::run(a).await,
        Some(Command::Anomalies(a)) => anomalies::run(a).await,
        Some(Command::Budgets(a)) => budgets::run(a).await,
        Some(Command::Record(a)) => record::run(a).await,
        Some(Command::Replay(a)) => replay::run(a).await,
        Some(Command::Completions(a)) => completions::run(a).await,
    }
}
