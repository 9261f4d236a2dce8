//! Options shared by the reporting commands (source, output format, time
//! window, limit) and opening the engine they name.
//!
//! Every reporting command calls [`open_engine`] and talks to the
//! [`QueryEngine`] trait only; which engine answers (Postgres, or a remote
//! `tracetop serve` with `--remote`) is decided here and nowhere else.
//! Arguments are checked before any connection is made, so a bad `--since`
//! or `--format` fails at once with one line.

use crate::error::{Error, Result};
use crate::model::Timestamp;
use crate::output::{Block, Format};
use crate::pg::{PgEngine, PgReviewStore};
use crate::query::{
    AuditResolution, QueryEngine, ReviewStore, TimeWindow, parse_span, resolve_window,
};
use crate::source::sse_client::load_token;
use crate::sse::remote::RemoteEngine;
use chrono::Utc;
use std::path::PathBuf;
use std::sync::Arc;

/// Environment variable holding a token for `--remote` (preferred to a
/// flag: a secret on the command line shows in `ps`).
pub const TOKEN_ENV: &str = "TRACETOP_TOKEN";

/// Where the data comes from: a Postgres database or a remote `tracetop serve`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SourceArgs {
    /// Postgres URL (postgres://user:password@host:port/db); read-only use.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// A remote `tracetop serve` instead of a database
    /// (e.g. https://ops.example/api/v1/stream).
    #[arg(long, value_name = "URL")]
    pub remote: Option<String>,
    /// File holding the bearer token for --remote (or set TRACETOP_TOKEN).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// `--format table|json|csv`.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArgs {
    /// Output format: table, json or csv.
    #[arg(long, short = 'o', default_value = "table", value_name = "FORMAT")]
    pub format: String,
}

impl FormatArgs {
    /// The parsed format (one-line error for anything else).
    pub fn format(&self) -> Result<Format> {
        Format::parse(&self.format)
    }
}

/// Open the query engine the source arguments name: a remote `tracetop
/// serve` (`--remote`, token from `--token-file` or TRACETOP_TOKEN), else
/// the database.
pub async fn open_engine(source: &SourceArgs) -> Result<Arc<dyn QueryEngine>> {
    if let Some(remote) = source.remote.as_deref() {
        return Ok(Arc::new(open_remote(remote, source).await?));
    }
    let url = database_url(source)?;
    Ok(Arc::new(PgEngine::connect(url).await?))
}

/// `tracetop audit PREFIX` on the source the arguments name: a remote
/// `tracetop serve` answers through its engine; a database is asked
/// directly, one connection and one statement
/// ([`crate::pg::audit::audit_lookup_direct`]), as the question is asked
/// once and the process exits.
pub async fn audit_lookup(source: &SourceArgs, prefix: &str) -> Result<AuditResolution> {
    if let Some(remote) = source.remote.as_deref() {
        return open_remote(remote, source)
            .await?
            .audit_lookup(prefix)
            .await;
    }
    crate::pg::audit::audit_lookup_direct(database_url(source)?, prefix).await
}

/// Open the store of audit verdicts (`tracetop_reviews`) the source names.
pub async fn open_review_store(source: &SourceArgs) -> Result<Arc<dyn ReviewStore>> {
    if let Some(remote) = source.remote.as_deref() {
        return Ok(Arc::new(open_remote(remote, source).await?));
    }
    let url = database_url(source)?;
    Ok(Arc::new(PgReviewStore::connect(url).await?))
}

async fn open_remote(remote: &str, source: &SourceArgs) -> Result<RemoteEngine> {
    let token = load_token(source.token_file.as_deref())?;
    RemoteEngine::connect(remote, token).await
}

fn database_url(source: &SourceArgs) -> Result<&str> {
    require_database_url(source.database_url.as_deref())
}

/// The `--database-url` (or `DATABASE_URL`) a command needs, or one line
/// saying how to give it.
pub fn require_database_url(url: Option<&str>) -> Result<&str> {
    url.map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            Error::input(
                "no database given: pass --database-url postgres://user:password@host/db or set DATABASE_URL",
            )
        })
}

/// `--since` / `--until`: the time window of a report or a list. Each
/// takes a duration back from now (`15m`, `24h`, `7d`, `2w`), a date
/// (`2026-11-24`, 00:00 UTC) or an RFC 3339 time (`2026-11-24T03:00:00Z`;
/// without an offset, UTC). Parsed by [`resolve_window`], checked before
/// any connection is made.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WindowArgs {
    /// Start of the window: a duration back from now (15m, 24h, 7d, 2w), a
    /// date (2026-11-24 = 00:00 UTC) or an RFC 3339 time (2026-11-24T03:00:00Z;
    /// 2026-11-24T03:00 is UTC) [default: reports 24h (anomalies 1h) before
    /// --until; lists all time]
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// End of the window (exclusive), in the same forms [default: now]
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
}

