//! `tracetop anomalies`: run the anomaly rules over recent rows and list
//! what they find.
//!
//! The AI requests, sessions and MCP executions of the `--since` window are
//! read on the read-only pool (bound parameters only), turned back into the
//! events a live source would have produced (request started, then
//! completed or failed; session started; MCP execution), replayed in time
//! order through [`AnomalyDetector`] with each event's own time as "now",
//! and a final tick at the end of the window lets quiet anomalies clear.
//! The result is printed as a table (open first) or `--format json` (an
//! array of anomaly objects, each with a `state` of `open` or `cleared`).
//!
//! The config file's `[[budget]]` entries are evaluated at the end of the
//! window too: each budget in `warn` or `over` is listed as an open
//! `budget_warning` / `budget_exceeded` anomaly with its figures.

use crate::anomaly::{AnomalyDetector, Thresholds};
use crate::cli::common::{WindowArgs, window_title};
use crate::error::{Error, Result};
use crate::model::*;
use crate::pg::PgEngine;
use crate::query::TimeWindow;
use crate::sanitize::{clean, truncate_width};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Default `--since` of `tracetop anomalies` (before `--until`).
pub const DEFAULT_SINCE: &str = "1h";

/// Output formats of `tracetop anomalies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnomalyFormat {
    Table,
    Json,
}

/// Arguments of `tracetop anomalies`.
#[derive(Debug, clap::Args)]
pub struct AnomaliesArgs {
    /// Postgres URL of the audit database (read-only use).
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The window to replay (default: the hour before --until).
    #[command(flatten)]
    pub window: WindowArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnomalyFormat::Table)]
    pub format: AnomalyFormat,
    /// Config file with an `[anomaly]` table of thresholds (default:
    /// $XDG_CONFIG_HOME/tracetop/config.toml when it exists).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// One listed anomaly: the anomaly and whether it is still open.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    state: &'static str,
    #[serde(flatten)]
    anomaly: &'a Anomaly,
}

/// Run `tracetop anomalies`.
pub async fn run(args: AnomaliesArgs) -> Result<()> {
    let window = args.window.window_or(DEFAULT_SINCE)?;
    let thresholds = load_thresholds(args.config.as_deref())?;
    let spend = crate::budget::SpendConfig::load(args.config.as_deref())?;
    let url = super::common::require_database_url(args.database_url.as_deref())?;
    let engine = PgEngine::connect(url).await?;
    let events = recent_events(&engine, &window).await?;
    let (mut anomalies, mut open_count) = detect(thresholds, &events, window.end);
    if !spend.budgets.is_empty() {
        let statuses = crate::budget::evaluate(&engine, &spend.budgets, window.end).await?;
        let budget_open: Vec<Anomaly> = statuses
            .iter()
            .filter_map(crate::budget::monitor::anomaly_of)
            .collect();
        let mut open: Vec<Anomaly> = anomalies.drain(..open_count).chain(budget_open).collect();
        sort_open(&mut open);
        open_count = open.len();
        open.append(&mut anomalies);
        anomalies = open;
    }
    print(&anomalies, open_count, &window, args.format)
}

pub fn load_thresholds(path: Option<&std::path::Path>) -> Result<Thresholds> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match dirs::config_dir() {
            Some(dir) => (dir.join("tracetop").join("config.toml"), false),
            None => return Ok(Thresholds::default()),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Thresholds::from_config_toml(&text)
            .map_err(|e| Error::input(format!("{}: {e}", path.display())).caused_by(e)),
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(Thresholds::default())
        }
        Err(e) => Err(Error::input(format!(
            "cannot read config file {}: {e}; check the path given to --config",
            path.display()
        ))
        .caused_by(e)),
    }
}

/// Replay `events` (time-ordered) through a detector; returns every anomaly
/// (the open ones first, critical before warning, latest raised first, with
/// their current values; then cleared ones, most recently cleared first)
/// and how many of them (from the front) are open.
pub fn detect(thresholds: Thresholds, events: &[Event], end: Timestamp) -> (Vec<Anomaly>, usize) {
    let mut detector = AnomalyDetector::new(thresholds);
    let mut cleared = Vec::new();
    let mut keep = |produced: Vec<Event>| {
        for e in produced {
            if let Event::AnomalyCleared { anomaly } = e {
                cleared.push(anomaly);
            }
        }
    };
    for event in events {
        let now = event.occurred_at().unwrap_or(end);
        keep(detector.observe(event, now));
    }
    keep(detector.tick(end));
    let mut open = detector.open();
    sort_open(&mut open);
    let open_count = open.len();
    open.extend(cleared.into_iter().rev());
    (open, open_count)
}

