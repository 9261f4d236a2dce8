//! Connecting: URL parsing, the read-only pool, the schema check, the
//! detection of which optional columns this deployment has, and the
//! translation of driver errors into one clear line (password redacted).

use super::columns::{ColumnSet, Selects};
use crate::error::{Error, Result, redact_url, scrub_secret};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
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
    /// The columns this database has (detected at connect).
    pub(crate) columns: Arc<ColumnSet>,
    /// Every record's select list, rendered for those columns.
    pub(crate) selects: Arc<Selects>,
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

impl PgEngine {
    /// Connect with a read-only pool and check the schema is there.
    pub async fn connect(url: &str) -> Result<PgEngine> {
        let options = parse_url(url)?
            .options([("default_transaction_read_only", "on"), ("TimeZone", "UTC")])
            .application_name("tracetop");
        // A direct connection beside the pool's: the pool retries refused
        // connections until its timeout and then reports only "timed out",
        // the direct one surfaces the real cause (refused, auth, missing
        // database) at once, and answers the schema check. Both are opened
        // at the same time (the server forks a backend for each), so a
        // one-shot command (`tracetop audit`) waits for one connection, and
        // finds the pool's idle when it starts querying.
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
        let (mut first, warm) = tokio::try_join!(
            async {
                sqlx::ConnectOptions::connect(&options)
                    .await
                    .map_err(|e| map_sqlx_error(e, url))
            },
            async { pool.acquire().await.map_err(|e| map_sqlx_error(e, url)) },
        )?;
        // back to the pool (asynchronously) while the schema is checked
        drop(warm);
        let mut engine = PgEngine {
            pool,
            display_url: redact_url(url),
            columns: Arc::new(ColumnSet::default()),
            selects: Arc::new(Selects::new(&ColumnSet::default())),
        };
        // the schema check and the column detection on the direct
        // connection too: the pool's stays idle for the first query
        let checked = match engine.check_schema(&mut first).await {
            Ok(()) => ColumnSet::detect(&mut first, REQUIRED_TABLES)
                .await
                .map_err(|e| engine.err(e)),
            Err(e) => Err(e),
        };
        let _ = sqlx::Connection::close(first).await;
        let columns = checked?;
        engine.selects = Arc::new(Selects::new(&columns));
        engine.columns = Arc::new(columns);
        Ok(engine)
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

    async fn check_schema(&self, conn: &mut sqlx::PgConnection) -> Result<()> {
        let missing: Vec<String> = sqlx::query_scalar(
            "SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NULL ORDER BY t",
        )
        .bind(REQUIRED_TABLES)
        .fetch_all(conn)
        .await
        .map_err(|e| self.err(e))?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::schema(format!(
                "{} has no {} table{}: run `tracetop migrate --database-url …` first, or point at a systemprompt database",
                self.display_url,
                missing.join(", "),
                if missing.len() > 1 { "s" } else { "" }
            )))
        }
    }
}
