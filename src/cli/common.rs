//! Options shared by the reporting commands (source, output format, time
//! window, limit) and opening the engine they name.
//!
//! Every reporting command calls [`open_engine`] and talks to the
//! [`QueryEngine`] trait only; which engine answers (Postgres today, a
//! remote `tracetop serve` later) is decided here and nowhere else.
//! Arguments are checked before any connection is made, so a bad `--since`
//! or `--format` fails at once with one line.

use crate::error::{Error, Result};
use crate::output::Format;
use crate::pg::{PgEngine, PgReviewStore};
use crate::query::{QueryEngine, ReviewStore, TimeWindow, parse_span};
use crate::sanitize;
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

/// Open the query engine the source arguments name.
pub async fn open_engine(source: &SourceArgs) -> Result<Arc<dyn QueryEngine>> {
    if let Some(remote) = source.remote.as_deref() {
        return Err(remote_unavailable(remote));
    }
    let url = database_url(source)?;
    Ok(Arc::new(PgEngine::connect(url).await?))
}

/// Open the store of audit verdicts (`tracetop_reviews`) the source names.
pub async fn open_review_store(source: &SourceArgs) -> Result<Arc<dyn ReviewStore>> {
    if let Some(remote) = source.remote.as_deref() {
        return Err(remote_unavailable(remote));
    }
    let url = database_url(source)?;
    Ok(Arc::new(PgReviewStore::connect(url).await?))
}

/// The one place that says `--remote` is not available yet.
fn remote_unavailable(remote: &str) -> Error {
    Error::input(format!(
        "--remote {} is not available yet in this version of tracetop: use --database-url (or DATABASE_URL) for now",
        crate::error::redact_url(&sanitize::clean(remote))
    ))
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

/// Parse `--since` into a window ending now; `None` when not given.
pub fn window_since(since: Option<&str>) -> Result<Option<TimeWindow>> {
    since
        .map(|s| parse_span(s).map(TimeWindow::since).map_err(since_error))
        .transpose()
}

/// Parse `--since` with a default span.
pub fn window_since_or(since: Option<&str>, default: &str) -> Result<TimeWindow> {
    let text = since.unwrap_or(default);
    let span = parse_span(text).map_err(since_error)?;
    Ok(TimeWindow::last(span, Utc::now()))
}

fn since_error(e: Error) -> Error {
    match e {
        Error::Input(msg) => Error::input(format!("--since: {msg}")),
        other => other,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_errors_name_the_flag() {
        let err = window_since(Some("5x")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("--since: invalid duration \"5x\""),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
        assert!(window_since(None).unwrap().is_none());
        let w = window_since_or(None, "24h").unwrap();
        assert_eq!((w.end - w.start).num_hours(), 24);
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