/// Open anomalies: critical before warning, latest raised first, then id.
fn sort_open(open: &mut [Anomaly]) {
    open.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.raised_at.cmp(&a.raised_at))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// The window's rows as live events, in time order.
async fn recent_events(engine: &PgEngine, window: &TimeWindow) -> Result<Vec<Event>> {
    let requests: Vec<AiRequestRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM ai_requests r WHERE r.created_at >= $1 AND r.created_at < $2",
        engine.selects().ai_request
    )))
    .bind(window.start)
    .bind(window.end)
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let sessions: Vec<SessionRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM user_sessions us WHERE us.started_at >= $1 AND us.started_at < $2",
        engine.selects().session
    )))
    .bind(window.start)
    .bind(window.end)
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;
    let executions: Vec<McpExecutionRecord> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM mcp_tool_executions m WHERE m.started_at >= $1 AND m.started_at < $2",
        engine.selects().mcp
    )))
    .bind(window.start)
    .bind(window.end)
    .fetch_all(engine.pool())
    .await
    .map_err(|e| engine.err(e))?;

    // (time, tie-break id, event)
    let mut timed: Vec<(Timestamp, String, Event)> = Vec::new();
    for r in requests {
        let id = r.id.0.clone();
        timed.push((
            r.created_at,
            id.clone(),
            Event::AiRequestStarted { request: r.clone() },
        ));
        let done_at = r.completed_at.unwrap_or(r.updated_at);
        let finished = match r.status.as_str() {
            request_status::FAILED => Some(Event::AiRequestFailed {
                request: r,
                messages: vec![],
                tool_calls: vec![],
            }),
            request_status::PENDING => None,
            _ => Some(Event::AiRequestCompleted {
                request: r,
                messages: vec![],
                tool_calls: vec![],
            }),
        };
        if let Some(e) = finished {
            timed.push((done_at, id, e));
        }
    }
    for s in sessions {
        timed.push((
            s.started_at,
            s.session_id.0.clone(),
            Event::SessionStarted { session: s },
        ));
    }
    for m in executions {
        let at = m.completed_at.unwrap_or(m.started_at);
        timed.push((
            at,
            m.mcp_execution_id.0.clone(),
            Event::McpExecution { execution: m },
        ));
    }
    timed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    Ok(timed.into_iter().map(|(_, _, e)| e).collect())
}

fn print(
    anomalies: &[Anomaly],
    open_count: usize,
    window: &TimeWindow,
    format: AnomalyFormat,
) -> Result<()> {
    let state = |i: usize| if i < open_count { "open" } else { "cleared" };
    let mut out = Vec::new();
    match format {
        AnomalyFormat::Json => {
            let listed: Vec<Listed> = anomalies
                .iter()
                .enumerate()
                .map(|(i, a)| Listed {
                    state: state(i),
                    anomaly: a,
                })
                .collect();
            crate::output::json::write(&mut out, &listed)?;
        }
        AnomalyFormat::Table => {
            let _ = writeln!(out, "{}", window_title("Anomalies", window));
            if anomalies.is_empty() {
                out.extend_from_slice(b"no anomalies\n");
            } else {
                let _ = writeln!(
                    out,
                    "{:<8} {:<9} {:<30} {:<24} {:>12} {:>12}  {:<20}  MESSAGE",
                    "STATE", "SEVERITY", "RULE", "SUBJECT", "VALUE", "THRESHOLD", "RAISED AT"
                );
                for (i, a) in anomalies.iter().enumerate() {
                    let severity = match a.severity {
                        Severity::Warning => "warning",
                        Severity::Critical => "CRITICAL",
                    };
                    let _ = writeln!(
                        out,
                        "{:<8} {:<9} {:<30} {:<24} {:>12} {:>12}  {:<20}  {}",
                        state(i),
                        severity,
                        truncate_width(&clean(&a.rule), 30),
                        truncate_width(&clean(&a.subject), 24),
                        format_value(a.value),
                        format_value(a.threshold),
                        a.raised_at.format("%Y-%m-%d %H:%M:%S"),
                        truncate_width(&clean(&a.message), 100),
                    );
                }
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        // `| head` closed the pipe: nothing more to say
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.3}")
    }
}
