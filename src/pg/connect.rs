//! Connecting: URL parsing, the read-only pool, the schema check, the
//! detection of which optional columns this deployment has, and the
//! translation of driver errors into one clear line (password redacted).

use super::columns::{ColumnSet, Selects};
use crate::error::{Error, Result, redact_url, scrub_secret};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgSslMode};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The tables the query engine reads.
pub const REQUIRED_TABLES: &[&str] = &[
    "users",
    "user_sessions",
    "user_contexts",
    "agent_tasks",
    "task_execution_steps",
    "ai_requests",
    "ai_request_messages",
    "ai_request_tool_calls",
    "mcp_tool_executions",
    "logs",
];

/// An idle pooled connection older than this is pinged before reuse.
const STALE_AFTER: Duration = Duration::from_secs(5);

/// The Postgres query engine. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct PgEngine {
    pub(crate) pool: PgPool,
    pub(crate) display_url: String,
    /// The optional and typed columns this database has ([`ColumnSet::probe`]
    /// at connect).
    pub(crate) columns: Arc<ColumnSet>,
    /// Every record's select list, rendered for those columns.
    pub(crate) selects: Arc<Selects>,
}

/// The options of every tracetop session: read-only, UTC, named; over a
/// unix socket without the TLS request (libpq ignores `sslmode` there too:
/// a socket is local, and asking costs a round trip per connection).
fn session_options(options: PgConnectOptions) -> PgConnectOptions {
    let options = options
        .options([("default_transaction_read_only", "on"), ("TimeZone", "UTC")])
        .application_name("tracetop");
    if options.get_socket().is_some() {
        options.ssl_mode(PgSslMode::Disable)
    } else {
        options
    }
}

/// The one line for a database that lacks some of the audit tables.
fn missing_tables(display_url: &str, missing: &[String]) -> Error {
    Error::schema(format!(
        "{display_url} has no {} table{}: run `tracetop migrate --database-url …` first, or point at a systemprompt database",
        missing.join(", "),
        if missing.len() > 1 { "s" } else { "" }
    ))
}

/// Parse a database URL into connect options, with a clear error.
pub fn parse_url(url: &str) -> Result<PgConnectOptions> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(Error::input(format!(
            "invalid database URL {}: expected postgres://user:password@host:port/database",
            redact_url(url)
        )));
    }
    PgConnectOptions::from_str(url).map_err(|e| {
        let password = url::Url::parse(url)
            .ok()
            .and_then(|u| u.password().map(str::to_string));
        Error::input(format!(
            "invalid database URL {}: {}; expected postgres://user:password@host:port/database (a `/`, `#`, `?` or `@` in the password must be percent-encoded, e.g. `/` as %2F)",
            redact_url(url),
            crate::error::redact_urls_in(&scrub_secret(&e.to_string(), password.as_deref()))
        )).caused_by(e)
    })
}

/// Turn a driver error into an operator-facing line. `url` is redacted.
pub fn map_sqlx_error(err: sqlx::Error, url: &str) -> Error {
    let shown = redact_url(url);
    let password = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_string));
    let scrub = |s: String| scrub_secret(&s, password.as_deref());
    let mapped = match &err {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.to_string()).unwrap_or_default();
            let msg = scrub(db.message().to_string());
            match code.as_str() {
                "28P01" | "28000" => Error::auth(format!(
                    "authentication failed for {shown}: {msg}; check the user name and password"
                )),
                "3D000" => Error::database(format!(
                    "database in {shown} does not exist: {msg}; check the database name"
                )),
                "42P01" => Error::schema(format!(
                    "{msg} in {shown}: this database lacks the audit tables; run `tracetop migrate` or point at a systemprompt database"
                )),
                "25006" => Error::database(format!(
                    "refused a write on the read-only session to {shown}: {msg}"
                )),
                "57014" => Error::database(format!("query cancelled on {shown}: {msg}")),
                _ => Error::database(format!("query failed on {shown}: {msg} (SQLSTATE {code})")),
            }
        }
        sqlx::Error::Io(io) => Error::database(format!(
            "cannot connect to {shown}: {}; is Postgres running and is the host and port right?",
            scrub(io.to_string())
        )),
        sqlx::Error::Tls(e) => Error::database(format!(
            "TLS failed connecting to {shown}: {}; try sslmode=disable for a local server",
            scrub(e.to_string())
        )),
        sqlx::Error::PoolTimedOut => Error::database(format!(
            "timed out connecting to {shown}; is the host reachable?"
        )),
        sqlx::Error::Configuration(e) => Error::input(format!(
            "invalid database URL {shown}: {}",
            scrub(e.to_string())
        )),
        other => Error::database(format!(
            "database error on {shown}: {}",
            scrub(other.to_string())
        )),
    };
    mapped.caused_by(err)
}

/// One read-only session to `url`, opened directly (no pool), with the
/// URL as messages show it (password redacted). The driver's refusal
/// (refused, auth, missing database) is the one line.
pub(crate) async fn connect_direct(url: &str) -> Result<(PgConnection, String)> {
    let conn = open_session(&session_options(parse_url(url)?), url).await?;
    Ok((conn, redact_url(url)))
}