impl WindowArgs {
    /// The window, `default_span` (e.g. `24h`) before its end when
    /// `--since` is not given.
    pub fn window_or(&self, default_span: &str) -> Result<TimeWindow> {
        let span = parse_span(default_span)?;
        resolve_window(
            self.since.as_deref(),
            self.until.as_deref(),
            Some(span),
            report_now(),
        )
    }

    /// The window of a list: `None` (all time) when neither flag is given,
    /// else from `--since` (default: the epoch) to `--until` (default: now).
    pub fn optional_window(&self) -> Result<Option<TimeWindow>> {
        if self.since.is_none() && self.until.is_none() {
            return Ok(None);
        }
        resolve_window(
            self.since.as_deref(),
            self.until.as_deref(),
            None,
            report_now(),
        )
        .map(Some)
    }
}

/// "Now" for a report's window: the wall clock to the millisecond (what
/// CSV prints), so the window a report names is the one it covers.
fn report_now() -> Timestamp {
    use chrono::{DurationRound, TimeDelta};
    let now = Utc::now();
    now.duration_trunc(TimeDelta::milliseconds(1))
        .unwrap_or(now)
}

/// A single-object report as JSON, with the window it covers first:
/// `{"window_start": "…Z", "window_end": "…Z", …the report's fields}`.
#[derive(Debug, serde::Serialize)]
pub struct Windowed<'a, T: serde::Serialize> {
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    #[serde(flatten)]
    pub report: &'a T,
}

impl<'a, T: serde::Serialize> Windowed<'a, T> {
    /// `report` over `window`.
    pub fn new(window: &TimeWindow, report: &'a T) -> Self {
        Windowed {
            window_start: window.start,
            window_end: window.end,
            report,
        }
    }
}

/// A table's header line, naming the window when there is one:
/// `Top agents · 2026-11-24 00:00:00 → 2026-11-25 00:00:00 UTC`.
pub fn heading(title: &str, window: Option<&TimeWindow>) -> Block {
    match window {
        Some(w) => Block::Heading(window_title(title, w)),
        None => Block::Heading(title.to_string()),
    }
}

/// `title · START → END UTC`, to the second.
pub fn window_title(title: &str, w: &TimeWindow) -> String {
    format!(
        "{title} · {} → {} UTC",
        w.start.format("%Y-%m-%d %H:%M:%S"),
        w.end.format("%Y-%m-%d %H:%M:%S")
    )
}

/// `--limit`, checked: at least 1, at most 100 000.
pub fn check_limit(limit: usize) -> Result<usize> {
    if (1..=100_000).contains(&limit) {
        Ok(limit)
    } else {
        Err(Error::input(format!(
            "--limit {limit} is out of range: use a number from 1 to 100000"
        )))
    }
}

/// Resolves on Ctrl-C or SIGTERM: how `serve`, `record` and `simulate
/// --live` learn to stop (flushing what they hold first).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_flags_name_the_flag_and_default() {
        let args = |since: Option<&str>, until: Option<&str>| WindowArgs {
            since: since.map(str::to_string),
            until: until.map(str::to_string),
        };
        let err = args(Some("5x"), None).window_or("24h").unwrap_err();
        assert!(
            err.to_string().starts_with("--since \"5x\" is not a time"),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
        assert!(args(None, None).optional_window().unwrap().is_none());
        let w = args(None, None).window_or("24h").unwrap();
        assert_eq!((w.end - w.start).num_hours(), 24);
        let w = args(None, Some("2026-11-24"))
            .optional_window()
            .unwrap()
            .unwrap();
        assert_eq!(w.start, chrono::DateTime::UNIX_EPOCH);
        assert_eq!(crate::query::rfc3339(w.end), "2026-11-24T00:00:00Z");
    }

    #[test]
    fn missing_database_url_says_what_to_do() {
        let err = database_url(&SourceArgs::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no database given: pass --database-url postgres://user:password@host/db or set DATABASE_URL"
        );
    }

    #[test]
    fn limits_are_checked() {
        assert!(check_limit(0).is_err());
        assert_eq!(check_limit(20).unwrap(), 20);
    }
}