/// One session with these options (`url` for the error line).
async fn open_session(options: &PgConnectOptions, url: &str) -> Result<PgConnection> {
    sqlx::ConnectOptions::connect(options)
        .await
        .map_err(|e| map_sqlx_error(e, url))
}

/// The schema check every connection makes, in one statement
/// ([`ColumnSet::probe`]): the tables tracetop reads are there (else the
/// one line naming the missing ones) and which optional columns exist.
pub(crate) async fn check_schema(conn: &mut PgConnection, display_url: &str) -> Result<ColumnSet> {
    let (columns, missing) = ColumnSet::probe(conn, REQUIRED_TABLES)
        .await
        .map_err(|e| map_sqlx_error(e, display_url))?;
    if missing.is_empty() {
        Ok(columns)
    } else {
        Err(missing_tables(display_url, &missing))
    }
}

impl PgEngine {
    /// Connect with a read-only pool and check the schema is there.
    pub async fn connect(url: &str) -> Result<PgEngine> {
        // The pool retries refused connections until its timeout and then
        // reports only "timed out": the first connection is made directly,
        // so the real cause (refused, auth, missing database) surfaces at
        // once, and it answers the schema check.
        let options = session_options(parse_url(url)?);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings a connection when it goes back to the pool; ping it
            // again before reuse only when it has been idle a while (a
            // restarted server), not on every query
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= STALE_AFTER {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_lazy_with(options.clone());
        // Both opened at the same time (the server forks a backend for
        // each): a command's first query finds the pool's connection idle
        // while the schema is checked on the direct one.
        let (mut first, warmed) = tokio::try_join!(open_session(&options, url), async {
            pool.acquire().await.map_err(|e| map_sqlx_error(e, url))
        })?;
        let display_url = redact_url(url);
        // back to the pool (asynchronously) while the schema is checked
        drop(warmed);
        let checked = check_schema(&mut first, &display_url).await;
        let _ = sqlx::Connection::close(first).await;
        let columns = checked?;
        Ok(PgEngine {
            pool,
            display_url,
            selects: Arc::new(Selects::new(&columns)),
            columns: Arc::new(columns),
        })
    }

    /// The columns this database has (detected at connect): queries use an
    /// optional column (cache tokens, requested model, actor, …) only when
    /// it is there.
    pub fn columns(&self) -> &ColumnSet {
        &self.columns
    }

    /// Log lines with their metadata as a `jsonb` column renders it, when
    /// this database keeps metadata as text (a real deployment does): the
    /// same JSON reads the same on every shape.
    pub(crate) fn logs_as_jsonb(
        &self,
        mut logs: Vec<crate::model::LogRecord>,
    ) -> Vec<crate::model::LogRecord> {
        if self.columns.json_as_text("logs", "metadata") {
            for log in &mut logs {
                super::columns::json_like_jsonb(&mut log.metadata);
            }
        }
        logs
    }

    /// `alias.column` when this database has the optional column, else the
    /// SQL literal `absent` (e.g. `false`, `0`), for filters and sums over
    /// columns older deployments lack.
    pub(crate) fn optional_column(
        &self,
        table: &str,
        alias: &str,
        column: &str,
        absent: &str,
    ) -> String {
        if self.columns.has(table, column) {
            format!("coalesce({alias}.{column}, {absent})")
        } else {
            absent.to_string()
        }
    }

    /// A boolean SQL expression: the `ai_requests` row (alias `alias`) is
    /// synthetic traffic.
    pub(crate) fn synthetic_sql(&self, alias: &str) -> String {
        self.optional_column("ai_requests", alias, "synthetic", "false")
    }

    /// A boolean SQL expression: the `ai_requests` row (alias `alias`) has
    /// a model and a provider, without which no cost report counts it (see
    /// [`crate::query::has_model_and_provider`]; NULL and empty alike, as
    /// records decode NULL to an empty string).
    pub(crate) fn has_model_sql(&self, alias: &str) -> String {
        format!("(coalesce({alias}.model, '') <> '' AND coalesce({alias}.provider, '') <> '')")
    }

    /// A boolean SQL expression: the `user_sessions` row (alias `alias`)
    /// carries any bot flag (see [`crate::query::is_bot_session`]).
    pub(crate) fn bot_session_sql(&self, alias: &str) -> String {
        format!(
            "({alias}.is_bot OR {alias}.is_scanner OR {alias}.is_behavioral_bot OR {})",
            self.optional_column("user_sessions", alias, "is_ai_crawler", "false")
        )
    }

    /// Every record's select list for this database.
    pub fn selects(&self) -> &Selects {
        &self.selects
    }

    /// The pool (read-only sessions).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The URL with its password redacted, for messages.
    pub fn display_url(&self) -> &str {
        &self.display_url
    }

    /// Map a query error using this engine's (redacted) URL.
    pub fn err(&self, e: sqlx::Error) -> Error {
        map_sqlx_error(e, &self.display_url)
    }
}
